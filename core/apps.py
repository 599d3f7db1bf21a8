from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Tenants, employees and roles, tokens, the DIGIT envelope, ids, money, audit and idempotency."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"

    def ready(self):
        import core.api.schema  # noqa: F401  (registers the OpenAPI auth scheme)
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
