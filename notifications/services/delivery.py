"""Delivery reports: a gateway's word that a SENT message reached the phone, or did not."""

import logging

from django.db import transaction
from django.utils import timezone

from core.errors import NotFoundError
from core.services.audit import audit_record
from notifications.models import SmsMessage
from notifications.providers import DeliveryReport

logger = logging.getLogger("notifications.delivery")

UNCHANGED = "UNCHANGED"
UPDATED = "UPDATED"
IGNORED = "IGNORED"


@transaction.atomic
def sms_delivery_report_record(*, provider: str, report: DeliveryReport) -> str:
    """Apply a delivery report to the message(s) the provider knows by that id: SENT → DELIVERED or FAILED.

    Answers UPDATED, UNCHANGED (a repeated report, or one that contradicts a final status: the first report
    stands) or IGNORED (an interim status such as SUBMITTED). Raises NotFoundError when no message has the id."""
    messages = list(
        SmsMessage.objects.select_for_update()
        .filter(provider=provider, provider_message_id=report.provider_message_id)
        .order_by("pk")
    )
    if not messages:
        raise NotFoundError(
            "SMS_NOT_FOUND",
            f"messageId: no SMS sent through {provider} has id '{report.provider_message_id}'",
            field="messageId",
        )
    if report.status is None:
        return IGNORED
    now = timezone.now()
    outcome = UNCHANGED
    for message in messages:
        if message.status != SmsMessage.Status.SENT:
            if message.status != report.status:
                logger.info(
                    "SMS %s is %s; delivery report '%s' from %s left it so",
                    message.pk,
                    message.status,
                    report.raw_status,
                    provider,
                )
            continue
        message.status = report.status
        fields = ["status", "updated_at"]
        if report.status == SmsMessage.Status.DELIVERED:
            message.delivered_at = now
            fields.append("delivered_at")
        else:
            message.failed_at = now
            message.last_error = f"delivery report {report.raw_status}: {report.error or 'no reason given'}"[:2000]
            fields += ["failed_at", "last_error"]
        message.save(update_fields=fields)
        audit_record(
            actor=None,
            entity=message,
            action="SMS_DELIVERY_REPORT",
            from_state=SmsMessage.Status.SENT,
            to_state=message.status,
            reason=f"{provider} reported {report.raw_status}" + (f": {report.error}" if report.error else ""),
        )
        outcome = UPDATED
    return outcome
