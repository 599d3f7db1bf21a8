"""Simultaneous requests for one consumer, on PostgreSQL with real row locks (each thread its own connection)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from billing.models import Bill, DemandDetail
from billing.services.bills import BillCriteria, bill_fetch
from billing.services.masters import billing_masters_seed
from tests.billing.assertions import assert_bill_totals_consistent
from tests.billing.factories import month, raise_demand

CALLERS = 12


def run_together(work, callers: int = CALLERS) -> list:
    start_together = threading.Barrier(callers)

    def call():
        try:
            connection.ensure_connection()
            start_together.wait(timeout=60)
            return work()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=callers) as pool:
        futures = [pool.submit(call) for _ in range(callers)]
        return [future.result() for future in futures]


def fetch_bill_id(consumer: str = "WS-1") -> str:
    criteria = BillCriteria(tenant_id="pb.amritsar", business_service_code="WS", consumer_codes=(consumer,))
    return str(bill_fetch(criteria=criteria, actor=None)[0].pk)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_fetches_for_one_consumer_make_one_active_bill(tenants):
    # given a consumer with two open demands and no bill
    billing_masters_seed(state_id="pb")
    raise_demand(period=month(2026, 9))
    raise_demand(period=month(2026, 10))

    # when twelve callers fetch the bill at the same moment
    bill_ids = run_together(fetch_bill_id)

    # then they all get the same bill, the only one made
    assert len(set(bill_ids)) == 1
    assert Bill.objects.count() == 1
    assert_bill_totals_consistent(Bill.objects.get())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_fetches_after_the_due_date_add_the_penalty_once(tenants):
    # given a water demand unpaid past its due date, with an expired bill
    billing_masters_seed(state_id="pb")
    raise_demand(period=month(2026, 10), raised_days_ago=30)

    # when twelve callers fetch at once
    bill_ids = run_together(fetch_bill_id)

    # then one bill, and the penalty is on the demand exactly once
    assert len(set(bill_ids)) == 1
    assert DemandDetail.objects.filter(tax_head__code="WS_TIME_PENALTY").count() == 1
    assert_bill_totals_consistent(Bill.objects.get())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_demand_raised_during_fetches_leaves_one_active_bill_with_the_new_total(tenants):
    # given a consumer with a demand
    billing_masters_seed(state_id="pb")
    raise_demand(period=month(2026, 9))
    raised = threading.Event()

    def fetch_or_raise():
        if not raised.is_set() and threading.current_thread().name.endswith("_0"):
            raised.set()
            raise_demand(period=month(2026, 10), heads={"10101": "260"})
            return None
        return fetch_bill_id()

    # when fetches race a new demand
    run_together(fetch_or_raise)

    # then at most one bill is ACTIVE, and a fetch now bills both months
    assert Bill.objects.filter(status=Bill.Status.ACTIVE).count() <= 1
    final = Bill.objects.get(pk=fetch_bill_id())
    assert_bill_totals_consistent(final)
    assert str(final.total_amount) == "500.00"
