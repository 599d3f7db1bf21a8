from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """SMS templates, outbox and providers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
