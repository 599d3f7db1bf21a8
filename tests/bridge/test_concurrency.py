"""Claims under concurrency (PostgreSQL row locks): a locked row is skipped, not waited for, and workers running
side by side send every bank batch exactly once."""

import threading
import time
from collections import Counter

import pytest
from django.db import connection, transaction

from bridge.models import BankBatch, Disbursement
from bridge.services.pipeline import (
    bank_batch_claim,
    bank_batch_dispatch,
    envelope_block_funds,
    envelope_check_funds,
    envelope_resolve,
)
from simulators.bank.models import SimLedgerEntry, SimPaymentBatch
from tests.bridge.pipeline import ACCOUNT, envelope_with_disbursements

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def planned_envelope(client, count: int):
    envelope = envelope_with_disbursements(client, count)
    envelope_resolve(envelope_pk=envelope.pk)
    envelope_check_funds(envelope_pk=envelope.pk)
    envelope_block_funds(envelope_pk=envelope.pk)
    return envelope


def test_a_batch_locked_by_another_worker_is_skipped_without_waiting(g2p_client, bank, queued_only):
    bank.open_account(ACCOUNT)
    batch = BankBatch.objects.get(envelope=planned_envelope(g2p_client, 2))
    locked, release = threading.Event(), threading.Event()

    def hold_the_row():
        try:
            with transaction.atomic():
                BankBatch.objects.select_for_update().get(pk=batch.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    assert locked.wait(10)
    started = time.monotonic()
    claimed = bank_batch_claim(batch_pk=batch.pk)
    waited = time.monotonic() - started
    release.set()
    holder.join(10)

    assert claimed is None
    assert waited < 1
    assert BankBatch.objects.get(pk=batch.pk).status == BankBatch.Status.PENDING


def test_workers_side_by_side_send_every_batch_exactly_once(g2p_client, bank, settings, queued_only):
    # Given 20 planned batches
    settings.BRIDGE_BATCH_SIZE = 2
    bank.open_account(ACCOUNT)
    envelope = planned_envelope(g2p_client, 40)
    batch_pks = list(BankBatch.objects.filter(envelope=envelope).values_list("pk", flat=True))
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def worker(order):
        try:
            for batch_pk in order:
                outcomes.append(bank_batch_dispatch(batch_pk=batch_pk))
        except BaseException as exc:  # a failure in a thread must fail the test
            errors.append(exc)
        finally:
            connection.close()

    # When four workers each try every batch, in different orders
    orders = [batch_pks, batch_pks[::-1], batch_pks[1::2] + batch_pks[::2], batch_pks[::2] + batch_pks[1::2]]
    threads = [threading.Thread(target=worker, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    # Then each batch was sent by exactly one of them and the bank booked each payment once
    assert errors == []
    assert Counter(outcomes)["sent"] == 20
    assert SimPaymentBatch.objects.count() == 20
    assert SimLedgerEntry.objects.filter(mark="D").count() == 40
    assert set(Disbursement.objects.filter(envelope=envelope).values_list("status", flat=True)) == {"SHIPPED"}
