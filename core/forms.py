from django import forms
from django.contrib.auth.forms import AuthenticationForm

from core.models import Tenant


class LoginForm(AuthenticationForm):
    """Username and password; wrong passwords count towards the account's lockout."""

    username = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )


class TenantSwitchForm(forms.Form):
    """The header's switcher. Only tenants the employee holds a role in are valid choices."""

    tenant = forms.ChoiceField(error_messages={"invalid_choice": "You hold no role in tenant '%(value)s'."})

    def __init__(self, *args, tenants: list[Tenant], **kwargs):
        super().__init__(*args, **kwargs)
        self._tenants = {tenant.code: tenant for tenant in tenants}
        self.fields["tenant"].choices = [(tenant.code, tenant.name) for tenant in tenants]

    def clean_tenant(self) -> Tenant:
        return self._tenants[self.cleaned_data["tenant"]]
