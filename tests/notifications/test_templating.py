import datetime
from decimal import Decimal

import pytest

from core.errors import ApplicationError
from notifications.templating import placeholders_of, text_render

JIT_FAILED = (
    "Payment of Rs. {amount} for MUKTA, transaction {UTRNO} is failed. "
    "Contact MUKTA Cell at ULB for more detail. MUKTA - Govt. of Odisha."
)


def test_placeholders_are_filled_from_the_context():
    text = text_render(JIT_FAILED, {"amount": Decimal("1500.00"), "UTRNO": "SBIN0000123"})

    assert text == (
        "Payment of Rs. 1500.00 for MUKTA, transaction SBIN0000123 is failed. "
        "Contact MUKTA Cell at ULB for more detail. MUKTA - Govt. of Odisha."
    )


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("1500"), "1500.00"),
        (Decimal("12.5"), "12.50"),
        (Decimal("0.005"), "0.01"),
        (Decimal("1E+3"), "1000.00"),
    ],
)
def test_decimal_amounts_are_written_with_two_places(amount, shown):
    assert text_render("Rs. {amount}", {"amount": amount}) == f"Rs. {shown}"


def test_a_float_amount_is_refused_naming_the_placeholder():
    with pytest.raises(ApplicationError) as refused:
        text_render("Rs. {amount}", {"amount": 1500.0})

    assert refused.value.code == "SMS_PLACEHOLDER_INVALID"
    assert refused.value.field == "amount"


def test_a_missing_placeholder_is_refused_by_name():
    with pytest.raises(ApplicationError) as refused:
        text_render(JIT_FAILED, {"amount": Decimal("10.00")})

    assert refused.value.code == "SMS_PLACEHOLDER_MISSING"
    assert refused.value.field == "UTRNO"
    assert "{UTRNO}" in refused.value.message


def test_a_placeholder_given_as_none_counts_as_missing():
    with pytest.raises(ApplicationError) as refused:
        text_render("Receipt {receipt_number}", {"receipt_number": None})

    assert refused.value.field == "receipt_number"


def test_dates_are_written_day_month_year():
    assert text_render("dated {day}", {"day": datetime.date(2026, 4, 1)}) == "dated 01-04-2026"


def test_aware_datetimes_are_written_in_ist():
    moment = datetime.datetime(2026, 4, 1, 18, 45, tzinfo=datetime.UTC)

    assert text_render("at {moment}", {"moment": moment}) == "at 02-04-2026 00:15"


@pytest.mark.parametrize(
    "text", ["{amount.__class__}", "{amount[0]}", "{amount!r}", "{amount:>10}", "{0}", "{}", "unclosed {amount"]
)
def test_anything_but_a_bare_name_in_braces_is_refused(text):
    with pytest.raises(ApplicationError) as refused:
        text_render(text, {"amount": Decimal("1.00")})

    assert refused.value.code == "SMS_TEMPLATE_INVALID"


def test_doubled_braces_stand_for_literal_braces():
    assert text_render("{{ref}} {ref}", {"ref": "R1"}) == "{ref} R1"


def test_a_value_containing_braces_is_not_rendered_again():
    assert text_render("Dear {name}", {"name": "{amount}"}) == "Dear {amount}"


def test_placeholders_are_listed_once_in_order_of_appearance():
    assert placeholders_of("{b} {a} {b} {{c}}") == ["b", "a"]
