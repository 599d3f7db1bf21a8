from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """Payment Instructions to the treasury's JIT-FS."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "payments"
