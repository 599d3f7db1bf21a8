"""SMS providers behind one interface (`base.SmsProvider`): console, a generic HTTP gateway, the simulator.
`provider_get()` answers the one KOSH_SMS_PROVIDER names."""

from django.conf import settings

from notifications.providers.base import (
    DeliveryReport,
    OutgoingSms,
    SmsAccepted,
    SmsConfigurationError,
    SmsProvider,
    SmsSendError,
)

PROVIDER_NAMES = ("console", "http", "simulator")

__all__ = [
    "PROVIDER_NAMES",
    "DeliveryReport",
    "OutgoingSms",
    "SmsAccepted",
    "SmsConfigurationError",
    "SmsProvider",
    "SmsSendError",
    "provider_get",
]


def provider_get(name: str | None = None) -> SmsProvider:
    """The provider called `name`, or the configured one. Raises SmsConfigurationError for an unknown name."""
    from notifications.providers.console import ConsoleProvider
    from notifications.providers.http import HttpGatewayConfig, HttpGatewayProvider
    from notifications.providers.simulator import simulator_provider

    name = name or settings.KOSH_SMS_PROVIDER
    if name == "console":
        return ConsoleProvider()
    if name == "http":
        config = HttpGatewayConfig.from_settings(
            settings.KOSH_SMS_HTTP, sender=settings.KOSH_SMS_SENDER_ID, dlt_entity_id=settings.KOSH_SMS_DLT_ENTITY_ID
        )
        return HttpGatewayProvider(name="http", config=config)
    if name == "simulator":
        return simulator_provider()
    raise SmsConfigurationError(f"KOSH_SMS_PROVIDER: unknown provider '{name}' (one of {', '.join(PROVIDER_NAMES)})")
