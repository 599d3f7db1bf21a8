from datetime import date
from decimal import Decimal

import pytest
from freezegun import freeze_time

from core.errors import ApplicationError
from core.models import AuditEvent
from ledger.models import GLCode, Voucher
from ledger.selectors import trial_balance, vouchers_for_source
from ledger.services import LineSpec, voucher_reverse
from tests.core.factories import employee
from tests.ledger.factories import CASH, MID_JUNE_2026, PENALTY, WATER_CHARGES, receipt_post

RECEIPT_LINES = [
    LineSpec(CASH, debit=Decimal("150.00")),
    LineSpec(WATER_CHARGES, credit=Decimal("100.00")),
    LineSpec(PENALTY, credit=Decimal("50.00")),
]


def sides(voucher: Voucher) -> dict[str, tuple[Decimal, Decimal]]:
    return {line.gl_code.code: (line.debit, line.credit) for line in voucher.lines.select_related("gl_code")}


def test_reversal_swaps_every_debit_and_credit_and_links_its_original(chart):
    # given a posted receipt voucher
    original = receipt_post(lines=RECEIPT_LINES)

    # when it is reversed
    reversal = voucher_reverse(voucher=original, reason="receipt cancelled", reversed_by=employee())

    # then the reversal credits what was debited and debits what was credited, and points at the original
    assert sides(reversal) == {code: (credit, debit) for code, (debit, credit) in sides(original).items()}
    assert reversal.type == Voucher.Type.REVERSAL
    assert reversal.reversal_of == original
    assert (reversal.source_type, reversal.source_id) == (original.source_type, original.source_id)
    assert reversal.narration == f"Reversal of {original.number}: receipt cancelled"


def test_reversal_takes_the_next_voucher_number(chart):
    # given a posted voucher
    original = receipt_post()

    # when it is reversed on the same day
    reversal = voucher_reverse(voucher=original, reason="cancelled", reversed_by=None, reversal_date=MID_JUNE_2026)

    # then it gets the next number
    assert (original.number, reversal.number) == ("2026-27/06/000001", "2026-27/06/000002")


def test_reversal_brings_the_trial_balance_back_to_zero(chart):
    # given a posted receipt
    original = receipt_post(lines=RECEIPT_LINES)

    # when it is reversed
    voucher_reverse(voucher=original, reason="cancelled", reversed_by=None)

    # then every GL code it touched is back to a zero balance
    rows = trial_balance(tenant_id="pb.amritsar")
    assert {row.gl_code for row in rows} == {CASH, WATER_CHARGES, PENALTY}
    assert all(row.balance == 0 for row in rows)


def test_voucher_is_reversed_only_once(chart):
    # given a voucher reversed once
    original = receipt_post()
    first = voucher_reverse(voucher=original, reason="cancelled", reversed_by=None)

    # when it is reversed again
    with pytest.raises(ApplicationError) as refused:
        voucher_reverse(voucher=original, reason="cancelled again", reversed_by=None)

    # then it is refused naming the voucher and the first reversal, and only one reversal exists
    assert (refused.value.code, refused.value.field) == ("VOUCHER_ALREADY_REVERSED", "voucherId")
    assert first.number in refused.value.message
    assert Voucher.objects.filter(type=Voucher.Type.REVERSAL).count() == 1


@pytest.mark.parametrize("reason", ["", "   "])
def test_reversal_needs_a_reason(chart, reason):
    # given a posted voucher
    original = receipt_post()

    # when it is reversed without a reason
    with pytest.raises(ApplicationError) as refused:
        voucher_reverse(voucher=original, reason=reason, reversed_by=None)

    # then the reason is named and nothing is reversed
    assert refused.value.field == "reason"
    assert not Voucher.objects.filter(type=Voucher.Type.REVERSAL).exists()


def test_reversal_itself_is_not_reversed(chart):
    # given a reversal
    reversal = voucher_reverse(voucher=receipt_post(), reason="cancelled", reversed_by=None)

    # when it is reversed
    with pytest.raises(ApplicationError) as refused:
        voucher_reverse(voucher=reversal, reason="undo the cancel", reversed_by=None)

    # then it is refused
    assert (refused.value.code, refused.value.field) == ("VOUCHER_NOT_REVERSIBLE", "voucherId")


def test_reversal_dated_before_its_original_is_refused(chart):
    # given a voucher of 15 June
    original = receipt_post(voucher_date=MID_JUNE_2026)

    # when it is reversed as of 14 June
    with pytest.raises(ApplicationError) as refused:
        voucher_reverse(voucher=original, reason="cancelled", reversed_by=None, reversal_date=date(2026, 6, 14))

    # then the reversal date is named
    assert (refused.value.code, refused.value.field) == ("INVALID_REVERSAL_DATE", "reversalDate")


@freeze_time("2026-06-30 19:00:00+00:00")
def test_reversal_is_dated_today_in_india_by_default(chart):
    # given a voucher, and a moment that is 30 June in UTC but already 1 July in India
    original = receipt_post(voucher_date=MID_JUNE_2026)

    # when it is reversed without a date
    reversal = voucher_reverse(voucher=original, reason="cancelled", reversed_by=None)

    # then it is dated the Indian day
    assert reversal.voucher_date == date(2026, 7, 1)
    assert reversal.number == "2026-27/07/000002"


def test_voucher_on_a_gl_code_made_inactive_can_still_be_reversed(chart):
    # given a voucher whose water charges account was made inactive afterwards
    original = receipt_post()
    GLCode.objects.filter(code=WATER_CHARGES).update(is_active=False)

    # when it is reversed
    reversal = voucher_reverse(voucher=original, reason="cancelled", reversed_by=None)

    # then the reversal debits the inactive account
    assert sides(reversal)[WATER_CHARGES] == (Decimal("100.00"), Decimal("0.00"))


def test_reversal_is_audited_on_both_vouchers_with_the_reason(chart):
    # given an approver and a posted voucher
    approver = employee()
    original = receipt_post()

    # when the approver reverses it
    reversal = voucher_reverse(voucher=original, reason="wrong consumer", reversed_by=approver)

    # then the original is marked REVERSED and the reversal POSTED, each by the approver with the reason
    reversed_event = AuditEvent.objects.get(
        entity_type="ledger.voucher", entity_id=str(original.pk), action="VOUCHER_REVERSE"
    )
    posted_event = AuditEvent.objects.get(entity_type="ledger.voucher", entity_id=str(reversal.pk))
    assert (reversed_event.from_state, reversed_event.to_state, reversed_event.reason) == (
        "POSTED",
        "REVERSED",
        "wrong consumer",
    )
    assert reversed_event.data["reversalNumber"] == reversal.number
    assert (posted_event.action, posted_event.actor, posted_event.reason) == (
        "VOUCHER_POST",
        approver,
        "wrong consumer",
    )


def test_source_lists_its_voucher_and_reversal_in_posting_order(chart):
    # given a receipt for payment detail 42, later reversed
    original = receipt_post(source_id=42)
    reversal = voucher_reverse(voucher=original, reason="cancelled", reversed_by=None)

    # when the detail's vouchers are read
    vouchers = list(vouchers_for_source(source_type="collection.paymentdetail", source_id=42))

    # then both come back, original first
    assert vouchers == [original, reversal]
