from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Business services, tax heads, demands and bills."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "billing"
