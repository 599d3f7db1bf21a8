from django.apps import AppConfig


class CollectionConfig(AppConfig):
    """Payments and receipts against bills, remittance, online payments."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "collection"

    def ready(self):
        from core.cards import HomeCard, home_card_register
        from core.models import Role

        home_card_register(
            HomeCard(
                title="Collect payment",
                description="Find a consumer by consumer code or mobile, take the bill's payment, print the receipt.",
                url_name="collection:collect",
                roles={Role.COLLECTION_OPERATOR},
                order=200,
            )
        )
        home_card_register(
            HomeCard(
                title="Collection reports",
                description="Collection by day, service, mode or collector; receipt register; remittances; CSV.",
                url_name="collection:report-summary",
                roles={Role.COLLECTION_APPROVER},
                order=210,
            )
        )
        home_card_register(
            HomeCard(
                title="Bank remittance",
                description="Deposit approved cash and cheque receipts in the city's bank account.",
                url_name="collection:remittance-create",
                roles={Role.COLLECTION_APPROVER},
                order=220,
            )
        )
