import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from core.errors import ApplicationError
from core.models import IdSequence
from ledger.models import Voucher
from ledger.services import voucher_reverse
from tests.ledger.factories import receipt_post


def run_together(callers: int, work):
    """Run `work` in `callers` threads released at one moment; each answer or the error it raised."""
    start_together = threading.Barrier(callers)

    def call():
        try:
            connection.ensure_connection()
            start_together.wait(timeout=60)
            return work()
        except ApplicationError as exc:
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=callers) as pool:
        futures = [pool.submit(call) for _ in range(callers)]
        return [future.result() for future in futures]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_reversals_of_one_voucher_make_one_reversal(chart):
    # given a posted voucher
    original = receipt_post()

    # when two approvers reverse it at the same moment
    answers = run_together(2, lambda: voucher_reverse(voucher=original, reason="cancelled", reversed_by=None))

    # then one reversal is made and the other approver is told it was reversed already
    reversals = [answer for answer in answers if isinstance(answer, Voucher)]
    refusals = [answer for answer in answers if isinstance(answer, ApplicationError)]
    assert len(reversals) == 1
    assert [refusal.code for refusal in refusals] == ["VOUCHER_ALREADY_REVERSED"]
    assert list(Voucher.objects.filter(reversal_of=original)) == reversals


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_replays_of_one_posting_make_one_voucher_and_use_one_number(chart):
    # given one receipt posting sent by eight callers at the same moment
    # when they all post it
    answers = run_together(8, lambda: receipt_post(source_id=7))

    # then every caller gets the same voucher, and no number was spent on the losers
    assert len({answer.pk for answer in answers}) == 1
    assert Voucher.objects.count() == 1
    assert IdSequence.objects.get().last_value == 1
