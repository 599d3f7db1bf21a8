"""The SMS templates Kosh ships, the placeholders each one's callers supply, and the check an edited text must pass."""

from dataclasses import dataclass

from django.db import transaction

from core.errors import ApplicationError
from notifications.templating import placeholders_of

COLLECTION_RECEIPT = "COLLECTION_RECEIPT"
JIT_PAYMENT_SUCCESSFUL = "JIT_PAYMENT_SUCCESSFUL"
JIT_PAYMENT_FAILED = "JIT_PAYMENT_FAILED"

# The contract between the code that sends a kind of SMS and the administrators who edit its text: the values
# the sender always supplies. An edited text may use only these, so an edit can never break the sender.
SMS_TEMPLATE_PLACEHOLDERS: dict[str, frozenset[str]] = {
    COLLECTION_RECEIPT: frozenset(
        {"payer_name", "amount", "service_name", "consumer_code", "receipt_number", "receipt_date", "ulb_name"}
    ),
    # DIGIT's localisation codes and placeholders for MUKTA's JIT payment SMS (rainmaker-ifms).
    JIT_PAYMENT_SUCCESSFUL: frozenset({"amount", "UTRNO"}),
    JIT_PAYMENT_FAILED: frozenset({"amount", "UTRNO"}),
}


@dataclass(frozen=True)
class TemplateSeed:
    code: str
    locale: str
    text: str


# English texts of the JIT payment SMS are MUKTA's (JIT-FS integration story and DIGIT-Works #1666). The other
# languages are Kosh's translations; a state registers its own wording on the DLT portal and edits it in admin.
SMS_TEMPLATE_SEEDS = (
    TemplateSeed(
        COLLECTION_RECEIPT,
        "en_IN",
        "Dear {payer_name}, Rs. {amount} received for {service_name} ({consumer_code}). "
        "Receipt No. {receipt_number} dated {receipt_date}. {ulb_name}",
    ),
    TemplateSeed(
        COLLECTION_RECEIPT,
        "hi_IN",
        "प्रिय {payer_name}, {service_name} ({consumer_code}) हेतु Rs. {amount} प्राप्त हुए। "
        "रसीद संख्या {receipt_number} दिनांक {receipt_date}। {ulb_name}",
    ),
    TemplateSeed(
        COLLECTION_RECEIPT,
        "pa_IN",
        "ਸਤਿਕਾਰਯੋਗ {payer_name}, {service_name} ({consumer_code}) ਲਈ Rs. {amount} ਪ੍ਰਾਪਤ ਹੋਏ। "
        "ਰਸੀਦ ਨੰ. {receipt_number} ਮਿਤੀ {receipt_date}। {ulb_name}",
    ),
    TemplateSeed(
        COLLECTION_RECEIPT,
        "or_IN",
        "ପ୍ରିୟ {payer_name}, {service_name} ({consumer_code}) ପାଇଁ Rs. {amount} ପ୍ରାପ୍ତ ହେଲା। "
        "ରସିଦ ନଂ. {receipt_number} ତାରିଖ {receipt_date}। {ulb_name}",
    ),
    TemplateSeed(
        JIT_PAYMENT_SUCCESSFUL,
        "en_IN",
        "Payment of Rs. {amount} for MUKTA, transaction {UTRNO} is made to your registered bank account. "
        "Contact your bank if not credited within 72 hours. MUKTA - Govt. of Odisha.",
    ),
    TemplateSeed(
        JIT_PAYMENT_SUCCESSFUL,
        "hi_IN",
        "MUKTA के अंतर्गत Rs. {amount} का भुगतान, लेनदेन {UTRNO}, आपके पंजीकृत बैंक खाते में कर दिया गया है। "
        "72 घंटों में राशि जमा न होने पर अपने बैंक से संपर्क करें। MUKTA - ओडिशा सरकार।",
    ),
    TemplateSeed(
        JIT_PAYMENT_SUCCESSFUL,
        "or_IN",
        "MUKTA ଅଧୀନରେ Rs. {amount} ର ପେମେଣ୍ଟ, କାରବାର {UTRNO}, ଆପଣଙ୍କ ପଞ୍ଜୀକୃତ ବ୍ୟାଙ୍କ ଖାତାକୁ କରାଯାଇଛି। "
        "72 ଘଣ୍ଟା ମଧ୍ୟରେ ଜମା ନହେଲେ ଆପଣଙ୍କ ବ୍ୟାଙ୍କ ସହିତ ଯୋଗାଯୋଗ କରନ୍ତୁ। MUKTA - ଓଡ଼ିଶା ସରକାର।",
    ),
    TemplateSeed(
        JIT_PAYMENT_FAILED,
        "en_IN",
        "Payment of Rs. {amount} for MUKTA, transaction {UTRNO} is failed. "
        "Contact MUKTA Cell at ULB for more detail. MUKTA - Govt. of Odisha.",
    ),
    TemplateSeed(
        JIT_PAYMENT_FAILED,
        "hi_IN",
        "MUKTA के अंतर्गत Rs. {amount} का भुगतान, लेनदेन {UTRNO}, विफल हो गया है। "
        "अधिक जानकारी के लिए ULB के MUKTA प्रकोष्ठ से संपर्क करें। MUKTA - ओडिशा सरकार।",
    ),
    TemplateSeed(
        JIT_PAYMENT_FAILED,
        "or_IN",
        "MUKTA ଅଧୀନରେ Rs. {amount} ର ପେମେଣ୍ଟ, କାରବାର {UTRNO}, ବିଫଳ ହୋଇଛି। "
        "ଅଧିକ ବିବରଣୀ ପାଇଁ ULB ର MUKTA ସେଲ ସହିତ ଯୋଗାଯୋଗ କରନ୍ତୁ। MUKTA - ଓଡ଼ିଶା ସରକାର।",
    ),
)


@transaction.atomic
def sms_templates_seed(*, template_model=None) -> int:
    """Create whichever shipped default templates (no tenant) are missing; returns how many were created.

    Never changes an existing row: administrators may have edited its text or set its DLT id. A data migration
    calls this with its historical model, so every deployment has the templates from its first `migrate`."""
    if template_model is None:
        from notifications.models import SmsTemplate as template_model
    created = 0
    for seed in SMS_TEMPLATE_SEEDS:
        _template, was_created = template_model.objects.get_or_create(
            tenant=None, code=seed.code, locale=seed.locale, defaults={"text": seed.text}
        )
        created += int(was_created)
    return created


def sms_template_text_check(*, code: str, text: str) -> list[str]:
    """Refuse a template text that is malformed or names a value its senders do not supply; answer its placeholders."""
    names = placeholders_of(text)
    allowed = SMS_TEMPLATE_PLACEHOLDERS.get(code)
    if allowed is not None:
        unknown = [name for name in names if name not in allowed]
        if unknown:
            raise ApplicationError(
                "SMS_TEMPLATE_INVALID",
                f"text: {', '.join('{' + name + '}' for name in unknown)} is not supplied for {code}; "
                f"use {', '.join('{' + name + '}' for name in sorted(allowed))}",
                field="text",
            )
    return names
