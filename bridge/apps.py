from django.apps import AppConfig


class BridgeConfig(AppConfig):
    """G2P disbursement bridge to the sponsor bank."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "bridge"
