from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """Payment Instructions to the treasury's JIT-FS."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "payments"

    def ready(self):
        from core.cards import HomeCard, home_card_register
        from core.models import Role

        home_card_register(
            HomeCard(
                title="Payment instructions",
                description="Search and view PIs sent to the treasury's JIT-FS; retry, revise, refresh.",
                url_name="payments:pi-search",
                roles={Role.PI_VIEWER, Role.PI_CREATOR},
                order=300,
            )
        )
        home_card_register(
            HomeCard(
                title="Fund Allocation Register",
                description="Allotments and expenses per head of account, with running balances; CSV and PDF.",
                url_name="payments:fund-register",
                roles={Role.FUND_VIEWER},
                order=310,
            )
        )
