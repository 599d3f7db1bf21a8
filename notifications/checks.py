"""`manage.py check` (and `runserver`, `migrate`) refuses SMS settings that could not send."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from notifications.providers import PROVIDER_NAMES, SmsConfigurationError, provider_get


@register(Tags.compatibility)
def sms_settings_check(app_configs, **kwargs):
    found = []
    name = settings.KOSH_SMS_PROVIDER
    if name not in PROVIDER_NAMES:
        return [
            Error(
                f"KOSH_SMS_PROVIDER is '{name}'; it must be one of {', '.join(PROVIDER_NAMES)}.",
                id="notifications.E001",
            )
        ]
    try:
        problems = provider_get(name).problems()
    except SmsConfigurationError as exc:
        problems = [str(exc)]
    found += [Error(f"{problem} (KOSH_SMS_HTTP_… settings).", id="notifications.E002") for problem in problems]
    if settings.KOSH_SMS_MAX_ATTEMPTS < 1:
        found.append(Error("KOSH_SMS_MAX_ATTEMPTS must be at least 1.", id="notifications.E003"))
    if settings.KOSH_SMS_HTTP["TIMEOUT_SECONDS"] >= settings.KOSH_SMS_CLAIM_SECONDS:
        found.append(
            Error(
                "KOSH_SMS_CLAIM_SECONDS must be longer than KOSH_SMS_HTTP_TIMEOUT_SECONDS, or a slow gateway's "
                "message could be taken by a second worker while the first still waits for the answer.",
                id="notifications.E004",
            )
        )
    if settings.KOSH_ENVIRONMENT == "production" and name != "http":
        found.append(
            Warning(
                f"KOSH_SMS_PROVIDER is '{name}' under production settings: no SMS reaches a phone.",
                hint="Set KOSH_SMS_PROVIDER=http and the KOSH_SMS_HTTP_… settings of the state's gateway.",
                id="notifications.W001",
            )
        )
    return found
