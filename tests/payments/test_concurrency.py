"""Two workers polling at once take different PIs: claims use SELECT … FOR UPDATE SKIP LOCKED and a lease."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from payments.models import JitCall, PaymentInstruction
from payments.services.instructions import pi_create
from payments.services.polling import jit_poll_run
from tests.payments.factories import bill_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_workers_polling_at_once_poll_each_pi_once(jit, city, funded, settings):
    # given twelve PIs waiting for PIS, claimed three at a time
    settings.KOSH_JIT_POLL_BATCH_SIZE = 3
    pis = []
    for _ in range(12):
        bill = bill_create(tenant=city, amounts=[Decimal("100.00")])
        pis.append(pi_create(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None))
    start = threading.Barrier(2)
    summaries, errors = [], []

    def worker():
        try:
            start.wait()
            summaries.append(jit_poll_run(service="PIS"))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    # when two workers run the PIS schedule at the same moment
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then every PI was polled exactly once, between them
    assert errors == []
    assert sum(summary.polled for summary in summaries) == 12
    calls = list(JitCall.objects.filter(service="PIS").values_list("pi_id", flat=True))
    assert sorted(calls) == sorted(pi.pk for pi in pis)
    assert set(PaymentInstruction.objects.values_list("status", flat=True)) == {"APPROVED"}


def test_a_pi_claimed_by_one_run_is_skipped_by_another(jit, city, funded):
    from django.utils import timezone

    from payments.services.polling import pis_claim

    bill = bill_create(tenant=city, amounts=[Decimal("100.00")])
    pi = pi_create(tenant_id=city.code, reference_id=bill.payment.payment_number, actor=None)

    first = pis_claim(service="PIS", started_at=timezone.now(), limit=10)
    second = pis_claim(service="PIS", started_at=timezone.now(), limit=10)

    assert (first, second) == ([pi.pk], [])
