from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from collection.services.apportion import Bucket, apportion
from core.money import ZERO

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
rebates = st.decimals(min_value=Decimal("-200"), max_value=Decimal("-0.01"), places=2)


@st.composite
def bills(draw):
    """Up to four periods of one to four heads, some of them rebates, with a non-negative total."""
    buckets = []
    for month in range(1, draw(st.integers(min_value=1, max_value=4)) + 1):
        for order in range(draw(st.integers(min_value=1, max_value=4))):
            due = draw(st.one_of(amounts, amounts, amounts, rebates))
            buckets.append(Bucket(key=(month, order), period=date(2026, month, 1), order=order, due=due))
    total = sum((bucket.due for bucket in buckets), ZERO)
    if total < 0:
        buckets.append(Bucket(key=(9, 0), period=date(2026, 9, 1), order=0, due=-total))
    return buckets


@given(buckets=bills(), amount=amounts)
def test_apportioning_applies_the_amount_up_to_the_due_and_the_rest_is_advance(buckets, amount):
    # given a bill and an amount; when it is apportioned
    result = apportion(buckets=buckets, amount=amount)

    # then the heads take what was paid up to the due, and only the excess is advance
    total = sum((bucket.due for bucket in buckets), ZERO)
    assert sum(result.adjusted.values(), ZERO) == min(amount, total)
    assert result.advance == max(amount - total, ZERO)


@given(buckets=bills(), amount=amounts)
def test_apportioning_never_over_collects_a_head(buckets, amount):
    # given a bill and an amount; when it is apportioned
    result = apportion(buckets=buckets, amount=amount)

    # then every head takes between nothing and its due (rebates: all of it)
    for bucket in buckets:
        taken = result.adjusted[bucket.key]
        if bucket.due >= 0:
            assert ZERO <= taken <= bucket.due
        else:
            assert taken == bucket.due


@given(buckets=bills(), amount=amounts)
def test_apportioning_pays_the_oldest_period_first_then_by_order(buckets, amount):
    # given a bill and an amount; when it is apportioned
    result = apportion(buckets=buckets, amount=amount)

    # then no head is paid while an older one (or an earlier one of its period) is left short
    positives = sorted((b for b in buckets if b.due >= 0), key=lambda b: (b.period, b.order))
    short = [b for b in positives if result.adjusted[b.key] < b.due]
    if short:
        first_short = positives.index(short[0])
        assert all(result.adjusted[b.key] == 0 for b in positives[first_short + 1 :])
