from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Business services, tax heads, demands and bills."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "billing"

    def ready(self):
        import billing.signals  # noqa: F401  (keeps the lookup cache true to the bills)
        from billing.services.recalculation import TimePenalty, recalculation_hook_register

        recalculation_hook_register(service_code="WS", hook=TimePenalty())
