from django import forms

from payments.models import PaymentInstruction
from payments.selectors import REGISTER_TYPES


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
