"""Payments and cancellations through the services on random bills: money is never created, lost or counted twice."""

from decimal import Decimal
from itertools import count

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import DemandDetail
from collection.services.payments import PaymentDetailInput, PaymentInput, payment_create
from collection.services.workflow import WorkflowItem, payment_workflow
from core.money import ZERO
from tests.billing.factories import month, raise_demand
from tests.collection.assertions import assert_ledger_balances
from tests.collection.factories import bill_of

ADVANCE_HEAD = "WS_ADVANCE_CARRYFORWARD"
consumers = count(1)

months = st.lists(
    st.dictionaries(
        keys=st.sampled_from(["10101", "10102", "WS_WATER_CESS", "10201"]),
        values=st.integers(min_value=1, max_value=900),
        min_size=1,
    ),
    min_size=1,
    max_size=2,
)


def dues(consumer: str) -> tuple[dict, Decimal]:
    """Each of the consumer's heads as (tax, collection), and the advance it holds."""
    rows = DemandDetail.objects.filter(demand__consumer_code=consumer).select_related("tax_head", "demand")
    heads = {
        (row.demand.tax_period_to.month, row.tax_head.code): (row.tax_amount, row.collection_amount)
        for row in rows
        if row.tax_head.code != ADVANCE_HEAD
    }
    advance = sum((-row.tax_amount for row in rows if row.tax_head.code == ADVANCE_HEAD), ZERO)
    return heads, advance


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(owed=months, share=st.integers(min_value=1, max_value=130), cancel=st.booleans())
def test_random_payments_and_cancellations_collect_exactly_what_was_paid_and_keep_the_books_balanced(
    masters, collector, owed, share, cancel
):
    # given a consumer owing one or two months of random heads
    consumer = f"WS-P{next(consumers)}"
    for number, heads in enumerate(owed, start=9):
        raise_demand(consumer=consumer, period=month(2026, number), heads={h: str(a) for h, a in heads.items()})
    bill = bill_of(consumer)
    amount = max(Decimal(1), (bill.total_amount * share / 100).to_integral_value())

    # when a share of the bill (some of it, all of it, or more) is paid in cash
    payment = payment_create(
        payment=PaymentInput(
            tenant_id="pb.amritsar",
            payment_mode="CASH",
            total_amount_paid=amount,
            paid_by="Gurpreet Kaur",
            details=[PaymentDetailInput(bill_id=str(bill.pk), total_amount_paid=amount)],
        ),
        actor=collector,
    )

    # then the heads took exactly what was paid up to the due, none more than its tax, the rest is advance
    heads, advance = dues(consumer)
    collected = sum((collection for _, collection in heads.values()), ZERO)
    assert collected == min(amount, bill.total_amount)
    assert all(ZERO <= collection <= tax for tax, collection in heads.values())
    assert advance == max(amount - bill.total_amount, ZERO)
    # and an older month is short only if nothing was left for the later one
    september = sum((c for (m, _), (_, c) in heads.items() if m == 9), ZERO)
    september_tax = sum((t for (m, _), (t, _) in heads.items() if m == 9), ZERO)
    assert september == min(amount, september_tax) or len(owed) == 1
    assert_ledger_balances()

    if cancel:
        # when the receipt is cancelled
        payment_workflow(
            tenant_id="pb.amritsar",
            module="WS",
            action="CANCEL",
            items=[WorkflowItem(payment_id=str(payment.pk), reason="wrong consumer")],
            actor=collector,
        )

        # then every head and the advance are back where they were, and the books still balance
        heads, advance = dues(consumer)
        assert all(collection == ZERO for _, collection in heads.values())
        assert advance == ZERO
        assert_ledger_balances()
