from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """SMS templates, outbox and providers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"

    def ready(self):
        # Imported for their side effects: the SMS settings check, and the signals that keep the lookup cache true.
        import notifications.checks
        import notifications.signals  # noqa: F401
