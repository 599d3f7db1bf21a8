"""Properties of bills over generated demands: the bill asks for exactly what is unpaid, less any advance, and
money is neither made nor lost by carrying an advance forward."""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import Bill, DemandDetail
from billing.services.bills import BillCriteria, bill_fetch
from core.errors import ApplicationError
from tests.billing.assertions import assert_bill_totals_consistent
from tests.billing.factories import month, raise_demand

rupees = st.integers(min_value=0, max_value=5000)
month_dues = st.lists(st.tuples(rupees, st.integers(min_value=0, max_value=100)), min_size=1, max_size=4)


def fetch() -> Bill:
    criteria = BillCriteria(tenant_id="pb.amritsar", business_service_code="WS", consumer_codes=("WS-1",))
    return bill_fetch(criteria=criteria, actor=None)[0]


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(months=month_dues, advance=st.integers(min_value=0, max_value=8000))
def test_the_bill_asks_for_the_unpaid_dues_less_the_advance(masters, months, advance):
    with transaction.atomic():
        # given a paid-up month holding an advance, then months each part paid (tax, percent collected)
        raise_demand(
            period=month(2026, 4),
            heads={"10101": "100", "WS_ADVANCE_CARRYFORWARD": f"-{advance}"},
            collected={"10101": "100"},
        )
        unpaid = Decimal(0)
        for offset, (tax, percent) in enumerate(months):
            collected = tax * percent // 100
            raise_demand(period=month(2026, 5 + offset), heads={"10101": str(tax)}, collected={"10101": str(collected)})
            unpaid += tax - collected

        # when the bill is fetched
        try:
            bill = fetch()
        except ApplicationError as refusal:
            bill, code = None, refusal.code

        # then it asks for what is unpaid less the advance, or there is no bill and the reason says why
        expected = unpaid - advance
        if expected > 0:
            assert bill is not None
            assert bill.total_amount == expected
            assert_bill_totals_consistent(bill)
        else:
            assert code == ("EG_BS_BILL_NET_ADVANCE" if expected < 0 else "EG_BS_BILL_NO_DEMANDS_FOUND")
        # and the advance spent equals the dues it paid: collections moved, none made up
        details = DemandDetail.objects.filter(demand__consumer_code="WS-1")
        advance_left = -sum((d.due for d in details if d.tax_head.code == "WS_ADVANCE_CARRYFORWARD"), Decimal(0))
        dues_left = sum((d.due for d in details if d.tax_head.code == "10101"), Decimal(0))
        assert advance_left == max(Decimal(0), advance - unpaid)
        assert dues_left == max(Decimal(0), unpaid - advance)
        transaction.set_rollback(True)
