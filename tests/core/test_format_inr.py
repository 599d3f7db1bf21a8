"""Amounts for people, in Indian digit grouping: the last three rupee digits, then pairs."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from core.money import format_inr


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("0", "0.00"),
        ("999.5", "999.50"),
        ("1000", "1,000.00"),
        ("100000", "1,00,000.00"),
        ("2500000", "25,00,000.00"),
        ("12345678.90", "1,23,45,678.90"),
        ("999999999999.99", "9,99,99,99,99,999.99"),
        ("-100000.50", "-1,00,000.50"),
    ],
)
def test_an_amount_is_grouped_in_lakhs_and_crores(amount, shown):
    assert format_inr(Decimal(amount)) == shown


def test_an_amount_is_rounded_to_paise_half_up():
    assert format_inr(Decimal("1000.005")) == "1,000.01"


def test_the_template_filter_groups_amounts_and_leaves_other_values_alone():
    template = Template("{% load money %}{{ amount|inr }} {{ missing|inr }}")

    assert template.render(Context({"amount": Decimal("2500000.00"), "missing": "—"})) == "25,00,000.00 —"
