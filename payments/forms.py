import re

from django import forms

from core.errors import ApplicationError
from core.models import Tenant
from payments.models import ExpenseBill, Payee, PayeeBankAccount, PaymentInstruction
from payments.selectors import REGISTER_TYPES
from payments.services.bills import BankAccountInput, LineItemInput, PayeeInput


class PISearchForm(forms.Form):
    """Open search: at least one criterion."""

    pi_type = forms.ChoiceField(
        label="PI type", required=False, choices=[("", "Any"), *PaymentInstruction.Type.choices]
    )
    bill_number = forms.CharField(label="Bill number", required=False, max_length=64)
    pi_number = forms.CharField(label="PI ID", required=False, max_length=64)
    status = forms.ChoiceField(required=False, choices=[("", "Any"), *PaymentInstruction.Status.choices])
    created_from = forms.DateField(label="Created from", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(label="Created to", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in self.fields):
            raise forms.ValidationError("Give at least one search criterion.")
        start, end = cleaned.get("created_from"), cleaned.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", "Created to is before created from.")
        return cleaned


class FundRegisterForm(forms.Form):
    financial_year = forms.ChoiceField(label="Financial year")
    hoa_code = forms.ChoiceField(label="Head of account", required=False)
    kind = forms.ChoiceField(label="Transaction type", required=False, choices=[("", "All"), *REGISTER_TYPES.items()])

    def __init__(self, *args, years: list[str], heads: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].choices = [(year, year) for year in years]
        self.fields["hoa_code"].choices = [("", "All"), *((head, head) for head in heads)]


# --- Expense bill entry (admin) ---------------------------------------------------------------
# Plain fields only: what a bill may contain is checked by `expense_bill_create`, the same service the API calls,
# and its refusal is put back on the field it names.


class ExpenseBillEntryForm(forms.Form):
    tenant = forms.ModelChoiceField(queryset=Tenant.objects.filter(state__isnull=False, is_active=True))
    bill_number = forms.CharField()
    bill_type = forms.ChoiceField(choices=ExpenseBill.Type.choices)
    bill_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    reference_id = forms.CharField(label="Contract / muster roll", required=False)


class ExpenseLineForm(forms.Form):
    """One payable line: a payee (with the bank account it is paid into), a head and an amount. A payee paid
    under several heads appears on several lines with the same identifier."""

    # Initial values, so a blank row posted with its selects at their defaults counts as unchanged.
    payee_type = forms.ChoiceField(label="Payee type", choices=Payee.Type.choices, initial=Payee.Type.INDIVIDUAL)
    identifier = forms.CharField(label="Payee id")
    name = forms.CharField(label="Payee name")
    mobile_number = forms.CharField(label="Mobile", required=False)
    address = forms.CharField(required=False)
    account_number = forms.CharField(label="Account no")
    ifsc = forms.CharField(label="IFSC")
    account_holder_name = forms.CharField(label="Account holder")
    account_type = forms.ChoiceField(
        label="Account type",
        choices=PayeeBankAccount.AccountType.choices,
        initial=PayeeBankAccount.AccountType.SAVINGS,
    )
    head_code = forms.CharField(label="Head")
    # Text, so the service reads it exactly (and refuses a negative or 3-decimal amount itself).
    amount = forms.CharField(label="Amount (₹)")

    def line_item(self, index: int) -> LineItemInput:
        data = self.cleaned_data
        return LineItemInput(
            payee=PayeeInput(
                payee_type=data["payee_type"],
                identifier=data["identifier"],
                name=data["name"],
                mobile_number=data["mobile_number"],
                address=data["address"],
                bank_account=BankAccountInput(
                    account_number=data["account_number"],
                    ifsc=data["ifsc"],
                    account_holder_name=data["account_holder_name"],
                    account_type=data["account_type"],
                ),
            ),
            head_code=data["head_code"],
            amount=data["amount"],
            field=f"billDetails[{index}].amount",
        )


ExpenseLineFormSet = forms.formset_factory(ExpenseLineForm, extra=3, min_num=1, validate_min=True)

_BILL_FIELDS = {"tenantId": "tenant", "billNumber": "bill_number", "businessService": "bill_type"}
_LINE_FIELDS = {
    "amount": "amount",
    "type": "payee_type",
    "identifier": "identifier",
    "name": "name",
    "mobileNumber": "mobile_number",
    "bankAccount": "account_number",
    "accountNumber": "account_number",
    "ifsc": "ifsc",
    "accountHolderName": "account_holder_name",
    "accountType": "account_type",
}
_LINE_PATH = re.compile(r"billDetails\[(\d+)\]\.(?:.*\.)?(\w+)$")


def expense_lines_filled(lines) -> list[ExpenseLineForm]:
    """The rows of the line formset that were filled in, in order: the bill's line items."""
    return [line for line in lines.forms if line.has_changed()]


def expense_bill_error_show(exc: ApplicationError, *, form: ExpenseBillEntryForm, filled: list) -> None:
    """Put the service's refusal on the field it names (a line's field for `billDetails[i]…`), else on top."""
    field = exc.field or ""
    match = _LINE_PATH.match(field)
    if match and int(match.group(1)) < len(filled) and match.group(2) in _LINE_FIELDS:
        filled[int(match.group(1))].add_error(_LINE_FIELDS[match.group(2)], exc.message)
    elif field in _BILL_FIELDS:
        form.add_error(_BILL_FIELDS[field], exc.message)
    else:
        form.add_error(None, exc.message)
