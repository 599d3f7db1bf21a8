"""Sending the outbox: one Celery task per message, queued on commit, and a sweep for what the tasks missed.

An attempt claims its message in a short transaction (row lock, status re-checked, attempt counted, claim
recorded in `next_attempt_at`), calls the provider with no transaction open, then records the answer under
the lock again. So a SENT message is never sent again, a duplicate task finds nothing to do, and a worker
that dies mid-attempt frees its message when the claim runs out. A gateway that accepted a message but whose
answer was lost (timeout, crash before the record) may get it again on the next attempt: gateways receive
Kosh's reference (`KOSH-SMS-<id>`) and may use it to drop the repeat."""

import logging
import random
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from core.services.audit import audit_record
from notifications.models import SmsMessage
from notifications.phones import MOBILE_NUMBER_PATTERN, MOBILE_NUMBER_RULE, mobile_mask, mobile_normalize
from notifications.providers import OutgoingSms, SmsConfigurationError, SmsSendError, provider_get
from notifications.services.rate_limit import rate_slot_acquire

logger = logging.getLogger("notifications.sending")

# A retry's task may arrive a little before its time (clocks of two machines): it still counts as due.
CLAIM_TOLERANCE = timedelta(seconds=1)
# How long an attempt waits for a rate-limit slot before handing the message back to Celery for a second.
RATE_WAIT_SECONDS = 2.0
RATE_DEFER_SECONDS = 1.0
# Publishing a task: one quick retry, so a caller's commit is not held up by a broker that is down.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# After a failed publish, this process stops trying the broker for a while: the sweep covers the messages.
BROKER_PAUSE_SECONDS = 5.0
SWEEP_BATCH = 500
SWEEP_MAX_BATCHES = 40
ERROR_MAX_LENGTH = 2000

_jitter = random.SystemRandom()
_broker_paused_until = 0.0


@dataclass(frozen=True)
class SmsSendOutcome:
    """What one call of `sms_send` did. `retry_in`: seconds until the next attempt should run, when one is due."""

    message_id: int
    status: str | None  # None: no such message, or another worker holds it
    sent: bool = False
    retry_in: float | None = None


def sms_reference(*, message_id: int) -> str:
    """Kosh's id for a message as gateways see it."""
    return f"KOSH-SMS-{message_id}"


