from datetime import date, datetime
from decimal import Decimal

import pytest

from core.errors import ApplicationError
from core.models import AuditEvent, IdSequence
from ledger.models import GLCode, Voucher, VoucherLine
from ledger.services import LineSpec, voucher_post
from tests.core.factories import employee
from tests.ledger.factories import (
    ADVANCE,
    CASH,
    MID_JUNE_2026,
    PENALTY,
    PROPERTY_TAX,
    WATER_CHARGES,
    GLCodeFactory,
    receipt_post,
)


def lines_of(voucher: Voucher) -> set[tuple[str, Decimal, Decimal]]:
    return {(line.gl_code.code, line.debit, line.credit) for line in voucher.lines.select_related("gl_code")}


def nothing_written() -> bool:
    return not (Voucher.objects.exists() or VoucherLine.objects.exists() or IdSequence.objects.exists())


# --- Posting --------------------------------------------------------------------------------


def test_balanced_voucher_posts_with_a_number_from_id_generation(chart):
    # given a collector and a receipt of 250 split over two heads
    collector = employee()
    lines = [
        LineSpec(CASH, debit=Decimal("250.00")),
        LineSpec(WATER_CHARGES, credit=Decimal("200.00")),
        LineSpec(PENALTY, credit=Decimal("50.00")),
    ]

    # when it is posted twice in mid-June 2026
    first = receipt_post(lines=lines, posted_by=collector)
    second = receipt_post(lines=lines, posted_by=collector)

    # then each gets the next number of the city's voucher format, and the lines are stored as given
    assert (first.number, second.number) == ("2026-27/06/000001", "2026-27/06/000002")
    assert first.type == Voucher.Type.RECEIPT
    assert first.tenant_id == "pb.amritsar"
    assert first.posted_by == collector
    assert lines_of(first) == {
        (CASH, Decimal("250.00"), Decimal("0.00")),
        (WATER_CHARGES, Decimal("0.00"), Decimal("200.00")),
        (PENALTY, Decimal("0.00"), Decimal("50.00")),
    }


def test_voucher_number_carries_the_financial_year_of_the_voucher_date(chart):
    # given vouchers dated either side of the financial year's turn
    # when they are posted
    march = receipt_post(voucher_date=date(2027, 3, 31))
    april = receipt_post(voucher_date=date(2027, 4, 1))

    # then each is numbered in its own year, the new year counting from one
    assert march.number == "2026-27/03/000001"
    assert april.number == "2027-28/04/000001"


def test_each_city_numbers_its_vouchers_separately(chart):
    # given vouchers posted in Amritsar and Jalandhar
    # when each city posts its first
    amritsar = receipt_post(tenant_id="pb.amritsar")
    jalandhar = receipt_post(tenant_id="pb.jalandhar")

    # then both are number one of their city
    assert amritsar.number == jalandhar.number == "2026-27/06/000001"


def test_posting_writes_an_audit_row(chart):
    # given a collector
    collector = employee()

    # when a voucher is posted
    voucher = receipt_post(amount="75.00", posted_by=collector)

    # then the trail says who posted which voucher for how much
    event = AuditEvent.objects.get(entity_type="ledger.voucher", entity_id=str(voucher.pk))
    assert (event.action, event.to_state, event.actor, event.tenant_id) == (
        "VOUCHER_POST",
        "POSTED",
        collector,
        "pb.amritsar",
    )
    assert event.data["number"] == voucher.number
    assert Decimal(event.data["total"]) == Decimal("75.00")


def test_lines_on_the_same_gl_code_and_side_are_summed_into_one(chart):
    # given a receipt whose two arrears periods both credit water charges
    lines = [
        LineSpec(CASH, debit=Decimal("60.00")),
        LineSpec(CASH, debit=Decimal("40.00")),
        LineSpec(WATER_CHARGES, credit=Decimal("30.00")),
        LineSpec(WATER_CHARGES, credit=Decimal("70.00")),
    ]

    # when it is posted
    voucher = receipt_post(lines=lines)

    # then one line per GL code carries the sum
    assert lines_of(voucher) == {
        (CASH, Decimal("100.00"), Decimal("0.00")),
        (WATER_CHARGES, Decimal("0.00"), Decimal("100.00")),
    }


