from django.apps import AppConfig


class CollectionConfig(AppConfig):
    """Payments and receipts against bills, remittance, online payments."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "collection"
