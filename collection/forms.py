"""Forms of the collect-payment pages. They check what the page's own fields say (the same checks the browser
makes); every rule about the bill is `payment_create`'s, whose refusal is shown on the field it names."""

import re

from django import forms
from django.core.validators import RegexValidator

from billing.dates import ist_day_start
from billing.models import Bill
from collection.api.views import MOBILE_NUMBER, PERSON_NAME
from collection.models import PaymentMode
from collection.services.payments import PaymentDetailInput, PaymentInput
from core.errors import ApplicationError
from core.money import to_amount

# What a counter takes, in the order the method list shows them; the first allowed one is preselected.
# Online payments come through the payment gateway, not the counter.
COUNTER_MODES = (
    PaymentMode.CASH,
    PaymentMode.CHEQUE,
    PaymentMode.DD,
    PaymentMode.CARD,
    PaymentMode.OFFLINE_NEFT,
    PaymentMode.OFFLINE_RTGS,
    PaymentMode.POSTAL_ORDER,
)
WHOLE_RUPEES = r"^[0-9]+$"
RUPEES_AND_PAISE = r"^[0-9]+(\.[0-9]{1,2})?$"


def counter_modes_allowed(bill: Bill) -> list[str]:
    return [mode for mode in COUNTER_MODES if mode not in bill.collection_modes_not_allowed]


class ConsumerSearchForm(forms.Form):
    consumer_code = forms.CharField(label="Consumer code", max_length=64, required=False)
    mobile_number = forms.CharField(
        label="Mobile number",
        max_length=10,
        required=False,
        validators=[RegexValidator(MOBILE_NUMBER, "Enter a 10-digit mobile number starting with 6, 7, 8 or 9.")],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[6-9][0-9]{9}"}),
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("consumer_code") or data.get("mobile_number")):
            raise forms.ValidationError("Enter a consumer code or a mobile number.")
        return data


# Where payment_create's refusals land: its wire field name → the form field ("" = the whole form).
SERVICE_FIELDS = (
    (re.compile(r"^Payment\.(paymentDetails\[\d+\]\.)?totalAmountPaid$"), "amount"),
    (re.compile(r"^Payment\.paymentMode$"), "payment_mode"),
    (re.compile(r"^Payment\.instrumentNumber$"), "instrument_number"),
    (re.compile(r"^Payment\.instrumentDate$"), "instrument_date"),
    (re.compile(r"^Payment\.transactionNumber$"), "transaction_number"),
)


class UpperCaseField(forms.CharField):
    def to_python(self, value):
        return super().to_python(value).upper()


class CollectPaymentForm(forms.Form):
    """One payment of one bill at the counter. The amount starts at the total due."""

    amount = forms.CharField(label="Amount to pay (₹)", max_length=16)
    payment_mode = forms.ChoiceField(label="Payment method")
    instrument_number = forms.CharField(label="Cheque / DD / reference no.", max_length=100, required=False)
    instrument_date = forms.DateField(
        label="Instrument date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ifsc_code = UpperCaseField(
        label="IFSC",
        max_length=11,
        required=False,
        validators=[RegexValidator(r"^[A-Z]{4}0[A-Z0-9]{6}$", "Enter an IFSC such as SBIN0001234.")],
    )
    transaction_number = forms.CharField(label="Card transaction no.", max_length=100, required=False)
    paid_by = forms.CharField(
        label="Paid by",
        max_length=200,
        validators=[RegexValidator(PERSON_NAME, "Use letters, spaces and . - ' only.")],
    )
    mobile_number = forms.CharField(
        label="Payer's mobile number",
        max_length=10,
        required=False,
        validators=[RegexValidator(MOBILE_NUMBER, "Enter a 10-digit mobile number starting with 6, 7, 8 or 9.")],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[6-9][0-9]{9}"}),
    )

    def __init__(self, *args, bill: Bill, **kwargs):
        self.bill = bill
        modes = counter_modes_allowed(bill)
        kwargs.setdefault(
            "initial",
            {
                # mGramSeva pre-fills the total due in rupees, and leaves the field empty when nothing is due.
                "amount": f"{bill.total_amount:f}".removesuffix(".00") if bill.total_amount > 0 else "",
                "payment_mode": modes[0] if modes else "",
                "paid_by": bill.payer_name,
                "mobile_number": bill.mobile_number,
            },
        )
        super().__init__(*args, **kwargs)
        # The method list is the bill's allowed modes (mGramSeva's); any other is refused as the page never offered it.
        self.fields["payment_mode"].choices = [(mode.value, mode.label) for mode in modes]
        self.fields["payment_mode"].error_messages["invalid_choice"] = (
            f"%(value)s is not accepted for {bill.business_service.code}: choose one of the methods listed."
        )
        self.pattern = WHOLE_RUPEES if bill.business_service.is_whole_rupee else RUPEES_AND_PAISE
        self.fields["amount"].widget.attrs.update(
            {"inputmode": "numeric" if self.pattern == WHOLE_RUPEES else "decimal", "pattern": self.pattern[1:-1]}
        )
        self.takes_instruments = any(mode != PaymentMode.CASH for mode in modes)

    def clean_amount(self):
        text = self.cleaned_data["amount"].strip()
        if not re.fullmatch(self.pattern, text):
            if self.pattern == WHOLE_RUPEES:
                raise forms.ValidationError("Enter the amount in whole rupees, digits only.")
            raise forms.ValidationError("Enter the amount in rupees, with at most two decimal places.")
        if not text.strip("0."):
            raise forms.ValidationError("The amount must be more than zero.")
        try:
            return to_amount(text, field="amount")
        except ApplicationError as exc:
            raise forms.ValidationError(_message(exc)) from None

    def payment_input(self) -> PaymentInput:
        data, bill = self.cleaned_data, self.bill
        mode = data["payment_mode"]
        instrument_date = data.get("instrument_date")
        transaction_number = data["transaction_number"].strip()
        return PaymentInput(
            tenant_id=bill.tenant_id,
            payment_mode=mode,
            total_amount_paid=data["amount"],
            paid_by=data["paid_by"].strip(),
            payer_name=data["paid_by"].strip(),
            mobile_number=data["mobile_number"],
            payer_address=bill.payer_address,
            transaction_number=transaction_number if mode == PaymentMode.CARD else "",
            # A card payment's reference is its transaction number, as the gateway's is (DIGIT wants both).
            instrument_number=transaction_number if mode == PaymentMode.CARD else data["instrument_number"].strip(),
            instrument_date=ist_day_start(instrument_date) if instrument_date and mode != PaymentMode.CASH else None,
            ifsc_code=data["ifsc_code"] if mode != PaymentMode.CASH else "",
            details=[
                PaymentDetailInput(
                    bill_id=str(bill.pk),
                    total_amount_paid=data["amount"],
                    total_due=bill.total_amount,
                    business_service=bill.business_service.code,
                )
            ],
        )

    def refusal_show(self, exc: ApplicationError) -> None:
        """Put `payment_create`'s refusal on the field it names (the bill's own problems on the whole form)."""
        field = next((name for pattern, name in SERVICE_FIELDS if exc.field and pattern.match(exc.field)), None)
        self.add_error(field, _message(exc))


def _message(exc: ApplicationError) -> str:
    """The refusal without its wire field prefix ("Payment.paymentMode: CHEQUE is not accepted" → the rest)."""
    text = exc.message
    if exc.field and text.startswith(f"{exc.field}: "):
        text = text[len(exc.field) + 2 :]
    return text[:1].upper() + text[1:]
