from django.apps import AppConfig


class LedgerConfig(AppConfig):
    """GL codes and double-entry vouchers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "ledger"
