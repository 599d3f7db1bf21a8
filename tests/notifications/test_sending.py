from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from notifications.models import SmsMessage
from notifications.services import sms_enqueue, sms_retry_delay, sms_send
from notifications.services.sending import sms_reference
from tests.notifications.factories import SmsMessageFactory


def enqueue_jit_failed(event_key="jit:FTFPS:PI-1:BEN-1:failed"):
    return sms_enqueue(
        template="JIT_PAYMENT_FAILED",
        to="9876543210",
        context={"amount": Decimal("1500.00"), "UTRNO": "SBIN0000123"},
        event_key=event_key,
        tenant="od.angul",
    )


@pytest.mark.django_db
def test_a_sent_message_is_never_sent_again(tenants):
    # given
    message = SmsMessageFactory()
    first = sms_send(message_id=message.pk)

    # when
    again = sms_send(message_id=message.pk)

    # then
    message.refresh_from_db()
    assert first.sent is True
    assert again.sent is False
    assert again.status == SmsMessage.Status.SENT
    assert message.attempts == 1


def test_gateway_answers_500_twice_then_200_and_the_message_is_sent_after_three_attempts(
    tenants, sms_templates, sms_gateway, retries_at_once
):
    # given: the gateway will refuse the next two messages with HTTP 500
    sms_gateway.control(failNext=2, failStatus=500)

    # when: the message is enqueued and committed (its task runs, and retries, in-process)
    message = enqueue_jit_failed()

    # then
    message.refresh_from_db()
    received = sms_gateway.messages(reference=sms_reference(message_id=message.pk))
    assert message.status == SmsMessage.Status.SENT
    assert message.attempts == 3
    assert "HTTP 500" in message.last_error
    assert len(received) == 1
    assert received[0]["to"] == "9876543210"
    assert received[0]["text"] == message.text
    assert message.provider == "simulator"
    assert message.provider_message_id == received[0]["messageId"]


def test_gateway_down_past_the_attempt_limit_fails_the_message_with_the_last_error(
    tenants, sms_templates, sms_gateway, retries_at_once, settings
):
    # given: a gateway that answers 503 to everything, and three attempts allowed
    settings.KOSH_SMS_MAX_ATTEMPTS = 3
    sms_gateway.control(failAlways=True, failStatus=503)

    # when
    message = enqueue_jit_failed()

    # then
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.FAILED
    assert message.attempts == 3
    assert message.last_error.startswith("gave up after 3 attempts")
    assert "HTTP 503" in message.last_error
    assert "simulated gateway outage" in message.last_error
    assert message.failed_at is not None
    assert message.next_attempt_at is None
    assert sms_gateway.messages() == []


def test_a_refusal_that_cannot_change_fails_the_message_at_once(tenants, sms_templates, sms_gateway, retries_at_once):
    # given: the gateway refuses the next message as a bad request
    sms_gateway.control(failNext=1, failStatus=400)

    # when
    message = enqueue_jit_failed()

    # then
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.FAILED
    assert message.attempts == 1
    assert message.last_error.startswith("refused by simulator: HTTP 400")


@pytest.mark.django_db
def test_an_unreachable_gateway_costs_an_attempt_and_the_next_waits_for_the_backoff(tenants, settings):
    # given: the simulator provider pointed at a port nobody listens on
    settings.KOSH_SMS_PROVIDER = "simulator"
    settings.KOSH_SMS_SIMULATOR = {**settings.KOSH_SMS_SIMULATOR, "URL": "http://127.0.0.1:1/simulators/sms/send"}
    message = SmsMessageFactory()
    before = timezone.now()

    # when
    outcome = sms_send(message_id=message.pk)

    # then: 30 s base backoff, up to a fifth shorter
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.QUEUED
    assert message.attempts == 1
    assert "could not be reached" in message.last_error
    assert before + timedelta(seconds=23) < message.next_attempt_at < timezone.now() + timedelta(seconds=31)
    assert 24 <= outcome.retry_in <= 30


@pytest.mark.parametrize(("attempts", "low", "high"), [(1, 24, 30), (2, 48, 60), (3, 96, 120), (4, 160, 200)])
def test_the_wait_after_each_failed_attempt_doubles_up_to_the_cap(settings, attempts, low, high):
    settings.KOSH_SMS_RETRY_BASE_SECONDS = 30.0
    settings.KOSH_SMS_RETRY_MAX_SECONDS = 200.0

    assert low <= sms_retry_delay(attempts=attempts) <= high


@pytest.mark.django_db
def test_a_message_whose_backoff_has_not_run_out_is_left_alone(tenants):
    message = SmsMessageFactory(attempts=1, next_attempt_at=timezone.now() + timedelta(minutes=5))

    outcome = sms_send(message_id=message.pk)

    message.refresh_from_db()
    assert outcome.sent is False
    assert message.status == SmsMessage.Status.QUEUED
    assert message.attempts == 1


@pytest.mark.django_db
def test_the_last_attempt_that_never_reported_back_fails_the_message(tenants, settings):
    # given: every attempt used, the last one's worker stopped before recording its answer
    settings.KOSH_SMS_MAX_ATTEMPTS = 3
    message = SmsMessageFactory(attempts=3, last_error="HTTP 502 from the gateway: bad gateway")

    # when
    sms_send(message_id=message.pk)

    # then
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.FAILED
    assert "never reported back" in message.last_error
    assert "HTTP 502" in message.last_error


@pytest.mark.django_db
def test_a_misconfigured_provider_costs_no_attempt(tenants, settings):
    settings.KOSH_SMS_PROVIDER = "http"
    settings.KOSH_SMS_HTTP = {**settings.KOSH_SMS_HTTP, "URL": ""}
    message = SmsMessageFactory()

    outcome = sms_send(message_id=message.pk)

    message.refresh_from_db()
    assert outcome.sent is False
    assert message.status == SmsMessage.Status.QUEUED
    assert message.attempts == 0


@pytest.mark.django_db
def test_a_stored_number_that_is_not_a_mobile_number_fails_at_sending(tenants):
    message = SmsMessageFactory(to="12345")

    sms_send(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == SmsMessage.Status.FAILED
    assert message.attempts == 0


@pytest.mark.django_db
def test_sending_a_message_that_does_not_exist_does_nothing():
    outcome = sms_send(message_id=987654)

    assert (outcome.status, outcome.sent, outcome.retry_in) == (None, False, None)


def test_the_gateway_gets_the_text_and_dlt_id_of_the_message(tenants, sms_gateway):
    message = SmsMessageFactory(text="Rs. {amount} literally", dlt_template_id="1107160000000099999")

    sms_send(message_id=message.pk)

    received = sms_gateway.messages()
    assert len(received) == 1
    assert received[0]["text"] == "Rs. {amount} literally"
    assert received[0]["dltTemplateId"] == "1107160000000099999"
    assert received[0]["sender"] == "KOSHGV"
    assert received[0]["reference"] == f"KOSH-SMS-{message.pk}"