def test_amounts_given_as_text_and_whole_rupees_are_read_exactly(chart):
    # given amounts as a numeric string and as an integer
    lines = [LineSpec(CASH, debit="100.50"), LineSpec(WATER_CHARGES, credit=100), LineSpec(PENALTY, credit="0.50")]

    # when they are posted
    voucher = receipt_post(lines=lines)

    # then they are stored to the paisa
    assert lines_of(voucher) == {
        (CASH, Decimal("100.50"), Decimal("0.00")),
        (WATER_CHARGES, Decimal("0.00"), Decimal("100.00")),
        (PENALTY, Decimal("0.00"), Decimal("0.50")),
    }


def test_city_posts_to_its_own_gl_code_before_its_state_code_of_the_same_number(chart):
    # given Amritsar's own water charges account beside the state's
    own = GLCodeFactory(tenant=chart["pb.amritsar"], code=WATER_CHARGES, name="Amritsar water charges")

    # when Amritsar posts to that code
    voucher = receipt_post()

    # then its own account is credited
    assert voucher.lines.get(credit__gt=0).gl_code == own


# --- Refusals -------------------------------------------------------------------------------


def test_unbalanced_voucher_is_refused_naming_lines_and_nothing_is_written(chart):
    # given debits of 100 against credits of 90
    lines = [LineSpec(CASH, debit=Decimal("100.00")), LineSpec(WATER_CHARGES, credit=Decimal("90.00"))]

    # when it is posted
    with pytest.raises(ApplicationError) as refused:
        receipt_post(lines=lines)

    # then it is refused naming the lines, with no voucher, line or number used
    assert (refused.value.code, refused.value.field, refused.value.status_code) == (
        "VOUCHER_NOT_BALANCED",
        "lines",
        400,
    )
    assert nothing_written()


@pytest.mark.parametrize(
    ("debit", "credit"),
    [(Decimal("10.00"), Decimal("10.00")), (Decimal("0.00"), Decimal("0.00"))],
    ids=["both sides", "neither side"],
)
def test_line_with_both_or_neither_side_is_refused_naming_the_line(chart, debit, credit):
    # given a voucher whose second line has both sides or neither
    lines = [
        LineSpec(CASH, debit=Decimal("10.00")),
        LineSpec(WATER_CHARGES, debit=debit, credit=credit),
        LineSpec(PENALTY, credit=Decimal("10.00")),
    ]

    # when it is posted
    with pytest.raises(ApplicationError) as refused:
        receipt_post(lines=lines)

    # then that line is named and nothing is written
    assert (refused.value.code, refused.value.field) == ("INVALID_VOUCHER_LINE", "lines[1]")
    assert nothing_written()


@pytest.mark.parametrize(
    "amount",
    [Decimal("-100.00"), 100.0, Decimal("100.005"), "abc"],
    ids=["negative", "float", "three places", "text"],
)
def test_bad_amount_is_refused_naming_the_line_side(chart, amount):
    # given a first line with a bad debit
    lines = [LineSpec(CASH, debit=amount), LineSpec(WATER_CHARGES, credit=Decimal("100.00"))]

    # when it is posted
    with pytest.raises(ApplicationError) as refused:
        receipt_post(lines=lines)

    # then the debit of that line is named
    assert (refused.value.code, refused.value.field) == ("INVALID_AMOUNT", "lines[0].debit")
    assert nothing_written()


@pytest.mark.parametrize("lines", [[], [LineSpec(CASH, debit=Decimal("1.00"))]], ids=["none", "one"])
def test_voucher_with_fewer_than_two_lines_is_refused(chart, lines):
    # given fewer than two lines
    # when they are posted
    with pytest.raises(ApplicationError) as refused:
        voucher_post(
            tenant_id="pb.amritsar",
            voucher_type=Voucher.Type.JOURNAL,
            voucher_date=MID_JUNE_2026,
            lines=lines,
            narration="",
            source_type="test",
            source_id=1,
            posted_by=None,
        )

    # then the lines are named
    assert (refused.value.code, refused.value.field) == ("VOUCHER_TOO_FEW_LINES", "lines")
    assert nothing_written()


def test_gl_code_of_another_state_is_refused_naming_the_line(chart):
    # given an account only Odisha has
    GLCodeFactory(tenant=chart["od"], code="9990001")
    lines = [LineSpec(CASH, debit=Decimal("5.00")), LineSpec("9990001", credit=Decimal("5.00"))]

    # when Amritsar posts to it
    with pytest.raises(ApplicationError) as refused:
        receipt_post(lines=lines)

    # then the line's GL code is unknown to Amritsar
    assert (refused.value.code, refused.value.field) == ("UNKNOWN_GL_CODE", "lines[1].glCode")
    assert nothing_written()


