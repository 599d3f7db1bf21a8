import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from notifications.models import SmsMessage
from notifications.services import sms_send, sms_sweep
from notifications.tasks import sms_sweep_task
from tests.notifications.factories import SmsMessageFactory


def minutes_ago(minutes):
    return timezone.now() - timedelta(minutes=minutes)


@pytest.mark.django_db
def test_the_sweep_sends_a_message_whose_task_never_ran(tenants, django_capture_on_commit_callbacks):
    # given: queued two minutes ago, never attempted
    message = SmsMessageFactory(next_attempt_at=minutes_ago(2))

    # when
    with django_capture_on_commit_callbacks(execute=True):
        taken = sms_sweep()

    # then
    message.refresh_from_db()
    assert taken == 1
    assert message.status == SmsMessage.Status.SENT
    assert message.attempts == 1


@pytest.mark.django_db
def test_the_sweep_sends_a_retry_whose_task_was_lost(tenants, django_capture_on_commit_callbacks):
    message = SmsMessageFactory(attempts=2, last_error="HTTP 500", next_attempt_at=minutes_ago(5))

    with django_capture_on_commit_callbacks(execute=True):
        sms_sweep()

    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT
    assert message.attempts == 3


@pytest.mark.django_db
def test_the_sweep_leaves_a_fresh_message_to_its_own_task(tenants, django_capture_on_commit_callbacks):
    message = SmsMessageFactory(next_attempt_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        taken = sms_sweep()

    message.refresh_from_db()
    assert taken == 0
    assert callbacks == []
    assert (message.status, message.attempts) == (SmsMessage.Status.QUEUED, 0)


@pytest.mark.django_db
def test_the_sweep_leaves_sent_failed_and_waiting_messages_alone(tenants, django_capture_on_commit_callbacks):
    SmsMessageFactory(status=SmsMessage.Status.SENT, sent_at=minutes_ago(9), next_attempt_at=None, attempts=1)
    SmsMessageFactory(
        status=SmsMessage.Status.FAILED, failed_at=minutes_ago(9), last_error="x", next_attempt_at=None, attempts=6
    )
    SmsMessageFactory(attempts=1, next_attempt_at=timezone.now() + timedelta(minutes=10))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        taken = sms_sweep()

    assert taken == 0
    assert callbacks == []
    assert SmsMessage.objects.filter(attempts__gt=1).count() == 1


@pytest.mark.django_db
def test_the_sweep_moves_what_it_took_out_of_the_next_sweep_s_way(tenants, django_capture_on_commit_callbacks):
    # given: a message the sweep takes, whose task has not run yet
    message = SmsMessageFactory(next_attempt_at=minutes_ago(2))
    with django_capture_on_commit_callbacks(execute=False):
        sms_sweep()

    # when: the next sweep runs
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        taken = sms_sweep()

    # then
    message.refresh_from_db()
    assert taken == 0
    assert callbacks == []
    assert message.next_attempt_at > minutes_ago(1)


@pytest.mark.django_db
def test_the_scheduled_task_runs_the_sweep(tenants, django_capture_on_commit_callbacks):
    message = SmsMessageFactory(next_attempt_at=minutes_ago(2))

    with django_capture_on_commit_callbacks(execute=True):
        taken = sms_sweep_task.delay().get()

    message.refresh_from_db()
    assert taken == 1
    assert message.status == SmsMessage.Status.SENT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_take_the_same_message(tenants):
    # given: two overdue messages, one of them held by another worker's open transaction
    held, free = SmsMessageFactory(next_attempt_at=minutes_ago(3)), SmsMessageFactory(next_attempt_at=minutes_ago(3))
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                SmsMessage.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert locked.wait(30)

    # when: this worker sweeps
    try:
        taken = sms_sweep()
    finally:
        release.set()
        thread.join(30)

    # then: it took only the free message, and sent it; the held one is still overdue for its holder
    held.refresh_from_db()
    free.refresh_from_db()
    assert taken == 1
    assert free.status == SmsMessage.Status.SENT
    assert held.status == SmsMessage.Status.QUEUED
    assert held.attempts == 0
    assert held.next_attempt_at < minutes_ago(2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_attempt_at_a_message_another_worker_is_claiming_waits_and_then_leaves_it(tenants):
    # given: another worker has claimed the message and not committed yet
    message = SmsMessageFactory()
    claimed, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                SmsMessage.objects.filter(pk=message.pk).update(
                    attempts=F("attempts") + 1, next_attempt_at=timezone.now() + timedelta(minutes=2)
                )
                claimed.set()
                release.wait(30)
        finally:
            connection.close()

    outcomes = []

    def this_worker():
        try:
            outcomes.append(sms_send(message_id=message.pk))
        finally:
            connection.close()

    other = threading.Thread(target=other_worker)
    other.start()
    assert claimed.wait(30)

    # when: this worker attempts the same message, waits on the row, and the other commits its claim
    this = threading.Thread(target=this_worker)
    this.start()
    _wait_for_a_lock_wait()
    release.set()
    other.join(30)
    this.join(30)

    # then: only the other worker's attempt counts, and this one sent nothing
    message.refresh_from_db()
    assert outcomes[0].sent is False
    assert message.attempts == 1
    assert message.status == SmsMessage.Status.QUEUED


def _wait_for_a_lock_wait():
    with connection.cursor() as cursor:
        for _ in range(300):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            threading.Event().wait(0.1)
    raise AssertionError("the attempt never waited on the other worker's claim")
