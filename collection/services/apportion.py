"""Apportioning a payment over a bill's heads: a pure function, so its rules can be checked on any input.

DIGIT's OrderByPriority, with one change: negative heads (rebates) are taken first across the whole bill, not
detail by detail, so a later period's rebate can never leave an earlier head unpaid while money is left over."""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.money import ZERO


@dataclass(frozen=True)
class Bucket:
    """One head of one bill detail: what is due under it, and where it sorts."""

    key: Hashable
    period: Hashable  # older sorts first
    order: int  # the tax head's order; lower is paid first
    due: Decimal


@dataclass(frozen=True)
class Apportionment:
    adjusted: dict  # bucket key → amount applied (negative heads: their whole, negative, due)
    advance: Decimal  # what is left after every head is paid


def apportion(*, buckets: Sequence[Bucket], amount: Decimal) -> Apportionment:
    """Negative heads first (their value adds to the money available), then positive heads oldest period first,
    then by order; a head takes at most its due; what remains is advance."""
    available = amount
    adjusted = {}
    for bucket in buckets:
        if bucket.due < 0:
            adjusted[bucket.key] = bucket.due
            available -= bucket.due
    for bucket in sorted(
        (bucket for bucket in buckets if bucket.due >= 0), key=lambda bucket: (bucket.period, bucket.order)
    ):
        take = min(bucket.due, available)
        adjusted[bucket.key] = take
        available -= take
    return Apportionment(adjusted=adjusted, advance=available if available > 0 else ZERO)
