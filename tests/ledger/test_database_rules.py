"""Rules the database keeps even when code writes past the services."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from ledger.models import GLCode, Voucher, VoucherLine
from ledger.services import voucher_reverse
from tests.ledger.factories import CASH, WATER_CHARGES, VoucherFactory, VoucherLineFactory, receipt_post


def gl(code: str) -> GLCode:
    return GLCode.objects.get(tenant_id="pb", code=code)


# --- Everywhere (CHECK and UNIQUE) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("debit", "credit"),
    [(Decimal("5.00"), Decimal("5.00")), (Decimal("0.00"), Decimal("0.00")), (Decimal("-5.00"), Decimal("0.00"))],
    ids=["both sides", "neither side", "negative"],
)
def test_database_refuses_a_line_without_exactly_one_positive_side(chart, debit, credit):
    # given a voucher and a line with both sides, neither, or a negative side
    # when they are written directly
    # then the database refuses the line
    with pytest.raises(IntegrityError), transaction.atomic():
        VoucherLineFactory(voucher=VoucherFactory(), gl_code=gl(CASH), debit=debit, credit=credit)


def test_database_refuses_a_second_voucher_of_one_type_for_one_source(chart):
    # given a receipt voucher for payment detail 7
    receipt_post(source_id=7)

    # when another receipt voucher for detail 7 is written directly
    # then the database refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        VoucherFactory(type=Voucher.Type.RECEIPT, source_type="collection.paymentdetail", source_id="7")


def test_database_refuses_a_second_reversal_of_one_voucher(chart):
    # given a reversed voucher
    original = receipt_post()
    voucher_reverse(voucher=original, reason="cancelled", reversed_by=None)

    # when a second reversal of it is written directly
    # then the database refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        VoucherFactory(type=Voucher.Type.REVERSAL, reversal_of=original)


@pytest.mark.parametrize(
    ("voucher_type", "links_original"),
    [(Voucher.Type.REVERSAL, False), (Voucher.Type.JOURNAL, True)],
    ids=["reversal without original", "journal with original"],
)
def test_database_refuses_a_reversal_link_that_does_not_match_the_type(chart, voucher_type, links_original):
    # given a posted voucher
    original = receipt_post()

    # when a reversal without an original, or a journal pointing at one, is written directly
    # then the database refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        VoucherFactory(type=voucher_type, reversal_of=original if links_original else None)


def test_database_refuses_a_second_voucher_number_in_one_city(chart):
    # given a posted voucher
    posted = receipt_post()

    # when another voucher with its number is written directly in the same city
    # then the database refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        VoucherFactory(number=posted.number)


# --- PostgreSQL triggers --------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_database_refuses_an_unbalanced_voucher_written_past_the_service_at_commit(chart):
    # given a voucher with 100 debited and 90 credited, written with the ORM inside one transaction
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        voucher = VoucherFactory()
        VoucherLineFactory(voucher=voucher, gl_code=gl(CASH), debit=Decimal("100.00"))
        VoucherLineFactory(voucher=voucher, gl_code=gl(WATER_CHARGES), credit=Decimal("90.00"))
        # the rows are accepted one by one: the check waits for the commit
        assert VoucherLine.objects.filter(voucher=voucher).count() == 2

    # when it commits
    # then the deferred trigger refuses it as a check violation and nothing stays
    assert refused.value.__cause__.sqlstate == "23514"
    assert "does not balance" in str(refused.value)
    assert not Voucher.objects.exists()
    assert not VoucherLine.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_database_accepts_a_balanced_voucher_written_past_the_service(chart):
    # given a balanced voucher written with the ORM, its credit line first
    with transaction.atomic():
        voucher = VoucherFactory()
        VoucherLineFactory(voucher=voucher, gl_code=gl(WATER_CHARGES), credit=Decimal("100.00"))
        VoucherLineFactory(voucher=voucher, gl_code=gl(CASH), debit=Decimal("100.00"))

    # when it has committed
    # then it is there
    assert VoucherLine.objects.filter(voucher=voucher).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_database_refuses_a_voucher_without_lines_at_commit(chart):
    # given a voucher row with no lines
    # when it commits
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        VoucherFactory()

    # then it is refused
    assert refused.value.__cause__.sqlstate == "23514"
    assert not Voucher.objects.exists()


@pytest.mark.postgres
def test_database_refuses_to_change_a_posted_line(chart):
    # given a posted voucher
    voucher = receipt_post(amount="100.00")

    # when its lines are changed directly, even keeping it balanced
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        VoucherLine.objects.filter(voucher=voucher).update(debit=F("credit"), credit=F("debit"))

    # then the database refuses it
    assert refused.value.__cause__.sqlstate == "23001"


@pytest.mark.postgres
def test_database_refuses_to_delete_a_posted_voucher_and_its_lines(chart):
    # given a posted voucher
    voucher = receipt_post()

    # when its lines, then the voucher row itself, are deleted directly
    with pytest.raises(IntegrityError), transaction.atomic():
        VoucherLine.objects.filter(voucher=voucher).delete()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_voucher WHERE id = %s", [voucher.pk])

    # then both are still there
    assert Voucher.objects.filter(pk=voucher.pk).exists()
    assert VoucherLine.objects.filter(voucher=voucher).count() == 2


@pytest.mark.postgres
def test_database_refuses_to_change_a_posted_voucher(chart):
    # given a posted voucher
    voucher = receipt_post()

    # when its narration is changed directly
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        Voucher.objects.filter(pk=voucher.pk).update(narration="edited")

    # then the database refuses it
    assert refused.value.__cause__.sqlstate == "23001"


def balanced_voucher(number: str) -> Voucher:
    """A voucher of 10.00 written straight to the database under `number`."""
    voucher = VoucherFactory(number=number)
    VoucherLineFactory(voucher=voucher, gl_code=gl(CASH), debit=Decimal("10.00"), credit=Decimal("0.00"))
    VoucherLineFactory(voucher=voucher, gl_code=gl(WATER_CHARGES), debit=Decimal("0.00"), credit=Decimal("10.00"))
    return voucher


@pytest.mark.postgres
def test_database_lets_a_voucher_written_with_a_placeholder_take_its_number_and_narration(chart):
    # given a voucher written with a placeholder for its number, in the transaction that numbers it
    voucher = balanced_voucher("~id.0123abcd~")

    # when its number and narration are put in place
    updated = Voucher.objects.filter(pk=voucher.pk).update(number="2026-27/11/000001", narration="Receipt WS/000001")

    # then the database lets that change through
    assert updated == 1
    assert Voucher.objects.get(pk=voucher.pk).number == "2026-27/11/000001"


@pytest.mark.postgres
def test_database_refuses_a_numbered_voucher_a_new_number(chart):
    # given a voucher that has its number
    voucher = balanced_voucher("2026-27/11/000001")

    # when it is renumbered directly
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        Voucher.objects.filter(pk=voucher.pk).update(number="2026-27/11/000002")

    # then the database refuses it
    assert refused.value.__cause__.sqlstate == "23001"


@pytest.mark.postgres
def test_database_refuses_more_than_the_number_with_a_placeholders_replacement(chart):
    # given a voucher written with a placeholder for its number
    voucher = balanced_voucher("~id.0123abcd~")

    # when its number is put in place together with another column, or with another placeholder
    with pytest.raises(IntegrityError) as redated, transaction.atomic():
        Voucher.objects.filter(pk=voucher.pk).update(number="2026-27/11/000001", fund="02")
    with pytest.raises(IntegrityError) as still_placeholder, transaction.atomic():
        Voucher.objects.filter(pk=voucher.pk).update(number="~id.4567ef~")

    # then the database refuses both
    assert redated.value.__cause__.sqlstate == still_placeholder.value.__cause__.sqlstate == "23001"
