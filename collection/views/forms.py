"""Forms of the report and bank remittance pages: filters and the remittance itself. They check input only."""

from datetime import date

from django import forms
from django.utils import timezone

from collection.models import InstrumentStatus, PaymentMode, PgTransaction
from core.services.idgen import ID_TIME_ZONE

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A report covers at most this many days, so one page never asks the database for years of receipts.
MAX_REPORT_DAYS = 366


def ist_today() -> date:
    return timezone.localdate(timezone=ID_TIME_ZONE)


def month_start() -> date:
    return ist_today().replace(day=1)


class DateRangeForm(forms.Form):
    """From and to (IST days, both included); this month when not given."""

    from_date = forms.DateField(label="From", widget=DATE_INPUT)
    to_date = forms.DateField(label="To", widget=DATE_INPUT)
    starts_this_month = True

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        if self.starts_this_month:
            data.setdefault("from_date", month_start().isoformat())
        data.setdefault("to_date", ist_today().isoformat())
        super().__init__(data, *args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from_date"), cleaned.get("to_date")
        if start and end:
            if start > end:
                self.add_error("to_date", "To is before From.")
            elif (end - start).days >= MAX_REPORT_DAYS:
                self.add_error("to_date", f"A report covers at most {MAX_REPORT_DAYS} days.")
        return cleaned


class ServiceFilterForm(DateRangeForm):
    business_service = forms.ChoiceField(label="Service", required=False)

    def __init__(self, data=None, *args, services: list[tuple[str, str]], **kwargs):
        super().__init__(data, *args, **kwargs)
        self.fields["business_service"].choices = [("", "All"), *services]


class RemittableFilterForm(ServiceFilterForm):
    """Receipts waiting for the bank: from any day unless From is given, up to today."""

    from_date = forms.DateField(label="From", widget=DATE_INPUT, required=False)
    starts_this_month = False


class ReceiptFilterForm(ServiceFilterForm):
    payment_mode = forms.ChoiceField(label="Mode", required=False, choices=[("", "All"), *PaymentMode.choices])


class SummaryFilterForm(ReceiptFilterForm):
    group_by = forms.ChoiceField(
        label="Group by",
        choices=[("day", "Day"), ("service", "Service"), ("mode", "Mode"), ("collector", "Collector")],
    )

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("group_by", "day")
        super().__init__(data, *args, **kwargs)


class RegisterFilterForm(ReceiptFilterForm):
    instrument_status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All"), *InstrumentStatus.choices]
    )


class OnlineFilterForm(DateRangeForm):
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "All"), *PgTransaction.Status.choices])


class ReceiptNumbersField(forms.MultipleChoiceField):
    """The receipt numbers ticked. Which of them may be remitted is for `remittance_create` to say, under its lock."""

    def valid_value(self, value):
        return 0 < len(value) <= 100


class RemittanceForm(forms.Form):
    """The receipts chosen on the page and where they go."""

    receipts = ReceiptNumbersField(
        label="Receipts", widget=forms.CheckboxSelectMultiple, error_messages={"required": "Choose receipts to remit."}
    )
    bank_account = forms.RegexField(
        label="ULB bank account",
        regex=r"^[A-Za-z0-9]{6,34}$",
        max_length=34,
        error_messages={"invalid": "6 to 34 letters and digits, no spaces."},
    )
    remarks = forms.CharField(label="Remarks", required=False, max_length=500)
    reason_for_delay = forms.CharField(label="Reason for delay", required=False, max_length=500)
