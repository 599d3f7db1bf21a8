"""Serializer fields for DIGIT wire values: exact rupee amounts and epoch-millisecond moments."""

from datetime import datetime, timedelta
from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.digit.envelope import EPOCH, epoch_millis
from core.errors import ApplicationError
from core.money import to_amount

# 1 Jan 1970 to 31 Dec 9999: what a datetime can hold.
MAX_EPOCH_MILLIS = 253_402_300_799_999


@extend_schema_field({"type": "number", "multipleOf": 0.01, "example": 1603.00})
class AmountField(serializers.Field):
    """An amount in rupees, read with `core.money.to_amount`: JSON numbers (parsed as Decimal), integers or numeric
    strings; floats, NaN and a third decimal place are refused. Written back as a number."""

    default_error_messages = {"invalid": "{message}"}

    def __init__(self, *, allow_negative: bool = False, allow_zero: bool = True, **kwargs):
        self.allow_negative = allow_negative
        self.allow_zero = allow_zero
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> Decimal:
        try:
            return to_amount(
                data, field=self.field_name, allow_negative=self.allow_negative, allow_zero=self.allow_zero
            )
        except ApplicationError as exc:
            # The message names the field itself; the envelope adds the full path.
            raise serializers.ValidationError(exc.message.split(": ", 1)[-1], code="INVALID_AMOUNT") from None

    def to_representation(self, value):
        return value


@extend_schema_field(OpenApiTypes.INT64)
class EpochMillisField(serializers.Field):
    """A moment as DIGIT sends it: whole milliseconds since 1970 (a JSON integer or a string of digits)."""

    def to_internal_value(self, data) -> datetime:
        if isinstance(data, bool) or not isinstance(data, int | str | Decimal):
            raise serializers.ValidationError("epoch milliseconds must be a whole number", code="INVALID_EPOCH")
        if isinstance(data, str):
            if not data.strip().isdigit() or not data.strip().isascii():
                raise serializers.ValidationError("epoch milliseconds must be a whole number", code="INVALID_EPOCH")
            data = int(data.strip())
        if isinstance(data, Decimal):
            if not data.is_finite() or data != data.to_integral_value():
                raise serializers.ValidationError("epoch milliseconds must be a whole number", code="INVALID_EPOCH")
            data = int(data)
        if not 0 <= data <= MAX_EPOCH_MILLIS:
            raise serializers.ValidationError("epoch milliseconds out of range", code="INVALID_EPOCH")
        return EPOCH + timedelta(milliseconds=data)

    def to_representation(self, value: datetime) -> int | None:
        return epoch_millis(value)


class CommaSeparatedListField(serializers.CharField):
    """A list in one query-string value, as DIGIT sends it: `consumerCode=WS-1,WS-2`. Each item is checked by
    `child`; empty items are dropped."""

    def __init__(self, *, child: serializers.Field | None = None, max_items: int = 100, **kwargs):
        self.child = child or serializers.CharField(max_length=64)
        self.max_items = max_items
        kwargs.setdefault("max_length", max_items * 100)
        super().__init__(**kwargs)
        self.child.bind(field_name="", parent=self)

    def to_internal_value(self, data) -> list:
        text = super().to_internal_value(data)
        items = [item.strip() for item in text.split(",") if item.strip()]
        if len(items) > self.max_items:
            raise serializers.ValidationError(f"at most {self.max_items} values", code="max_items")
        values, errors = [], {}
        for index, item in enumerate(items):
            try:
                values.append(self.child.run_validation(item))
            except serializers.ValidationError as exc:
                errors[index] = exc.detail
        if errors:
            raise serializers.ValidationError(errors)
        return values
