from django.apps import AppConfig


class BridgeConfig(AppConfig):
    """G2P disbursement bridge to the sponsor bank."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "bridge"

    def ready(self):
        import bridge.api.authentication  # noqa: F401  (registers the OpenAPI client-token scheme)
        from core.cards import HomeCard, home_card_register
        from core.models import Role

        home_card_register(
            HomeCard(
                title="Benefit disbursements",
                description="Envelopes moving through funds check, block, bank batches and reconciliation.",
                url_name="bridge:envelope-list",
                roles=frozenset({Role.BRIDGE_OPERATOR}),
                order=400,
            )
        )
        home_card_register(
            HomeCard(
                title="Bank statements",
                description="Upload the sponsor bank's MT940 statements and see what they reconciled.",
                url_name="bridge:statement-list",
                roles=frozenset({Role.BRIDGE_OPERATOR}),
                order=410,
            )
        )
        home_card_register(
            HomeCard(
                title="Statement review queue",
                description="Statement lines that matched no payment, or not exactly: resolve or ignore them.",
                url_name="bridge:review-queue",
                roles=frozenset({Role.BRIDGE_OPERATOR}),
                order=420,
            )
        )
