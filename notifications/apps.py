from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """SMS templates, outbox and providers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"

    def ready(self):
        import notifications.checks  # noqa: F401  (registers the SMS settings check)
