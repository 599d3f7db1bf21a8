from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import ApplicationError
from ledger.models import Voucher
from ledger.selectors import trial_balance
from ledger.services import LineSpec, voucher_post, voucher_reverse
from tests.ledger.factories import ADVANCE, BANK, CASH, MID_JUNE_2026, PENALTY, PROPERTY_TAX, WATER_CHARGES

CODES = [CASH, BANK, WATER_CHARGES, PROPERTY_TAX, PENALTY, ADVANCE]
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
# A posting is one to four transfers (debit one code, credit another, same amount): balanced by construction.
transfers = st.lists(st.tuples(st.sampled_from(CODES), st.sampled_from(CODES), amounts), min_size=1, max_size=4)
operations = st.lists(
    st.one_of(st.tuples(st.just("post"), transfers), st.tuples(st.just("reverse"), st.integers(0, 50))),
    min_size=1,
    max_size=12,
)


def net_per_code(vouchers) -> dict[str, Decimal]:
    net = defaultdict(Decimal)
    for voucher in vouchers:
        for line in voucher.lines.select_related("gl_code"):
            net[line.gl_code.code] += line.debit - line.credit
    return net


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=operations)
def test_random_postings_and_reversals_keep_the_books_balanced(chart, operations):
    # each example starts from empty books: its writes are rolled back at the end
    with transaction.atomic():
        # given random balanced postings, and reversals of random earlier ones (some asked twice)
        posted: list[tuple[Voucher, dict[str, Decimal]]] = []
        reversed_ids: set[int] = set()
        expected = defaultdict(Decimal)

        # when they are applied in order
        for step, (kind, argument) in enumerate(operations):
            if kind == "post":
                lines = [
                    line
                    for debited, credited, amount in argument
                    for line in (LineSpec(debited, debit=amount), LineSpec(credited, credit=amount))
                ]
                voucher = voucher_post(
                    tenant_id="pb.amritsar",
                    voucher_type=Voucher.Type.JOURNAL,
                    voucher_date=MID_JUNE_2026,
                    lines=lines,
                    narration="",
                    source_type="test.property",
                    source_id=step,
                    posted_by=None,
                )
                net = defaultdict(Decimal)
                for debited, credited, amount in argument:
                    net[debited] += amount
                    net[credited] -= amount
                posted.append((voucher, net))
                for code, amount in net.items():
                    expected[code] += amount
            elif posted:
                voucher, net = posted[argument % len(posted)]
                if voucher.pk in reversed_ids:
                    with pytest.raises(ApplicationError) as refused:
                        voucher_reverse(voucher=voucher, reason="again", reversed_by=None)
                    assert refused.value.code == "VOUCHER_ALREADY_REVERSED"
                    continue
                voucher_reverse(voucher=voucher, reason="property", reversed_by=None, reversal_date=MID_JUNE_2026)
                reversed_ids.add(voucher.pk)
                for code, amount in net.items():
                    expected[code] -= amount

        # then the trial balance balances and shows exactly the postings not reversed
        rows = trial_balance(tenant_id="pb.amritsar")
        assert sum(row.debit for row in rows) == sum(row.credit for row in rows)
        assert {row.gl_code: row.balance for row in rows if row.balance} == {
            code: net for code, net in expected.items() if net
        }
        # and each reversal nets its voucher to zero on every GL code
        for voucher in Voucher.objects.filter(pk__in=reversed_ids).select_related("reversal"):
            assert set(net_per_code([voucher, voucher.reversal]).values()) <= {Decimal("0.00")}
        transaction.set_rollback(True)
