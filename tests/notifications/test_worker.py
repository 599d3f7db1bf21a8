"""Through a real Celery worker and the configured broker (Redis in CI, files on a laptop)."""

import time
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from notifications.models import SmsMessage
from notifications.services import sms_enqueue
from notifications.services.sending import sms_reference


@pytest.fixture
def notifications_worker():
    """A Celery worker in a thread consuming the `notifications` queue."""
    app.conf.task_always_eager = False
    try:
        with start_worker(
            app,
            pool="solo",
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=20,
            queues=["notifications"],
        ):
            yield
    finally:
        app.conf.task_always_eager = True


def wait_until_settled(message: SmsMessage, timeout: float = 30) -> SmsMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.status != SmsMessage.Status.QUEUED:
            return message
        time.sleep(0.1)
    raise AssertionError(f"SMS {message.pk} still QUEUED after {timeout} s ({message.last_error})")


# The worker thread, the live server and the test write the outbox at once: PostgreSQL takes that; SQLite's shared
# in-memory test database answers "table is locked" instead of waiting.
@pytest.mark.postgres
def test_a_worker_retries_through_the_broker_until_the_gateway_takes_the_message(
    tenants, sms_templates, sms_gateway, settings, notifications_worker
):
    # given: a gateway that refuses twice, and no wait between attempts
    settings.KOSH_SMS_RETRY_BASE_SECONDS = 0.0
    sms_gateway.control(failNext=2, failStatus=502)

    # when
    message = sms_enqueue(
        template="COLLECTION_RECEIPT",
        to="+917012345678",
        context={
            "payer_name": "Harpreet Kaur",
            "amount": Decimal("840.00"),
            "service_name": "Water charges",
            "consumer_code": "WS/AMR/0042",
            "receipt_number": "04/2026-27/000017",
            "receipt_date": "21-11-2026",
            "ulb_name": "MC Amritsar",
        },
        event_key="collection:receipt:04/2026-27/000017",
        tenant="pb.amritsar",
        locale="pa_IN",
    )

    # then
    message = wait_until_settled(message)
    received = sms_gateway.messages(reference=sms_reference(message_id=message.pk))
    assert message.status == SmsMessage.Status.SENT
    assert message.attempts == 3
    assert len(received) == 1
    assert received[0]["to"] == "7012345678"
    assert "ਰਸੀਦ" in received[0]["text"]
