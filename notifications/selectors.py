"""Reads of SMS templates and the outbox."""

from django.conf import settings

from core.errors import ApplicationError
from core.lookups import cached
from core.selectors import tenant_lineage
from notifications.models import SmsTemplate


def sms_templates_key(code: str) -> str:
    return f"sms-templates:{code}"


def sms_templates_active(*, code: str) -> list[SmsTemplate]:
    """Every active template of `code`, in every tenant and locale (a handful), through the lookup cache: each
    SMS enqueued reads them. A saved template is forgotten at once (notifications/signals.py)."""
    return cached(sms_templates_key(code), lambda: list(SmsTemplate.objects.filter(code=code, is_active=True)))


def sms_template_get(*, code: str, tenant_id: str, locale: str | None = None) -> SmsTemplate:
    """The active template for `code` the tenant sees, in `locale` if there is one, else in the default locale.

    Language first, then nearness: a city's own text, then its state's, then the default all tenants share."""
    locales = [locale or settings.KOSH_SMS_DEFAULT_LOCALE]
    if settings.KOSH_SMS_DEFAULT_LOCALE not in locales:
        locales.append(settings.KOSH_SMS_DEFAULT_LOCALE)
    lineage = tenant_lineage(tenant_id=tenant_id)
    candidates = {
        (template.tenant_id, template.locale): template
        for template in sms_templates_active(code=code)
        if template.locale in locales and (template.tenant_id is None or template.tenant_id in lineage)
    }
    for wanted_locale in locales:
        for tenant_code in [*lineage, None]:
            template = candidates.get((tenant_code, wanted_locale))
            if template is not None:
                return template
    raise ApplicationError(
        "SMS_TEMPLATE_NOT_FOUND",
        f"template: no active SMS template '{code}' for tenant '{tenant_id}' in {' or '.join(locales)}",
        field="template",
    )
