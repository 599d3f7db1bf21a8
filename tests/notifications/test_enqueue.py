import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from core.errors import ApplicationError
from core.models import AuditEvent, Tenant
from notifications.models import SmsMessage
from notifications.services import sms_enqueue

JIT_FAILED = {"amount": Decimal("1500.00"), "UTRNO": "SBIN0000123"}


def enqueue(**overrides):
    arguments = {
        "template": "JIT_PAYMENT_FAILED",
        "to": "9876543210",
        "context": JIT_FAILED,
        "event_key": "jit:FTFPS:PI-ANG/2026-27/000001:BEN-1:failed",
        "tenant": "od.angul",
    }
    arguments.update(overrides)
    return sms_enqueue(**arguments)


@pytest.mark.django_db
def test_enqueue_stores_a_queued_message_with_the_rendered_text(
    tenants, sms_templates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        message = enqueue()

    message.refresh_from_db()
    assert message.status == SmsMessage.Status.QUEUED
    assert message.attempts == 0
    assert message.to == "9876543210"
    assert message.tenant_id == "od.angul"
    assert message.template.code == "JIT_PAYMENT_FAILED"
    assert message.text.startswith("Payment of Rs. 1500.00 for MUKTA, transaction SBIN0000123 is failed.")
    assert message.event_key == "jit:FTFPS:PI-ANG/2026-27/000001:BEN-1:failed"
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_the_message_is_sent_once_the_caller_s_transaction_commits(
    tenants, sms_templates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = enqueue()
        assert SmsMessage.objects.get(pk=message.pk).status == SmsMessage.Status.QUEUED

    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT
    assert message.attempts == 1
    assert message.provider == "console"
    assert message.provider_message_id.startswith("console-")
    assert message.sent_at is not None


@pytest.mark.django_db
def test_enqueue_in_a_transaction_that_rolls_back_leaves_no_message(
    tenants, sms_templates, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue()
        raise RuntimeError("the receipt failed")

    assert SmsMessage.objects.count() == 0
    assert callbacks == []


@pytest.mark.django_db
def test_the_same_event_key_twice_makes_one_message_sent_once(
    tenants, sms_templates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        first = enqueue()
        again = enqueue(to="9999999999", context={"amount": Decimal("1.00"), "UTRNO": "OTHER"})

    assert again.pk == first.pk
    assert again.to == "9876543210"
    assert SmsMessage.objects.count() == 1
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_a_repeated_event_lets_the_caller_s_transaction_go_on(tenants, sms_templates):
    enqueue()

    with transaction.atomic():
        enqueue()
        Tenant.objects.create(code="od.puri", name="Puri", state=tenants["od"])

    assert SmsMessage.objects.count() == 1
    assert Tenant.objects.filter(code="od.puri").exists()


@pytest.mark.django_db
def test_an_invalid_number_is_stored_failed_and_the_caller_s_transaction_commits(
    tenants, sms_templates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        refused = enqueue(to="12345", event_key="jit:1:failed")
        Tenant.objects.create(code="od.puri", name="Puri", state=tenants["od"])

    refused.refresh_from_db()
    assert refused.status == SmsMessage.Status.FAILED
    assert "10 digits starting 6-9" in refused.last_error
    assert refused.to == "12345"
    assert refused.attempts == 0
    assert Tenant.objects.filter(code="od.puri").exists()
    assert callbacks == []
    assert AuditEvent.objects.filter(entity_id=str(refused.pk), action="SMS_FAILED").exists()


@pytest.mark.django_db
def test_a_number_with_plus_91_is_stored_as_ten_digits(tenants, sms_templates):
    assert enqueue(to="+919876543210").to == "9876543210"


@pytest.mark.django_db
def test_a_missing_placeholder_is_refused_naming_it(tenants, sms_templates):
    with pytest.raises(ApplicationError) as refused:
        enqueue(context={"amount": Decimal("10.00")})

    assert refused.value.field == "UTRNO"
    assert SmsMessage.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_template_is_refused(tenants, sms_templates):
    with pytest.raises(ApplicationError) as refused:
        enqueue(template="NO_SUCH_SMS")

    assert refused.value.code == "SMS_TEMPLATE_NOT_FOUND"


@pytest.mark.django_db
def test_an_unknown_tenant_is_refused(tenants, sms_templates):
    with pytest.raises(ApplicationError) as refused:
        enqueue(tenant="od.nowhere")

    assert refused.value.code == "INVALID_TENANT_ID"


@pytest.mark.django_db
def test_the_tenant_may_be_given_as_a_row(tenants, sms_templates):
    assert enqueue(tenant=tenants["od.angul"]).tenant_id == "od.angul"


@pytest.mark.django_db
def test_the_text_is_in_the_language_asked_for(tenants, sms_templates):
    message = enqueue(locale="or_IN")

    assert message.locale == "or_IN"
    assert "ବିଫଳ" in message.text
    assert "1500.00" in message.text


@pytest.mark.django_db
def test_an_unknown_language_is_refused(tenants, sms_templates):
    with pytest.raises(ApplicationError) as refused:
        enqueue(locale="xx_IN")

    assert refused.value.field == "locale"


@pytest.mark.django_db
@pytest.mark.parametrize("event_key", ["", "   ", "k" * 201, "line\nbreak"])
def test_an_unusable_event_key_is_refused(tenants, sms_templates, event_key):
    with pytest.raises(ApplicationError) as refused:
        enqueue(event_key=event_key)

    assert refused.value.field == "event_key"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_transactions_enqueuing_one_event_make_one_message(tenants, sms_templates, settings):
    # given: a first transaction has written the message and not committed yet
    written, release = threading.Event(), threading.Event()
    first: list[SmsMessage] = []

    def first_caller():
        try:
            with transaction.atomic():
                first.append(enqueue())
                written.set()
                release.wait(30)
        finally:
            connection.close()

    second: list[SmsMessage] = []

    def second_caller():
        try:
            second.append(enqueue())
        finally:
            connection.close()

    first_thread = threading.Thread(target=first_caller)
    first_thread.start()
    assert written.wait(30)

    # when: a second transaction enqueues the same event, and waits on the unique index
    second_thread = threading.Thread(target=second_caller)
    second_thread.start()
    _wait_for_a_lock_wait()
    release.set()
    first_thread.join(30)
    second_thread.join(30)

    # then: both callers got the one message
    assert SmsMessage.objects.count() == 1
    assert second[0].pk == first[0].pk


def _wait_for_a_lock_wait():
    """Until another session of this database waits on a lock (the second insert on the unique index)."""
    with connection.cursor() as cursor:
        for _ in range(300):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            threading.Event().wait(0.1)
    raise AssertionError("the second insert never waited on the first")
