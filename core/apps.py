from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Tenants, employees and roles, tokens, the DIGIT envelope, ids, money, audit and idempotency."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"

    def ready(self):
        # Imported for their side effects: the OpenAPI auth scheme, and the signals that keep the auth cache true.
        import core.api.schema
        import core.signals  # noqa: F401
        from core.cards import HomeCard, home_card_register

        home_card_register(
            HomeCard(
                title="API documentation",
                description="DIGIT-compatible and Kosh APIs, with a console to try them.",
                url_name="api-docs",
                order=900,
            )
        )
        home_card_register(
            HomeCard(
                title="Administration",
                description="Tenants, employees and roles, API clients, schedules.",
                url_name="admin:index",
                staff_only=True,
                order=910,
            )
        )
