"""The pipeline against the simulator bank over HTTP: stages chain, batches carry idempotency keys, failures are
retried with backoff and end in ERROR with the reason, cancelling releases the fund block."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from freezegun import freeze_time

from bridge.connectors.base import PaymentBatchResult
from bridge.models import BankBatch, Disbursement, EnvelopeStage, FinancialAddress
from bridge.services.disbursements import disbursements_cancel, disbursements_create
from bridge.services.envelopes import envelope_cancel, envelope_create
from bridge.services.pipeline import (
    bank_batch_claim,
    bank_batch_complete,
    bank_batch_dispatch,
    bank_batch_send,
    envelope_block_funds,
    envelope_check_funds,
    envelope_resolve,
    pipeline_tick,
    stage_retry,
)
from simulators.bank.models import SimAccount, SimFundBlock, SimLedgerEntry, SimPaymentBatch
from tests.bridge.factories import BenefitProgramFactory
from tests.bridge.pipeline import ACCOUNT, envelope_with_disbursements, statuses

pytestmark = pytest.mark.django_db(transaction=True)

Status = Disbursement.Status


def stage(envelope, name: str) -> EnvelopeStage:
    return EnvelopeStage.objects.get(envelope=envelope, stage=name)


def test_a_complete_envelope_due_today_runs_to_the_bank_at_once(g2p_client, bank, settings):
    settings.BRIDGE_BATCH_SIZE = 4
    bank.open_account(ACCOUNT)

    envelope = envelope_with_disbursements(g2p_client, 10)

    assert statuses(envelope) == {Status.SHIPPED: 10}
    assert BankBatch.objects.filter(envelope=envelope, status=BankBatch.Status.SENT).count() == 3
    assert [stage(envelope, name).status for name in ("RESOLVE", "FUNDS_CHECK", "FUNDS_BLOCK", "DISPATCH")] == [
        "DONE"
    ] * 4
    assert stage(envelope, "RECONCILE").status == "PENDING"
    assert SimLedgerEntry.objects.filter(mark="D").count() == 10


def test_every_batch_carries_its_recorded_idempotency_key_to_the_bank(g2p_client, bank, settings):
    settings.BRIDGE_BATCH_SIZE = 4
    bank.open_account(ACCOUNT)

    envelope = envelope_with_disbursements(g2p_client, 10)

    keys = set(BankBatch.objects.filter(envelope=envelope).values_list("idempotency_key", flat=True))
    assert set(SimPaymentBatch.objects.values_list("idempotency_key", flat=True)) == keys
    assert len(keys) == 3


def test_a_worker_killed_between_the_bank_call_and_recording_it_books_each_payment_once(
    g2p_client, bank, settings, queued_only
):
    # Given an envelope whose funds are blocked and whose one batch is planned, key recorded
    settings.BRIDGE_BATCH_SIZE = 100
    bank.open_account(ACCOUNT)
    envelope = envelope_with_disbursements(g2p_client, 5)
    envelope_resolve(envelope_pk=envelope.pk)
    envelope_check_funds(envelope_pk=envelope.pk)
    envelope_block_funds(envelope_pk=envelope.pk)
    batch = BankBatch.objects.get(envelope=envelope)
    # … a worker claims it and the bank books it, then the worker dies before recording the answer
    claimed = bank_batch_claim(batch_pk=batch.pk)
    assert bank_batch_send(claimed).replayed is False
    assert BankBatch.objects.get(pk=batch.pk).status == BankBatch.Status.SENDING

    # When the claim's lease runs out and another worker dispatches the batch again
    BankBatch.objects.filter(pk=batch.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    outcome = bank_batch_dispatch(batch_pk=batch.pk)

    # Then the bank answered from its record: every payment booked exactly once, all shipped
    assert outcome == "sent (replayed)"
    assert SimPaymentBatch.objects.get().idempotency_key == batch.idempotency_key
    assert SimLedgerEntry.objects.filter(mark="D").count() == 5
    assert SimLedgerEntry.objects.filter(mark="D").values("disbursement_id").distinct().count() == 5
    assert bank.account(ACCOUNT).balance == Decimal("10000000.00") - Decimal("500.00")
    assert statuses(envelope) == {Status.SHIPPED: 5}
    assert BankBatch.objects.get(pk=batch.pk).attempts == 2


def test_a_batch_held_by_a_live_worker_is_not_taken_by_another(g2p_client, bank, settings, queued_only):
    bank.open_account(ACCOUNT)
    envelope = envelope_with_disbursements(g2p_client, 2)
    envelope_resolve(envelope_pk=envelope.pk)
    envelope_check_funds(envelope_pk=envelope.pk)
    envelope_block_funds(envelope_pk=envelope.pk)
    batch = BankBatch.objects.get(envelope=envelope)
    bank_batch_claim(batch_pk=batch.pk)

    assert bank_batch_dispatch(batch_pk=batch.pk) == "not due"
    assert not SimPaymentBatch.objects.exists()


def test_a_stale_worker_finishing_late_does_not_overwrite_the_worker_that_took_over(g2p_client, bank, settings):
    settings.BRIDGE_BATCH_SIZE = 100
    bank.open_account(ACCOUNT)
    envelope = envelope_with_disbursements(g2p_client, 3)
    batch = BankBatch.objects.get(envelope=envelope)
    BankBatch.objects.filter(pk=batch.pk).update(status="PENDING", next_attempt_at=None)
    Disbursement.objects.filter(envelope=envelope).update(status=Status.RESOLVED)
    stale = bank_batch_claim(batch_pk=batch.pk)
    BankBatch.objects.filter(pk=batch.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    bank_batch_dispatch(batch_pk=batch.pk)

    bank_batch_complete(stale, PaymentBatchResult(bank_reference="STALE", items=(), replayed=True))

    assert BankBatch.objects.get(pk=batch.pk).bank_reference != "STALE"


def test_an_unreachable_bank_is_retried_with_backoff_then_gives_up_with_the_reason(g2p_client, settings, tenants):
    settings.BRIDGE_SIMULATOR_BANK_URL = "http://127.0.0.1:9/bank"
    settings.BRIDGE_STAGE_MAX_ATTEMPTS = 3
    envelope = envelope_with_disbursements(g2p_client, 2)
    check = stage(envelope, "FUNDS_CHECK")
    assert (check.status, check.attempts, check.last_error_code) == ("PENDING", 1, "BANK_UNREACHABLE")
    assert check.next_attempt_at > timezone.now() + timedelta(seconds=settings.BRIDGE_RETRY_BACKOFF_SECONDS - 5)

    for _attempt in range(2):
        EnvelopeStage.objects.filter(pk=check.pk).update(next_attempt_at=timezone.now())
        pipeline_tick()

    check.refresh_from_db()
    assert (check.status, check.attempts, check.last_error_code) == ("ERROR", 3, "BANK_UNREACHABLE")
    assert stage(envelope, "FUNDS_BLOCK").status == "WAITING"


def test_the_wait_between_attempts_doubles(settings):
    from bridge.services.pipeline import backoff

    settings.BRIDGE_RETRY_BACKOFF_SECONDS = 60

    assert [backoff(n).total_seconds() for n in (1, 2, 3, 10)] == [60, 120, 240, 3600]


def test_a_stage_that_gave_up_shows_error_in_the_envelope_status(g2p, g2p_client, settings, tenants):
    settings.BRIDGE_SIMULATOR_BANK_URL = "http://127.0.0.1:9/bank"
    settings.BRIDGE_STAGE_MAX_ATTEMPTS = 1
    envelope_with_disbursements(g2p_client, 2)

    status = g2p.post("get_disbursement_envelope_status", "ENV-1").json()["message"]

    assert status["funds_available_with_bank"] == "ERROR"
    assert status["funds_available_latest_error_code"] == "BANK_UNREACHABLE"
    check = next(row for row in status["stages"] if row["stage"] == "FUNDS_CHECK")
    assert check["status"] == "ERROR" and "check_funds" in check["last_error"]


def test_funds_not_available_is_retried_and_then_reported(g2p_client, bank, settings):
    settings.BRIDGE_STAGE_MAX_ATTEMPTS = 2
    bank.open_account(ACCOUNT, balance="150.00")
    envelope = envelope_with_disbursements(g2p_client, 2)
    assert stage(envelope, "FUNDS_CHECK").last_error_code == "FUNDS_NOT_AVAILABLE"

    EnvelopeStage.objects.filter(envelope=envelope, stage="FUNDS_CHECK").update(next_attempt_at=timezone.now())
    pipeline_tick()

    check = stage(envelope, "FUNDS_CHECK")
    assert (check.status, check.last_error_code) == ("ERROR", "FUNDS_NOT_AVAILABLE")
    assert "Needs 200.00" in check.last_error
    assert not SimFundBlock.objects.exists()


def test_an_operator_retry_runs_a_stage_that_gave_up(g2p_client, bank, settings, make_employee):
    settings.BRIDGE_STAGE_MAX_ATTEMPTS = 1
    bank.open_account(ACCOUNT, balance="150.00")
    envelope = envelope_with_disbursements(g2p_client, 2)
    assert stage(envelope, "FUNDS_CHECK").status == "ERROR"
    SimAccount.objects.filter(account_number=ACCOUNT).update(balance=Decimal("1000.00"))

    stage_retry(envelope=envelope, stage="FUNDS_CHECK", actor=make_employee())

    assert stage(envelope, "FUNDS_CHECK").status == "DONE"
    assert statuses(envelope) == {Status.SHIPPED: 2}


def test_a_batch_that_gave_up_stops_the_dispatch_with_its_reason_until_an_operator_retries(
    g2p_client, bank, settings, make_employee, queued_only
):
    # Given a planned batch and a bank that cannot be reached when it is sent
    settings.BRIDGE_STAGE_MAX_ATTEMPTS = 1
    bank.open_account(ACCOUNT)
    envelope = envelope_with_disbursements(g2p_client, 2)
    envelope_resolve(envelope_pk=envelope.pk)
    envelope_check_funds(envelope_pk=envelope.pk)
    envelope_block_funds(envelope_pk=envelope.pk)
    batch = BankBatch.objects.get(envelope=envelope)
    settings.BRIDGE_SIMULATOR_BANK_URL = "http://127.0.0.1:9/bank"
    bank_batch_dispatch(batch_pk=batch.pk)
    dispatch = stage(envelope, "DISPATCH")
    assert (dispatch.status, dispatch.last_error_code) == ("ERROR", "BANK_UNREACHABLE")
    assert "batch 1" in dispatch.last_error
    assert statuses(envelope) == {Status.RESOLVED: 2}

    # When the bank is back and an operator retries the dispatch
    settings.BRIDGE_SIMULATOR_BANK_URL = bank.url
    stage_retry(envelope=envelope, stage="DISPATCH", actor=make_employee())
    bank_batch_dispatch(batch_pk=batch.pk)

    # Then the batch goes through and the dispatch is done
    assert stage(envelope, "DISPATCH").status == "DONE"
    assert statuses(envelope) == {Status.SHIPPED: 2}


def test_an_envelope_scheduled_for_tomorrow_waits_for_its_day(g2p_client, bank):
    bank.open_account(ACCOUNT)
    tomorrow = timezone.localdate() + timedelta(days=1)
    envelope = envelope_with_disbursements(g2p_client, 3, schedule_date=tomorrow)
    pipeline_tick()
    assert stage(envelope, "RESOLVE").status == "WAITING"

    with freeze_time(timezone.now() + timedelta(days=1)):
        pipeline_tick()

    assert statuses(envelope) == {Status.SHIPPED: 3}


def test_future_envelopes_start_at_once_when_configured(g2p_client, bank, settings):
    settings.BRIDGE_PROCESS_FUTURE_ENVELOPES = True
    bank.open_account(ACCOUNT)

    envelope = envelope_with_disbursements(g2p_client, 3, schedule_date=timezone.localdate() + timedelta(days=7))

    assert statuses(envelope) == {Status.SHIPPED: 3}


def test_an_envelope_whose_disbursements_miss_the_declared_total_says_so(g2p_client, tenants):
    BenefitProgramFactory(mnemonic="OAP")
    envelope = envelope_create(
        client=g2p_client,
        payload={
            "disbursement_envelope_id": "E",
            "benefit_program_mnemonic": "OAP",
            "disbursement_frequency": "Monthly",
            "cycle_code_mnemonic": "C",
            "number_of_beneficiaries": 1,
            "number_of_disbursements": 1,
            "total_disbursement_amount": Decimal("100.00"),
            "disbursement_currency_code": "INR",
            "disbursement_schedule_date": timezone.localdate().isoformat(),
        },
    )

    disbursements_create(
        client=g2p_client,
        items=[
            {
                "disbursement_envelope_id": "E",
                "beneficiary_id": "B",
                "beneficiary_name": "N",
                "disbursement_amount": Decimal("99.00"),
                "narrative": "x",
            }
        ],
    )

    resolve = stage(envelope, "RESOLVE")
    assert (resolve.status, resolve.last_error_code) == ("ERROR", "RECEIVED_TOTAL_MISMATCH")


def test_a_beneficiary_unknown_to_the_mapper_fails_and_is_not_paid(g2p_client, bank):
    bank.open_account(ACCOUNT)
    FinancialAddress.objects.all().delete()

    envelope = envelope_with_disbursements(g2p_client, 2, with_accounts=False)

    assert statuses(envelope) == {Status.FAILED: 2}
    assert set(Disbursement.objects.values_list("failure_code", flat=True)) == {"ACCOUNT_NOT_RESOLVED"}
    assert stage(envelope, "FUNDS_CHECK").status == "SKIPPED"
    assert not SimFundBlock.objects.exists()


def test_a_program_without_resolution_pays_the_account_named_in_the_beneficiary_id(g2p_client, bank):
    bank.open_account(ACCOUNT)

    envelope = envelope_with_disbursements(g2p_client, 2, resolution_required=False, with_accounts=False)

    assert statuses(envelope) == {Status.SHIPPED: 2}
    assert Disbursement.objects.get(disbursement_id="D-000001").account.account_number == "910000000001"


def test_a_payment_the_bank_refuses_fails_with_the_banks_code(g2p_client, bank):
    bank.open_account(ACCOUNT)
    FinancialAddress.objects.create(tenant_id="pb.amritsar", beneficiary_id="BEN-000001", account_number="91000001")
    FinancialAddress.objects.create(
        tenant_id="pb.amritsar", beneficiary_id="BEN-000002", fa_type="MOBILE_WALLET", mobile_number="9876543210"
    )

    envelope = envelope_with_disbursements(g2p_client, 2, with_accounts=False)

    refused = Disbursement.objects.get(disbursement_id="D-000002")
    assert statuses(envelope) == {Status.SHIPPED: 1, Status.FAILED: 1}
    assert refused.failure_code == "NO_ACCOUNT"
    assert BankBatch.objects.get().rejected_count == 1


def test_cancelling_an_envelope_after_its_block_releases_the_block(g2p_client, bank, settings, queued_only):
    # Given an envelope with funds blocked and three batches planned, one already sent
    settings.BRIDGE_BATCH_SIZE = 2
    bank.open_account(ACCOUNT)
    envelope = envelope_with_disbursements(g2p_client, 6)
    envelope_resolve(envelope_pk=envelope.pk)
    envelope_check_funds(envelope_pk=envelope.pk)
    envelope_block_funds(envelope_pk=envelope.pk)
    bank_batch_dispatch(batch_pk=BankBatch.objects.get(envelope=envelope, sequence=1).pk)

    # When the PBMS cancels the envelope
    envelope_cancel(tenant_id="pb.amritsar", envelope_id="ENV-1")
    from bridge.services.pipeline import envelope_release_funds

    envelope_release_funds(envelope_pk=envelope.pk)

    # Then the unsent batches never go, and the bank releases what the block still held
    block = SimFundBlock.objects.get()
    assert statuses(envelope) == {Status.SHIPPED: 2, Status.CANCELLED: 4}
    assert set(BankBatch.objects.filter(sequence__gte=2).values_list("status", flat=True)) == {"CANCELLED"}
    assert block.status == SimFundBlock.Status.RELEASED
    assert stage(envelope, "RELEASE").status == "DONE"
    assert stage(envelope, "RELEASE").amount == Decimal("400.00")
    assert stage(envelope, "DISPATCH").status == "DONE"
    assert stage(envelope, "RECONCILE").status == "PENDING"
    assert SimLedgerEntry.objects.filter(mark="D").count() == 2


def test_cancelled_disbursements_never_reach_the_bank(g2p_client, bank, settings, tenants):
    bank.open_account(ACCOUNT)
    tomorrow = timezone.localdate() + timedelta(days=1)
    envelope = envelope_with_disbursements(g2p_client, 4, schedule_date=tomorrow)
    disbursements_cancel(client=g2p_client, items=[{"disbursement_id": "D-000002"}])

    with freeze_time(timezone.now() + timedelta(days=1)):
        pipeline_tick()

    assert statuses(envelope) == {Status.SHIPPED: 3, Status.CANCELLED: 1}
    assert not SimLedgerEntry.objects.filter(disbursement_id="D-000002").exists()
    assert SimFundBlock.objects.get().amount == Decimal("300.00")


def test_beat_requeues_a_stage_whose_message_was_lost(g2p_client, bank):
    bank.open_account(ACCOUNT)
    envelope = envelope_with_disbursements(g2p_client, 2, schedule_date=timezone.localdate() + timedelta(days=1))
    EnvelopeStage.objects.filter(envelope=envelope, stage="RESOLVE").update(status="PENDING")

    pipeline_tick()

    assert statuses(envelope) == {Status.SHIPPED: 2}


def test_bridge_tasks_are_routed_to_the_bridge_queue():
    from config.celery import app

    routes = {
        name: app.amqp.router.route({}, name)["queue"].name
        for name in (
            "bridge.resolve_accounts",
            "bridge.dispatch_batch",
            "bridge.process_statement",
            "bridge.pipeline_tick",
        )
    }

    assert set(routes.values()) == {"bridge"}
