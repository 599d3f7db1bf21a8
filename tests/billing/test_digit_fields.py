"""The DIGIT wire fields in core/digit/fields.py that billing reads amounts, moments and lists with."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers

from core.digit.fields import AmountField, CommaSeparatedListField, EpochMillisField


class Sample(serializers.Serializer):
    amount = AmountField(required=False)
    signed = AmountField(required=False, allow_negative=True)
    at = EpochMillisField(required=False)
    codes = CommaSeparatedListField(required=False, max_items=3, child=serializers.RegexField(r"^[A-Z0-9-]+$"))


def errors_of(**data) -> dict:
    serializer = Sample(data=data)
    assert not serializer.is_valid()
    return serializer.errors


@pytest.mark.parametrize("value", [Decimal("1603.00"), 1603, "1603", "1603.0"])
def test_amount_reads_exact_decimals(value):
    serializer = Sample(data={"amount": value})

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["amount"] == Decimal("1603.00")


@pytest.mark.parametrize("value", [1603.0, "1.005", "NaN", "Infinity", True, "1e3", None, [], "-1"])
def test_amount_refuses_floats_extra_places_and_non_numbers(value):
    errors = errors_of(amount=value)

    assert "amount" in errors


def test_amount_may_be_negative_only_where_allowed():
    serializer = Sample(data={"signed": "-150.00"})

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["signed"] == Decimal("-150.00")
    assert "amount" in errors_of(amount="-150.00")


@given(st.decimals(min_value=-(10**11), max_value=10**11, places=2, allow_nan=False, allow_infinity=False))
def test_any_two_place_amount_round_trips(amount):
    serializer = Sample(data={"signed": amount})

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["signed"] == amount


def test_epoch_millis_becomes_a_utc_moment():
    serializer = Sample(data={"at": 1_775_001_600_123})

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["at"] == datetime(2026, 4, 1, 0, 0, 0, 123000, tzinfo=UTC)


@pytest.mark.parametrize("value", [1.5, "12.5", -1, True, "soon", 10**20, Decimal("1.5")])
def test_epoch_millis_refuses_what_is_not_a_whole_count_in_range(value):
    assert "at" in errors_of(at=value)


def test_epoch_millis_is_written_back_as_milliseconds():
    assert EpochMillisField().to_representation(datetime(2026, 4, 1, tzinfo=UTC)) == 1_775_001_600_000


def test_comma_list_splits_and_checks_each_item():
    serializer = Sample(data={"codes": "WS-1, PT-2,,"})

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["codes"] == ["WS-1", "PT-2"]


def test_comma_list_names_the_bad_item_and_caps_the_count():
    assert list(errors_of(codes="WS-1,bad code")["codes"]) == [1]
    assert "codes" in errors_of(codes="A,B,C,D")
