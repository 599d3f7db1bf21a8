"""The SMS gateway simulator's behaviour: accept and record messages, fail or dawdle when told to, and post
delivery reports back to Kosh's webhook."""

import time
import uuid
from dataclasses import dataclass

import requests
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from simulators.models import SmsGatewayControl, SmsGatewayMessage

CONTROL_PK = 1


@dataclass(frozen=True)
class GatewayRefusal:
    status: int
    error: str


def sms_gateway_control_get() -> SmsGatewayControl:
    """The controls in force (the defaults when none were ever set)."""
    return SmsGatewayControl.objects.filter(pk=CONTROL_PK).first() or SmsGatewayControl(pk=CONTROL_PK)


@transaction.atomic
def sms_gateway_control_set(
    *,
    fail_next: int | None = None,
    fail_always: bool | None = None,
    fail_status: int | None = None,
    delay_ms: int | None = None,
) -> SmsGatewayControl:
    control, _ = SmsGatewayControl.objects.select_for_update().get_or_create(pk=CONTROL_PK)
    if fail_next is not None:
        control.fail_next = fail_next
    if fail_always is not None:
        control.fail_always = fail_always
    if fail_status is not None:
        control.fail_status = fail_status
    if delay_ms is not None:
        control.delay_ms = delay_ms
    control.full_clean()
    control.save()
    return control


@transaction.atomic
def sms_gateway_reset() -> None:
    """Forget every recorded message and every control."""
    SmsGatewayMessage.objects.all().delete()
    SmsGatewayControl.objects.all().delete()


def sms_gateway_accept(
    *, to: str, text: str, sender: str = "", dlt_template_id: str = "", reference: str = ""
) -> SmsGatewayMessage | GatewayRefusal:
    """Take one message as a gateway would, unless the controls say to fail."""
    message = SmsGatewayMessage(
        message_id=f"SIM-{uuid.uuid4().hex[:24]}",
        to=to,
        text=text,
        sender=sender[:20],
        dlt_template_id=dlt_template_id[:30],
        reference=reference[:100],
        status=SmsGatewayMessage.Status.ACCEPTED,
        received_at=timezone.now(),
    )
    if _sms_gateway_record_unless_controlled(message):
        return message
    control = sms_gateway_control_get()
    if control.delay_ms:
        time.sleep(control.delay_ms / 1000)
    if control.fail_always:
        return GatewayRefusal(control.fail_status, "simulated gateway outage")
    # Counted down in one UPDATE, so concurrent requests in several processes fail exactly `fail_next` times.
    if control.fail_next and SmsGatewayControl.objects.filter(pk=CONTROL_PK, fail_next__gt=0).update(
        fail_next=F("fail_next") - 1
    ):
        return GatewayRefusal(control.fail_status, "simulated gateway failure")
    message.save(force_insert=True)
    return message


def _sms_gateway_record_unless_controlled(message: SmsGatewayMessage) -> bool:
    """Record the message in one statement when no control is set (no delay, no failure to simulate); False, and
    nothing recorded, when one is. Benchmarks send thousands of messages through here: reading the controls and
    inserting through the ORM cost the simulator more CPU than Kosh's own work per message."""
    with connection.cursor() as cursor:
        cursor.execute(
            _RECORD_UNLESS_CONTROLLED_SQL,
            {
                "message_id": message.message_id,
                "to": message.to,
                "text": message.text,
                "sender": message.sender,
                "dlt_template_id": message.dlt_template_id,
                "reference": message.reference,
                "status": message.status,
                "received_at": connection.ops.adapt_datetimefield_value(message.received_at),
                "control_pk": CONTROL_PK,
            },
        )
        row = cursor.fetchone()
    if row is None:
        return False
    message.pk = row[0]
    return True


_RECORD_UNLESS_CONTROLLED_SQL = (
    'INSERT INTO "simulators_smsgatewaymessage" '
    '("message_id", "to", "text", "sender", "dlt_template_id", "reference", "status", "received_at") '
    "SELECT %(message_id)s, %(to)s, %(text)s, %(sender)s, %(dlt_template_id)s, %(reference)s, %(status)s, "
    "%(received_at)s "
    'WHERE NOT EXISTS (SELECT 1 FROM "simulators_smsgatewaycontrol" WHERE "id" = %(control_pk)s '
    'AND ("fail_always" OR "fail_next" > 0 OR "delay_ms" > 0)) '
    'RETURNING "id"'
)


def sms_gateway_report(*, message: SmsGatewayMessage, status: str, error: str, callback_url: str) -> requests.Response:
    """Mark a recorded message DELIVERED or FAILED and post the delivery report to `callback_url`, as a gateway
    does, with the shared secret Kosh expects from the simulator."""
    message.status = status
    message.save(update_fields=["status"])
    return requests.post(
        callback_url,
        json={"messageId": message.message_id, "status": status, "error": error},
        headers={"X-Kosh-Token": settings.KOSH_SMS_SIMULATOR["DLR_TOKEN"]},
        timeout=10,
    )
