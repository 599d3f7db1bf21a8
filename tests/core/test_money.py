from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ApplicationError
from core.money import MAX_AMOUNT, quantize, to_amount


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        (Decimal("12.5"), Decimal("12.50")),
        (Decimal("1234.56"), Decimal("1234.56")),
        (1500, Decimal("1500.00")),
        ("99.99", Decimal("99.99")),
        (" 7.10 ", Decimal("7.10")),
        ("5.", Decimal("5.00")),
        (".25", Decimal("0.25")),
    ],
)
def test_exact_values_are_read_as_rupees_with_two_places(value, amount):
    # given an exact amount as a Decimal, int or text
    # when it is read
    result = to_amount(value, field="amount")

    # then it is the same amount with two places
    assert result == amount
    assert result.as_tuple().exponent == -2


def test_largest_amount_numeric_14_2_holds_is_accepted():
    # given the largest NUMERIC(14,2) value
    value = "999999999999.99"

    # when it is read
    result = to_amount(value, field="amount")

    # then it is kept whole
    assert result == MAX_AMOUNT


def test_trailing_zeros_beyond_two_places_are_not_extra_precision():
    # given an amount written with three places whose last is zero
    value = Decimal("10.500")

    # when it is read
    result = to_amount(value, field="amount")

    # then it is the same amount
    assert result == Decimal("10.50")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (10.5, "float"),
        (0.1, "float"),
        (True, "bool"),
        (False, "bool"),
        (Decimal("NaN"), "finite"),
        (Decimal("sNaN"), "finite"),
        (Decimal("Infinity"), "finite"),
        (Decimal("-Infinity"), "finite"),
        ("NaN", "not a number"),
        ("Infinity", "not a number"),
        ("10.001", "two decimal places"),
        (Decimal("0.005"), "two decimal places"),
        ("1000000000000.00", "more than"),
        (Decimal("1E+30"), "more than"),
        (10**13, "more than"),
        ("1e3", "not a number"),
        ("1_000", "not a number"),
        ("١٢٣", "not a number"),
        ("", "not a number"),
        ("12,50", "not a number"),
        (None, "required"),
        ([10], "required"),
    ],
)
def test_inexact_or_out_of_range_values_are_refused_naming_the_field(value, message):
    # given a value that is not an exact NUMERIC(14,2) amount
    # when it is read for the field "totalAmount"
    with pytest.raises(ApplicationError) as refused:
        to_amount(value, field="totalAmount")

    # then it is refused, naming that field and the reason
    assert refused.value.code == "INVALID_AMOUNT"
    assert refused.value.field == "totalAmount"
    assert refused.value.message.startswith("totalAmount: ")
    assert message in refused.value.message


def test_negative_amount_is_refused_by_default():
    # given a negative amount
    # when it is read without negatives allowed
    with pytest.raises(ApplicationError) as refused:
        to_amount("-1.00", field="paidAmount")

    # then it is refused naming the field
    assert refused.value.field == "paidAmount"
    assert "negative" in refused.value.message


def test_negative_amount_is_read_when_allowed():
    # given a negative amount, as an adjustment carries
    # when it is read with negatives allowed
    result = to_amount("-1.25", field="adjustment", allow_negative=True)

    # then it is kept
    assert result == Decimal("-1.25")


def test_most_negative_numeric_14_2_value_is_the_limit_when_negatives_are_allowed():
    # given an amount one paisa beyond the most negative NUMERIC(14,2) value
    # when it is read with negatives allowed
    with pytest.raises(ApplicationError) as refused:
        to_amount("-1000000000000.00", field="adjustment", allow_negative=True)

    # then it is refused naming the field
    assert refused.value.field == "adjustment"


def test_zero_is_refused_when_not_allowed():
    # given a zero amount
    # when it is read where zero is not allowed
    with pytest.raises(ApplicationError) as refused:
        to_amount("0.00", field="amount", allow_zero=False)

    # then it is refused naming the field
    assert refused.value.field == "amount"
    assert "zero" in refused.value.message


def test_zero_is_read_when_allowed():
    # given a zero amount
    # when it is read where zero is allowed
    result = to_amount(0, field="amount", allow_zero=True)

    # then it is zero rupees
    assert result == Decimal("0.00")


def test_negative_zero_is_read_as_plain_zero():
    # given zero written with a minus sign
    # when it is read
    result = to_amount("-0", field="amount")

    # then no minus sign survives into the amount
    assert str(result) == "0.00"


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (Decimal("0.005"), Decimal("0.01")),
        (Decimal("2.675"), Decimal("2.68")),
        (Decimal("2.665"), Decimal("2.67")),
        (Decimal("0.004"), Decimal("0.00")),
        (Decimal("-0.005"), Decimal("-0.01")),
        (Decimal("10"), Decimal("10.00")),
    ],
)
def test_quantize_rounds_half_up_to_paise(value, rounded):
    # given a Decimal with more than two places
    # when it is rounded
    result = quantize(value)

    # then halves go away from zero and the result has two places
    assert result == rounded
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize("value", [2.675, 1, "2.675"])
def test_quantize_refuses_anything_but_a_decimal(value):
    # given a value that is not a Decimal
    # when it is rounded
    # then it is refused
    with pytest.raises(TypeError, match="Decimal"):
        quantize(value)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity")])
def test_quantize_refuses_a_decimal_that_is_not_finite(value):
    # given a Decimal that is not a number of rupees
    # when it is rounded
    # then it is refused
    with pytest.raises(ValueError, match="finite"):
        quantize(value)


paise = st.decimals(min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT, places=2, allow_nan=False, allow_infinity=False)
any_finite_amount = st.decimals(
    min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT, allow_nan=False, allow_infinity=False
).filter(lambda value: abs(quantize(value)) <= MAX_AMOUNT)


@given(amount=paise)
def test_an_amount_written_as_text_reads_back_unchanged(amount):
    # given any NUMERIC(14,2) amount
    # when it is written as text and read back
    result = to_amount(str(amount), field="amount", allow_negative=True)

    # then it is the same amount, with two places
    assert result == amount
    assert result.as_tuple().exponent == -2


@given(value=any_finite_amount)
def test_quantize_lands_within_half_a_paisa_and_reads_back_exactly(value):
    # given any finite Decimal in range
    # when it is rounded
    rounded = quantize(value)

    # then it moved by at most half a paisa, rounding again changes nothing, and it is an exact amount
    assert abs(rounded - value) <= Decimal("0.005")
    assert quantize(rounded) == rounded
    assert to_amount(rounded, field="amount", allow_negative=True) == rounded


@given(whole_paise=st.integers(min_value=0, max_value=10**14 - 2), negative=st.booleans())
def test_quantize_breaks_a_tie_away_from_zero(whole_paise, negative):
    # given a value exactly half a paisa above a whole number of paise (or below, when negative)
    sign = -1 if negative else 1
    value = sign * (Decimal(whole_paise).scaleb(-2) + Decimal("0.005"))

    # when it is rounded
    rounded = quantize(value)

    # then it goes to the neighbour further from zero
    assert rounded == sign * Decimal(whole_paise + 1).scaleb(-2)