def sms_retry_delay(*, attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: doubling from the base, capped, and up to a fifth
    shorter at random so the messages one outage failed together do not all come back together."""
    base = settings.KOSH_SMS_RETRY_BASE_SECONDS
    delay = min(settings.KOSH_SMS_RETRY_MAX_SECONDS, base * 2 ** min(max(attempts - 1, 0), 32))
    return delay * (1 - 0.2 * _jitter.random())


# --- Queueing -------------------------------------------------------------------------------------


def sms_dispatch(*, message_ids: list[int]) -> int:
    """Queue one send task per message; answers how many were queued.

    Called after commit. When the broker cannot be reached the rest stay QUEUED in the outbox and the sweep
    sends them later: the error is logged, never raised into the caller whose transaction already committed."""
    global _broker_paused_until
    from notifications.tasks import sms_send_task

    eager = sms_send_task.app.conf.task_always_eager
    if not eager and time.monotonic() < _broker_paused_until:
        logger.warning("SMS broker paused after a failure: %d message(s) left QUEUED for the sweep", len(message_ids))
        return 0
    for queued, message_id in enumerate(message_ids):
        try:
            sms_send_task.apply_async(kwargs={"message_id": message_id}, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
        except (BrokerError, OSError) as exc:
            if eager:
                raise
            _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
            logger.warning(
                "SMS broker unreachable (%s): %d message(s) left QUEUED for the sweep",
                type(exc).__name__,
                len(message_ids) - queued,
            )
            return queued
    return len(message_ids)


def sms_dispatch_resume() -> None:
    """Forget an earlier broker failure in this process, so the next dispatch tries the broker at once."""
    global _broker_paused_until
    _broker_paused_until = 0.0


def sms_dispatch_on_commit(*, message_ids: list[int]) -> None:
    transaction.on_commit(partial(sms_dispatch, message_ids=list(message_ids)))


# --- One attempt ----------------------------------------------------------------------------------


def sms_send(*, message_id: int) -> SmsSendOutcome:
    """Make one attempt at a QUEUED message that is due, through the configured provider."""
    try:
        provider = provider_get()
        problems = provider.problems()
    except SmsConfigurationError as exc:
        problems = [str(exc)]
    if problems:
        # A configuration mistake costs no attempts: the message waits, and the sweep tries again once it is fixed.
        logger.error("SMS %s not sent, the provider is misconfigured: %s", message_id, "; ".join(problems))
        return SmsSendOutcome(message_id=message_id, status=SmsMessage.Status.QUEUED)
    if not rate_slot_acquire(
        provider=provider.name, per_second=settings.KOSH_SMS_RATE_PER_SECOND, max_wait=RATE_WAIT_SECONDS
    ):
        return SmsSendOutcome(message_id=message_id, status=SmsMessage.Status.QUEUED, retry_in=RATE_DEFER_SECONDS)

    claimed = _sms_claim(message_id=message_id, provider_name=provider.name)
    if isinstance(claimed, SmsSendOutcome):
        return claimed

    accepted, error = None, None
    try:
        accepted = provider.send(
            OutgoingSms(
                to=claimed.to,
                text=claimed.text,
                dlt_template_id=claimed.dlt_template_id,
                reference=sms_reference(message_id=claimed.pk),
            )
        )
    except SmsSendError as exc:
        error = exc
    except SmsConfigurationError as exc:
        error = SmsSendError(f"the provider is misconfigured: {exc}", retryable=True)
    except Exception as exc:
        logger.exception("SMS %s: the provider %s raised unexpectedly", claimed.pk, provider.name)
        error = SmsSendError(f"unexpected error in the provider ({type(exc).__name__})", retryable=True)
    return _sms_attempt_record(message=claimed, accepted=accepted, error=error)


def _sms_claim(*, message_id: int, provider_name: str) -> "_Claimed | SmsSendOutcome":
    """Take the message for one attempt, or say why not.

    One conditional UPDATE … RETURNING: it locks the row, re-checks under that lock that the message is still
    QUEUED, due, has attempts left and a mobile number, and answers what the attempt sends. Of two workers holding
    the same id exactly one takes it: the other waits for the first to commit, then finds the claim moved
    `next_attempt_at` into the future. Anything else is sorted out under an explicit row lock, off the hot path."""
    now = timezone.now()
    db = transaction.get_connection()
    with db.cursor() as cursor:
        cursor.execute(
            _CLAIM_SQL.format(to_matches=db.operators["regex"] % "%(mobile_pattern)s"),
            {
                "id": message_id,
                "due_by": db.ops.adapt_datetimefield_value(now + CLAIM_TOLERANCE),
                "max_attempts": settings.KOSH_SMS_MAX_ATTEMPTS,
                "mobile_pattern": MOBILE_NUMBER_PATTERN,
                "claim_until": db.ops.adapt_datetimefield_value(
                    now + timedelta(seconds=settings.KOSH_SMS_CLAIM_SECONDS)
                ),
                "provider": provider_name,
                "now": db.ops.adapt_datetimefield_value(now),
            },
        )
        row = cursor.fetchone()
    if row is None:
        return _sms_claim_refused(message_id=message_id)
    to, text, dlt_template_id, attempts = row
    return _Claimed(
        pk=message_id, to=to, text=text, dlt_template_id=dlt_template_id, attempts=attempts, provider=provider_name
    )


@dataclass(frozen=True)
class _Claimed:
    """What one attempt needs of the message it claimed."""

    pk: int
    to: str
    text: str
    dlt_template_id: str
    attempts: int
    provider: str


# The claim and the SENT record run once per SMS, and building them through the ORM cost more CPU than the
# database spent on them: written as SQL (PostgreSQL and SQLite 3.35+ both return the updated row). Times are
# passed as the database stores them (SQLite keeps naive UTC text).
_CLAIM_SQL = (
    'UPDATE "notifications_smsmessage" SET "attempts" = "attempts" + 1, "next_attempt_at" = %(claim_until)s, '
    '"provider" = %(provider)s, "updated_at" = %(now)s '
    'WHERE "id" = %(id)s AND "status" = \'QUEUED\' AND "next_attempt_at" <= %(due_by)s '
    'AND "attempts" < %(max_attempts)s AND "to" {to_matches} '
    'RETURNING "to", "text", "dlt_template_id", "attempts"'
)
_SENT_SQL = (
    'UPDATE "notifications_smsmessage" SET "status" = \'SENT\', "sent_at" = %(now)s, "next_attempt_at" = NULL, '
    '"provider_message_id" = %(provider_message_id)s, "updated_at" = %(now)s '
    'WHERE "id" = %(id)s AND "status" = \'QUEUED\''
)


@transaction.atomic
def _sms_claim_refused(*, message_id: int) -> SmsSendOutcome:
    """Why a message could not be taken; fails it when it never can be."""
    now = timezone.now()
    message = SmsMessage.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
    if message is None or message.status != SmsMessage.Status.QUEUED:
        # Gone, held by another worker, or already SENT/DELIVERED/FAILED: a SENT message is never sent again.
        return SmsSendOutcome(message_id=message_id, status=message.status if message else None)
    if mobile_normalize(message.to) is None:
        _sms_fail(message, reason=f"to: {MOBILE_NUMBER_RULE}", now=now)
    elif message.attempts >= settings.KOSH_SMS_MAX_ATTEMPTS and message.next_attempt_at <= now:
        # Only when the last attempt's worker stopped before recording its answer.
        _sms_fail(
            message,
            reason=f"gave up after {message.attempts} attempts; the last one never reported back. "
            f"Last error: {message.last_error or 'none'}",
            now=now,
        )
    # Otherwise another attempt is in flight, or the backoff has not run out: its own task or the sweep will come.
    return SmsSendOutcome(message_id=message_id, status=message.status)


def _sms_attempt_record(*, message: _Claimed, accepted, error: SmsSendError | None) -> SmsSendOutcome:
    if accepted is not None:
        recorded = _sms_sent_record(message=message, provider_message_id=accepted.provider_message_id)
        if recorded is not None:
            return recorded
    return _sms_attempt_record_locked(message_id=message.pk, accepted=accepted, error=error)


def _sms_sent_record(*, message: _Claimed, provider_message_id: str) -> SmsSendOutcome | None:
    """QUEUED → SENT in one conditional UPDATE (the status re-checked under the row lock); None when the message is
    no longer QUEUED. The row itself is the record of the sending (when, through which provider, its id there, after
    how many attempts), so the hot path writes nothing else; failures are audited."""
    db = transaction.get_connection()
    with db.cursor() as cursor:
        cursor.execute(
            _SENT_SQL,
            {
                "id": message.pk,
                "now": db.ops.adapt_datetimefield_value(timezone.now()),
                "provider_message_id": provider_message_id,
            },
        )
        if not cursor.rowcount:
            return None
    logger.info(
        "SMS %s to %s sent via %s on attempt %d",
        message.pk,
        mobile_mask(message.to),
        message.provider,
        message.attempts,
    )
    return SmsSendOutcome(message_id=message.pk, status=SmsMessage.Status.SENT, sent=True)


@transaction.atomic
def _sms_attempt_record_locked(*, message_id: int, accepted, error: SmsSendError | None) -> SmsSendOutcome:
    now = timezone.now()
    message = SmsMessage.objects.select_for_update().get(pk=message_id)
    if message.status != SmsMessage.Status.QUEUED or accepted is not None:
        logger.warning(
            "SMS %s became %s during attempt %d; the attempt's answer (%s) is not recorded",
            message.pk,
            message.status,
            message.attempts,
            "accepted" if accepted else "refused",
        )
        return SmsSendOutcome(message_id=message_id, status=message.status, sent=accepted is not None)

    message.last_error = error.message[:ERROR_MAX_LENGTH]
    max_attempts = settings.KOSH_SMS_MAX_ATTEMPTS
    if error.retryable and message.attempts < max_attempts:
        delay = sms_retry_delay(attempts=message.attempts)
        message.next_attempt_at = now + timedelta(seconds=delay)
        message.save(update_fields=["last_error", "next_attempt_at", "updated_at"])
        logger.warning(
            "SMS %s attempt %d of %d via %s failed, next in %.0f s: %s",
            message.pk,
            message.attempts,
            max_attempts,
            message.provider,
            delay,
            message.last_error,
        )
        return SmsSendOutcome(message_id=message_id, status=message.status, retry_in=delay)

    if error.retryable:
        reason = f"gave up after {message.attempts} attempts; last error: {error.message}"
    else:
        reason = f"refused by {message.provider}: {error.message}"
    _sms_fail(message, reason=reason, now=now)
    return SmsSendOutcome(message_id=message_id, status=message.status)


def _sms_fail(message: SmsMessage, *, reason: str, now) -> None:
    """QUEUED → FAILED with the reason, under the caller's lock."""
    from_state = message.status
    message.status = SmsMessage.Status.FAILED
    message.failed_at = now
    message.next_attempt_at = None
    message.last_error = reason[:ERROR_MAX_LENGTH]
    message.save(update_fields=["status", "failed_at", "next_attempt_at", "last_error", "updated_at"])
    audit_record(
        actor=None,
        entity=message,
        action="SMS_FAILED",
        from_state=from_state,
        to_state=SmsMessage.Status.FAILED,
        reason=message.last_error,
        data={"attempts": message.attempts, "provider": message.provider},
    )
    logger.warning("SMS %s to %s FAILED: %s", message.pk, mobile_mask(message.to), message.last_error)


# --- The sweep ------------------------------------------------------------------------------------


def sms_sweep() -> int:
    """Queue a task for every QUEUED message overdue by more than the grace period: its task never ran (the
    broker was down when it was enqueued), or its retry's task was lost. Answers how many were queued again.

    Rows are claimed with SELECT … FOR UPDATE SKIP LOCKED, so two sweeps never take the same message, and the
    claim moves `next_attempt_at` to now, so the next sweep leaves them to the tasks just queued."""
    total = 0
    for _batch in range(SWEEP_MAX_BATCHES):
        taken = _sms_sweep_batch()
        total += taken
        if taken < SWEEP_BATCH:
            break
    if total:
        logger.info("SMS sweep queued %d overdue message(s) again", total)
    return total


@transaction.atomic
def _sms_sweep_batch() -> int:
    now = timezone.now()
    overdue = now - timedelta(seconds=settings.KOSH_SMS_SWEEP_GRACE_SECONDS)
    message_ids = list(
        SmsMessage.objects.select_for_update(skip_locked=True)
        .filter(status=SmsMessage.Status.QUEUED, next_attempt_at__lte=overdue)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    if message_ids:
        SmsMessage.objects.filter(pk__in=message_ids).update(next_attempt_at=now, updated_at=now)
        sms_dispatch_on_commit(message_ids=message_ids)
    return len(message_ids)
