"""Writing to the SMS outbox: the one call other apps make, and an administrator's resend."""

import logging
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError
from core.models import Tenant, User
from core.selectors import tenant_get
from core.services.audit import audit_record
from notifications.models import SmsLocale, SmsMessage
from notifications.phones import MOBILE_NUMBER_RULE, mobile_mask, mobile_normalize
from notifications.selectors import sms_template_get
from notifications.services.sending import sms_dispatch_on_commit
from notifications.templating import text_render

logger = logging.getLogger("notifications.outbox")

EVENT_KEY_MAX_LENGTH = SmsMessage._meta.get_field("event_key").max_length
TO_MAX_LENGTH = SmsMessage._meta.get_field("to").max_length


def sms_enqueue(
    *,
    template: str,
    to: str,
    context: Mapping[str, object],
    event_key: str,
    tenant: Tenant | str,
    locale: str | None = None,
) -> SmsMessage:
    """Put one SMS in the outbox, in the caller's transaction; it is sent after that transaction commits.

    `template` is a template code (COLLECTION_RECEIPT, JIT_PAYMENT_FAILED, …), rendered with `context` in the
    tenant's nearest template for `locale` (default KOSH_SMS_DEFAULT_LOCALE). `event_key` names the event that
    causes the SMS (e.g. `jit:FTFPS:<pi>:<benefId>:failed`): the same key again answers the message already
    there and sends nothing. A number that is not an Indian mobile number does not break the caller: the
    message is stored FAILED with the reason. A missing placeholder or an unknown template is a mistake in the
    calling code and raises ApplicationError, naming the placeholder."""
    _event_key_check(event_key)
    tenant_id = tenant.code if isinstance(tenant, Tenant) else tenant_get(code=tenant, field="tenant").code
    if locale is not None and locale not in SmsLocale.values:
        raise ApplicationError("SMS_LOCALE_INVALID", f"locale: one of {', '.join(SmsLocale.values)}", field="locale")
    sms_template = sms_template_get(code=template, tenant_id=tenant_id, locale=locale)
    text = text_render(sms_template.text, context)
    number = mobile_normalize(to)
    now = timezone.now()
    message = SmsMessage(
        tenant_id=tenant_id,
        event_key=event_key,
        template=sms_template,
        locale=sms_template.locale,
        dlt_template_id=sms_template.dlt_template_id,
        to=number if number is not None else str(to or "")[:TO_MAX_LENGTH],
        text=text,
    )
    if number is None:
        message.status = SmsMessage.Status.FAILED
        message.failed_at = now
        message.last_error = f"to: {MOBILE_NUMBER_RULE}"
    else:
        message.status = SmsMessage.Status.QUEUED
        message.next_attempt_at = now

    # In the caller's transaction (or one of its own when the caller has none), with no savepoint: a repeated
    # event's key, or a concurrent insert of the same key, inserts nothing instead of failing the caller's
    # transaction. Events are rarely repeated, so the insert is tried first rather than looked for.
    with transaction.atomic(savepoint=False):
        if not _insert_unless_event_known(message):
            return SmsMessage.objects.get(event_key=event_key)
        if message.status == SmsMessage.Status.FAILED:
            audit_record(
                actor=None,
                entity=message,
                action="SMS_FAILED",
                to_state=SmsMessage.Status.FAILED,
                reason=message.last_error,
                data={"template": template},
            )

    if message.status == SmsMessage.Status.FAILED:
        logger.warning("SMS %s (%s) to %s FAILED: %s", message.pk, template, mobile_mask(to), message.last_error)
    else:
        sms_dispatch_on_commit(message_ids=[message.pk])
    return message


@transaction.atomic
def sms_resend(*, message_ids: Iterable[int], actor: User | None, reason: str = "resent by an administrator") -> dict:
    """Put FAILED messages back in the queue with a fresh count of attempts; they are sent after commit.

    Only FAILED messages to a valid number are resent: a SENT or DELIVERED one would reach the person twice.
    Answers `{"queued": [...ids], "skipped": {id: why}}`."""
    now = timezone.now()
    queued, skipped = [], {}
    messages = SmsMessage.objects.select_for_update().filter(pk__in=list(message_ids)).order_by("pk")
    for message in messages:
        if message.status != SmsMessage.Status.FAILED:
            skipped[message.pk] = f"{message.status}, not FAILED"
            continue
        if mobile_normalize(message.to) is None:
            skipped[message.pk] = MOBILE_NUMBER_RULE
            continue
        message.status = SmsMessage.Status.QUEUED
        message.attempts = 0
        message.next_attempt_at = now
        message.failed_at = None
        message.provider_message_id = ""
        message.save(
            update_fields=["status", "attempts", "next_attempt_at", "failed_at", "provider_message_id", "updated_at"]
        )
        audit_record(
            actor=actor,
            entity=message,
            action="SMS_RESEND",
            from_state=SmsMessage.Status.FAILED,
            to_state=SmsMessage.Status.QUEUED,
            reason=reason,
            data={"previousError": message.last_error},
        )
        queued.append(message.pk)
    if queued:
        sms_dispatch_on_commit(message_ids=queued)
    return {"queued": queued, "skipped": skipped}


def _insert_unless_event_known(message: SmsMessage) -> bool:
    """INSERT … ON CONFLICT (event_key) DO NOTHING: True with the row written and its id set, False when the event
    already has its message (a concurrent writer of the same key is waited for, as on the unique index)."""
    # The connection itself, not the `django.db.connection` proxy that looks it up on every attribute: 18 fields.
    db = transaction.get_connection()
    values = [field.get_db_prep_save(field.pre_save(message, add=True), db) for field in _INSERTED_FIELDS]
    with db.cursor() as cursor:
        cursor.execute(_INSERT_UNLESS_EVENT_KNOWN_SQL, values)
        row = cursor.fetchone()
    if row is None:
        return False
    message.pk = row[0]
    message._state.adding = False
    message._state.db = db.alias
    return True


_INSERTED_FIELDS = [field for field in SmsMessage._meta.concrete_fields if not field.primary_key]
_INSERTED_COLUMNS = ", ".join(f'"{field.column}"' for field in _INSERTED_FIELDS)
# The ORM offers ON CONFLICT DO NOTHING only without returning the new id (PostgreSQL and SQLite 3.35+ do).
# Every name in it is the model's own, none comes from outside.
_INSERT_UNLESS_EVENT_KNOWN_SQL = (
    f'INSERT INTO "{SmsMessage._meta.db_table}" ({_INSERTED_COLUMNS}) '  # noqa: S608
    f"VALUES ({', '.join(['%s'] * len(_INSERTED_FIELDS))}) "
    'ON CONFLICT ("event_key") DO NOTHING RETURNING "id"'
)


def _event_key_check(event_key: str) -> None:
    if (
        not isinstance(event_key, str)
        or not event_key.strip()
        or len(event_key) > EVENT_KEY_MAX_LENGTH
        or not event_key.isprintable()
    ):
        raise ApplicationError(
            "SMS_EVENT_KEY_INVALID",
            f"event_key: 1 to {EVENT_KEY_MAX_LENGTH} printable characters naming the event",
            field="event_key",
        )
