"""SMS templates and the SMS outbox."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from core.models import Tenant

SMS_TEMPLATE_CODE_VALIDATOR = RegexValidator(
    r"^[A-Z][A-Z0-9_]{1,63}$", "A template code is upper-case letters, digits and _, such as JIT_PAYMENT_FAILED."
)
DLT_TEMPLATE_ID_VALIDATOR = RegexValidator(r"^[0-9]{1,30}$", "A DLT template id is the number the DLT portal gave.")


class SmsLocale(models.TextChoices):
    EN_IN = "en_IN", "English"
    HI_IN = "hi_IN", "हिन्दी (Hindi)"
    OR_IN = "or_IN", "ଓଡ଼ିଆ (Odia)"
    PA_IN = "pa_IN", "ਪੰਜਾਬੀ (Punjabi)"


class SmsTemplate(models.Model):
    """The text of one kind of SMS in one language, with `{placeholders}`.

    Looked up nearest first: the city's own, then its state's, then the default every tenant shares
    (no tenant: the rows seeded by migration, so every deployment has them before any tenant exists)."""

    tenant = models.ForeignKey(
        Tenant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sms_templates",
        help_text="Empty: the default for every tenant. A state's row overrides it; a city's overrides the state's.",
    )
    code = models.CharField(max_length=64, validators=[SMS_TEMPLATE_CODE_VALIDATOR])
    locale = models.CharField(max_length=5, choices=SmsLocale.choices, default=SmsLocale.EN_IN)
    text = models.TextField(max_length=1000)
    # The id the template was registered under on the TRAI DLT portal; Indian gateways refuse SMS without it.
    dlt_template_id = models.CharField(
        "DLT template id", max_length=30, blank=True, validators=[DLT_TEMPLATE_ID_VALIDATOR]
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code", "locale", "tenant_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "code", "locale"],
                condition=Q(tenant__isnull=False),
                name="sms_template_tenant_code_locale_unique",
            ),
            models.UniqueConstraint(
                fields=["code", "locale"], condition=Q(tenant__isnull=True), name="sms_template_default_unique"
            ),
            models.CheckConstraint(condition=Q(locale__in=SmsLocale.values), name="sms_template_locale_valid"),
            models.CheckConstraint(condition=~Q(text=""), name="sms_template_text_not_empty"),
        ]

    def __str__(self):
        return f"{self.code} [{self.locale}] @ {self.tenant_id or 'default'}"


class SmsMessage(models.Model):
    """One SMS in the outbox, written in the transaction of the event that caused it.

    QUEUED until a provider accepts it (SENT), then DELIVERED or FAILED by the delivery report; FAILED also
    when the number is not a mobile number or every attempt failed. `event_key` is unique: an event that
    is replayed finds its message and creates nothing."""

    class Status(models.TextChoices):
        QUEUED = "QUEUED", "Queued"
        SENT = "SENT", "Sent"
        DELIVERED = "DELIVERED", "Delivered"
        FAILED = "FAILED", "Failed"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="sms_messages")
    event_key = models.CharField(max_length=200)
    template = models.ForeignKey(SmsTemplate, on_delete=models.PROTECT, related_name="messages")
    locale = models.CharField(max_length=5, choices=SmsLocale.choices)
    # Snapshot of the template's DLT id when the text was rendered: the gateway checks the two together.
    dlt_template_id = models.CharField("DLT template id", max_length=30, blank=True)
    # Ten digits when valid; otherwise what the caller gave (cut to fit), kept with the FAILED status.
    to = models.CharField(max_length=32)
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # QUEUED only: when the next attempt may start. While an attempt is in flight it is the end of that
    # attempt's claim, so no other worker starts one.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    provider = models.CharField(max_length=20, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["event_key"], name="sms_message_event_key_unique"),
            models.CheckConstraint(condition=~Q(event_key=""), name="sms_message_event_key_not_empty"),
            models.CheckConstraint(
                condition=Q(status__in=["QUEUED", "SENT", "DELIVERED", "FAILED"]), name="sms_message_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="QUEUED") | Q(next_attempt_at__isnull=False),
                name="sms_message_queued_has_next_attempt",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["SENT", "DELIVERED"]) | Q(sent_at__isnull=False),
                name="sms_message_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="FAILED") | (Q(failed_at__isnull=False) & ~Q(last_error="")),
                name="sms_message_failed_has_reason",
            ),
        ]
        indexes = [
            # The sweep's scan: due QUEUED messages only, however large the outbox grows.
            models.Index(fields=["next_attempt_at"], condition=Q(status="QUEUED"), name="sms_message_due_idx"),
            # Delivery reports find their message by the gateway's id.
            models.Index(
                fields=["provider", "provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="sms_message_provider_id_idx",
            ),
            models.Index(fields=["status", "created_at"], name="sms_message_status_idx"),
            models.Index(fields=["tenant", "created_at"], name="sms_message_tenant_idx"),
        ]

    def __str__(self):
        return f"SMS {self.pk} {self.status} ({self.event_key})"