def test_gl_code_of_another_city_is_refused(chart):
    # given an account Jalandhar keeps for itself
    GLCodeFactory(tenant=chart["pb.jalandhar"], code="9990002")
    lines = [LineSpec("9990002", debit=Decimal("5.00")), LineSpec(WATER_CHARGES, credit=Decimal("5.00"))]

    # when Amritsar posts to it
    with pytest.raises(ApplicationError) as refused:
        receipt_post(lines=lines)

    # then it is unknown to Amritsar
    assert (refused.value.code, refused.value.field) == ("UNKNOWN_GL_CODE", "lines[0].glCode")


def test_inactive_gl_code_takes_no_new_postings(chart):
    # given property tax made inactive
    GLCode.objects.filter(code=PROPERTY_TAX).update(is_active=False)
    lines = [LineSpec(CASH, debit=Decimal("5.00")), LineSpec(PROPERTY_TAX, credit=Decimal("5.00"))]

    # when a receipt credits it
    with pytest.raises(ApplicationError) as refused:
        receipt_post(lines=lines)

    # then it is refused naming the line
    assert (refused.value.code, refused.value.field) == ("GL_CODE_INACTIVE", "lines[1].glCode")


def test_state_tenant_cannot_post_a_voucher(chart):
    # given the state itself as the tenant
    # when it posts
    with pytest.raises(ApplicationError) as refused:
        receipt_post(tenant_id="pb")

    # then the tenant is named
    assert refused.value.field == "tenantId"
    assert nothing_written()


def test_reversal_type_cannot_be_posted_directly(chart):
    # given a REVERSAL voucher type
    # when it is posted through voucher_post
    with pytest.raises(ApplicationError) as refused:
        receipt_post(voucher_type=Voucher.Type.REVERSAL)

    # then the type is named
    assert (refused.value.code, refused.value.field) == ("INVALID_VOUCHER_TYPE", "voucherType")


def test_voucher_date_must_be_a_day_not_a_moment(chart):
    # given a datetime where a date belongs
    # when it is posted
    with pytest.raises(ApplicationError) as refused:
        receipt_post(voucher_date=datetime(2026, 6, 15, 10, 0))

    # then the date is named
    assert refused.value.field == "voucherDate"


def test_voucher_needs_its_source(chart):
    # given no source type
    # when it is posted
    with pytest.raises(ApplicationError) as refused:
        voucher_post(
            tenant_id="pb.amritsar",
            voucher_type=Voucher.Type.JOURNAL,
            voucher_date=MID_JUNE_2026,
            lines=[LineSpec(CASH, debit=Decimal("1.00")), LineSpec(WATER_CHARGES, credit=Decimal("1.00"))],
            narration="",
            source_type="  ",
            source_id=1,
            posted_by=None,
        )

    # then the source type is named
    assert refused.value.field == "sourceType"
    assert nothing_written()


# --- Replays --------------------------------------------------------------------------------


def test_replayed_posting_for_the_same_source_returns_the_first_voucher_and_writes_nothing(chart):
    # given a receipt voucher posted for payment detail 7
    first = receipt_post(source_id=7)
    audit_rows = AuditEvent.objects.count()

    # when the same posting is replayed
    replay = receipt_post(source_id="7")

    # then the first voucher comes back; no voucher, number or audit row is added
    assert replay.pk == first.pk
    assert Voucher.objects.count() == 1
    assert IdSequence.objects.get().last_value == 1
    assert AuditEvent.objects.count() == audit_rows


def test_second_posting_for_the_same_source_with_other_lines_is_refused_naming_the_source(chart):
    # given a receipt voucher of 100 posted for payment detail 7
    receipt_post(source_id=7, amount="100.00")

    # when a different receipt voucher is posted for the same detail
    with pytest.raises(ApplicationError) as refused:
        receipt_post(source_id=7, amount="120.00")

    # then it is refused naming the source, and only the first exists
    assert (refused.value.code, refused.value.field) == ("DUPLICATE_VOUCHER", "sourceId")
    assert Voucher.objects.count() == 1


def test_one_source_may_post_one_voucher_of_each_type(chart):
    # given a receipt voucher for payment detail 7
    receipt = receipt_post(source_id=7)

    # when a journal is posted for the same detail (a dishonour charge)
    journal = receipt_post(
        source_id=7,
        voucher_type=Voucher.Type.JOURNAL,
        lines=[LineSpec(ADVANCE, debit=Decimal("10.00")), LineSpec(PENALTY, credit=Decimal("10.00"))],
    )

    # then both stand
    assert journal.pk != receipt.pk
    assert set(Voucher.objects.values_list("type", flat=True)) == {"RECEIPT", "JOURNAL"}
