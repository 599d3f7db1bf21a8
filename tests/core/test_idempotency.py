import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from core.errors import ApplicationError
from core.models import AuditEvent, IdempotencyRecord, Tenant
from core.services.audit import audit_record
from core.services.idempotency import idempotency_run, request_digest

SCOPE = "collection.payment.create"
PAYMENT = {"tenantId": "pb.amritsar", "totalAmount": "1500.00"}


def payment_create(tenant_code: str = "pb.amritsar") -> tuple[int, dict]:
    """A money-moving operation standing in for a real one: it writes a row and answers with it."""
    event = audit_record(
        actor=None, entity=Tenant.objects.get(code=tenant_code), action="PAYMENT", data={"amount": "1500.00"}
    )
    return 201, {"eventId": event.pk, "totalAmount": Decimal("1500.00")}


def operation_not_expected() -> tuple[int, dict]:
    raise AssertionError("the operation ran for a repeated key")


# --- Digest ---------------------------------------------------------------------------------


def test_digest_ignores_key_order():
    # given the same request with its fields in two orders
    first = {"a": 1, "b": {"c": "2", "d": Decimal("3.50")}}
    second = {"b": {"d": Decimal("3.50"), "c": "2"}, "a": 1}

    # when both are fingerprinted
    # then the fingerprints match
    assert request_digest(first) == request_digest(second)


def test_digest_differs_for_a_different_amount():
    # given two requests that differ by one paisa
    # when both are fingerprinted
    # then the fingerprints differ
    assert request_digest({"totalAmount": Decimal("1500.00")}) != request_digest({"totalAmount": Decimal("1500.01")})


# --- First call and repeats -----------------------------------------------------------------


def test_first_call_runs_the_operation_and_stores_its_answer(tenants):
    # given a key never seen before
    # when a payment is made with it
    status, body, replayed = idempotency_run(
        scope=SCOPE, key="k-1", digest=request_digest(PAYMENT), operation=payment_create
    )

    # then the payment ran once and its answer is stored against the key
    assert (status, replayed) == (201, False)
    assert AuditEvent.objects.count() == 1
    record = IdempotencyRecord.objects.get(scope=SCOPE, key="k-1")
    assert record.response_status == 201
    assert record.response_body == body == {"eventId": AuditEvent.objects.get().pk, "totalAmount": "1500.00"}


def test_repeat_with_the_same_request_replays_the_first_answer_without_running_again(tenants):
    # given a payment already made with a key
    digest = request_digest(PAYMENT)
    first = idempotency_run(scope=SCOPE, key="k-1", digest=digest, operation=payment_create)

    # when the same request is sent again with the same key
    status, body, replayed = idempotency_run(scope=SCOPE, key="k-1", digest=digest, operation=operation_not_expected)

    # then the first answer comes back, marked as a replay, and nothing new was written
    assert (status, body) == first[:2]
    assert replayed is True
    assert AuditEvent.objects.count() == 1


def test_repeat_with_a_different_request_is_refused_as_a_conflict(tenants):
    # given a payment already made with a key
    idempotency_run(scope=SCOPE, key="k-1", digest=request_digest(PAYMENT), operation=payment_create)

    # when a different request is sent with the same key
    with pytest.raises(ApplicationError) as refused:
        idempotency_run(
            scope=SCOPE,
            key="k-1",
            digest=request_digest({**PAYMENT, "totalAmount": "9999.00"}),
            operation=operation_not_expected,
        )

    # then it is refused with 409, naming the header
    assert refused.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert refused.value.status_code == 409
    assert refused.value.field == "Idempotency-Key"
    assert AuditEvent.objects.count() == 1


def test_same_key_in_another_scope_is_a_separate_request(tenants):
    # given a key used for a payment
    digest = request_digest(PAYMENT)
    idempotency_run(scope=SCOPE, key="k-1", digest=digest, operation=payment_create)

    # when the same key is used for a different kind of request
    status, _, replayed = idempotency_run(
        scope="payments.instruction.create", key="k-1", digest=digest, operation=payment_create
    )

    # then that request runs too
    assert (status, replayed) == (201, False)
    assert AuditEvent.objects.count() == 2


def test_first_answer_and_replay_are_identical_when_the_body_carries_decimals(tenants):
    # given a payment whose answer carries a Decimal amount
    digest = request_digest(PAYMENT)

    # when it is made and then repeated
    first = idempotency_run(scope=SCOPE, key="k-1", digest=digest, operation=payment_create)
    repeat = idempotency_run(scope=SCOPE, key="k-1", digest=digest, operation=operation_not_expected)

    # then both answers carry the amount as the same exact text
    assert first[1]["totalAmount"] == repeat[1]["totalAmount"] == "1500.00"
    assert first[:2] == repeat[:2]


