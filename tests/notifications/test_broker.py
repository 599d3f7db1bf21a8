"""The broker being down must never cost a caller its commit, nor an SMS."""

from decimal import Decimal

import pytest
from django.db import transaction

from config.celery import app
from core.models import Tenant
from notifications.models import SmsMessage
from notifications.services import sms_dispatch_resume, sms_enqueue, sms_sweep
from notifications.services.sending import sms_reference

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def _broker_use(url: str) -> None:
    """Point the Celery app at `url`, dropping the connections it pooled for the old broker."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_unreachable():
    """Celery publishing for real (not eagerly) to a broker nobody answers, until the test restores it."""
    original = app.conf.broker_url

    def restore():
        _broker_use(original)
        app.conf.task_always_eager = True
        sms_dispatch_resume()

    app.conf.task_always_eager = False
    _broker_use(UNREACHABLE_BROKER)
    yield restore
    restore()


def test_broker_unavailable_when_enqueuing_the_caller_commits_and_the_sweep_sends_later(
    tenants, sms_templates, sms_gateway, broker_unreachable, settings
):
    # given: the broker is down
    # when: a caller enqueues an SMS in its transaction, beside its own work
    with transaction.atomic():
        Tenant.objects.create(code="od.puri", name="Puri", state=tenants["od"])
        message = sms_enqueue(
            template="JIT_PAYMENT_SUCCESSFUL",
            to="9876543210",
            context={"amount": Decimal("2500.00"), "UTRNO": "UTR000777"},
            event_key="jit:PD:PI-9:BEN-3:successful",
            tenant="od.angul",
        )

    # then: the caller's work committed, and the message waits in the outbox
    assert Tenant.objects.filter(code="od.puri").exists()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsMessage.Status.QUEUED, 0)
    assert sms_gateway.messages() == []

    # when: the broker is back and the sweep runs (the grace period having passed)
    broker_unreachable()
    settings.KOSH_SMS_SWEEP_GRACE_SECONDS = 0
    taken = sms_sweep()
    again = sms_sweep()

    # then: sent exactly once
    message.refresh_from_db()
    assert (taken, again) == (1, 0)
    assert message.status == SmsMessage.Status.SENT
    assert message.attempts == 1
    assert len(sms_gateway.messages(reference=sms_reference(message_id=message.pk))) == 1
    assert len(sms_gateway.messages()) == 1
