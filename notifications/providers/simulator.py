"""The SMS gateway simulator (simulators/sms/), reached over HTTP through the generic gateway provider."""

from django.conf import settings

from notifications.providers.http import HttpGatewayConfig, HttpGatewayProvider

SIMULATOR_BODY_TEMPLATE = {
    "to": "{to}",
    "text": "{text}",
    "sender": "{sender}",
    "dltTemplateId": "{dlt_template_id}",
    "reference": "{reference}",
}


def simulator_enabled() -> bool:
    """Whether the simulator (its endpoints and its delivery-report token) is switched on: by default everywhere
    but under production settings, where only KOSH_SMS_SIMULATOR_ENABLED=true turns it on."""
    enabled = settings.KOSH_SMS_SIMULATOR["ENABLED"]
    if enabled is None:
        return settings.KOSH_ENVIRONMENT != "production"
    return bool(enabled)


def simulator_provider() -> HttpGatewayProvider:
    simulator = settings.KOSH_SMS_SIMULATOR
    config = HttpGatewayConfig(
        url=simulator["URL"],
        method="POST",
        body_template=SIMULATOR_BODY_TEMPLATE,
        body_encoding="json",
        auth="bearer",
        token=simulator["TOKEN"],
        success_regex=r'"status"\s*:\s*"ACCEPTED"',
        message_id_regex=r'"messageId"\s*:\s*"([^"]+)"',
        timeout_seconds=simulator["TIMEOUT_SECONDS"],
        sender=settings.KOSH_SMS_SENDER_ID,
        dlt_entity_id=settings.KOSH_SMS_DLT_ENTITY_ID,
        dlr_token=simulator["DLR_TOKEN"] if simulator_enabled() else "",
    )
    return HttpGatewayProvider(name="simulator", config=config)