# --- Failures -------------------------------------------------------------------------------


def test_failed_operation_leaves_no_record_and_none_of_its_writes(tenants):
    # given an operation that writes a row and then fails
    def payment_fails() -> tuple[int, dict]:
        payment_create()
        raise ApplicationError("INSUFFICIENT_FUNDS", "totalAmount: more than the bill", field="totalAmount")

    # when it is run with a key
    with pytest.raises(ApplicationError) as refused:
        idempotency_run(scope=SCOPE, key="k-1", digest=request_digest(PAYMENT), operation=payment_fails)

    # then its own error comes out, and neither the key nor the row it wrote is kept
    assert refused.value.code == "INSUFFICIENT_FUNDS"
    assert not IdempotencyRecord.objects.exists()
    assert not AuditEvent.objects.exists()


def test_key_of_a_failed_operation_can_be_used_again(tenants):
    # given a key whose first attempt failed
    def payment_fails() -> tuple[int, dict]:
        raise ApplicationError("BANK_DOWN", "the bank did not answer")

    with pytest.raises(ApplicationError):
        idempotency_run(scope=SCOPE, key="k-1", digest=request_digest(PAYMENT), operation=payment_fails)

    # when the request is retried with the same key
    status, _, replayed = idempotency_run(
        scope=SCOPE, key="k-1", digest=request_digest(PAYMENT), operation=payment_create
    )

    # then it runs as a first call
    assert (status, replayed) == (201, False)
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize("key", ["", "   ", "k" * 201, "k\x00", "k\n1", None])
def test_unusable_key_is_refused_naming_the_header(db, key):
    # given a key that is empty, blank, too long, carries control characters or is missing
    # when a request is made with it
    with pytest.raises(ApplicationError) as refused:
        idempotency_run(scope=SCOPE, key=key, digest=request_digest(PAYMENT), operation=operation_not_expected)

    # then it is refused naming the header, and nothing is stored
    assert refused.value.code == "INVALID_IDEMPOTENCY_KEY"
    assert refused.value.field == "Idempotency-Key"
    assert not IdempotencyRecord.objects.exists()


def test_key_of_the_longest_allowed_length_is_accepted(tenants):
    # given a key of 200 characters
    key = "k" * 200

    # when a request is made with it
    _, _, replayed = idempotency_run(scope=SCOPE, key=key, digest=request_digest(PAYMENT), operation=payment_create)

    # then it runs
    assert replayed is False
    assert IdempotencyRecord.objects.filter(key=key).exists()


# --- Concurrency ----------------------------------------------------------------------------


def wait_until_sessions_wait_on_locks(count: int, *, within_seconds: float = 30) -> None:
    """Return once `count` other sessions of this database are blocked on a lock; fail after the deadline.

    Synchronises on what PostgreSQL reports, not on elapsed time: the pause only paces the polling."""
    deadline = time.monotonic() + within_seconds
    with connection.cursor() as cursor:
        while True:
            # pg_stat_activity is a snapshot per transaction; clear it to see the sessions as they are now.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] >= count:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"fewer than {count} sessions ever waited on a lock")
            time.sleep(0.01)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_repeats_of_one_key_run_the_operation_once_and_share_its_answer(tenants):
    # given twenty callers that will send the same payment with the same key at once
    callers = 20
    start_together = threading.Barrier(callers)
    digest = request_digest(PAYMENT)

    def payment_create_while_the_others_wait() -> tuple[int, dict]:
        # The payment finishes only once every other caller is blocked behind it, so they truly overlap.
        wait_until_sessions_wait_on_locks(callers - 1)
        return payment_create()

    def send() -> tuple[int, dict, bool]:
        try:
            connection.ensure_connection()
            start_together.wait(timeout=60)
            return idempotency_run(
                scope=SCOPE, key="k-1", digest=digest, operation=payment_create_while_the_others_wait
            )
        finally:
            connection.close()

    # when they all send it
    with ThreadPoolExecutor(max_workers=callers) as pool:
        futures = [pool.submit(send) for _ in range(callers)]
        answers = [future.result() for future in futures]

    # then the payment ran once, one caller got it first-hand and every other got the same answer replayed
    assert AuditEvent.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
    assert sorted(replayed for _, _, replayed in answers) == [False] + [True] * (callers - 1)
    assert {(status, body["eventId"], body["totalAmount"]) for status, body, _ in answers} == {
        (201, AuditEvent.objects.get().pk, "1500.00")
    }
