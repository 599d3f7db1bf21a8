from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Username and password; wrong passwords count towards the account's lockout."""

    username = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )


class TenantSwitchForm(forms.Form):
    tenant = forms.CharField(max_length=64)
