"""Money in Kosh: `Decimal` rupees with two places, rounded half-up in one place, never a float."""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.db import models

from core.errors import ApplicationError

PAISA = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_DIGITS = 14
DECIMAL_PLACES = 2
# NUMERIC(14,2): twelve digits of rupees.
MAX_AMOUNT = Decimal("999999999999.99")
# Plain ASCII notation only: Decimal() would also take "1_000", "1e3" and non-Latin digits.
_AMOUNT_TEXT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


def quantize(value: Decimal) -> Decimal:
    """Round to paise, half-up: the only rounding money gets in Kosh."""
    if not isinstance(value, Decimal):
        raise TypeError(f"quantize() takes a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"quantize() takes a finite Decimal, not {value}")
    return value.quantize(PAISA, rounding=ROUND_HALF_UP)


def to_amount(value, *, field: str = "amount", allow_zero: bool = True, allow_negative: bool = False) -> Decimal:
    """Read an amount from a boundary (API, form, file) exactly, or refuse it naming the field.

    Accepts Decimal, int and numeric strings. Refuses floats (they already lost paise), booleans,
    NaN/infinity, more than two decimal places and amounts beyond NUMERIC(14,2)."""
    if isinstance(value, bool | float):
        raise ApplicationError(
            "INVALID_AMOUNT", f"{field}: amounts must be exact decimals, not {type(value).__name__}", field=field
        )
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        if not _AMOUNT_TEXT.fullmatch(value.strip()):
            raise ApplicationError("INVALID_AMOUNT", f"{field}: '{value}' is not a number", field=field)
        amount = Decimal(value.strip())
    else:
        raise ApplicationError("INVALID_AMOUNT", f"{field}: an amount is required", field=field)
    if not amount.is_finite():
        raise ApplicationError("INVALID_AMOUNT", f"{field}: amounts must be finite", field=field)
    # Checked before rounding: quantizing a huge Decimal would overflow the context's precision.
    if abs(amount) > MAX_AMOUNT:
        raise ApplicationError("INVALID_AMOUNT", f"{field}: more than {MAX_AMOUNT}", field=field)
    if amount != amount.quantize(PAISA, rounding=ROUND_HALF_UP):
        raise ApplicationError("INVALID_AMOUNT", f"{field}: at most two decimal places", field=field)
    if amount < 0 and not allow_negative:
        raise ApplicationError("INVALID_AMOUNT", f"{field}: must not be negative", field=field)
    if amount == 0:
        if not allow_zero:
            raise ApplicationError("INVALID_AMOUNT", f"{field}: must be more than zero", field=field)
        # "-0" would otherwise come back as Decimal("-0.00").
        return ZERO
    return amount.quantize(PAISA)


def format_inr(amount: Decimal) -> str:
    """An amount as it is read in India: the last three rupee digits, then pairs (₹25,00,000.00 is 25 lakh).
    For people (pages, PDFs); files for machines keep plain numbers."""
    rounded = quantize(amount)
    sign = "-" if rounded < 0 else ""
    rupees, paise = f"{abs(rounded):f}".split(".")
    head, tail = rupees[:-3], rupees[-3:]
    pairs = []
    while head:
        head, pairs = head[:-2], [head[-2:], *pairs]
    return f"{sign}{','.join([*pairs, tail])}.{paise}"


class AmountField(models.DecimalField):
    """A NUMERIC(14,2) column of rupees."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", DECIMAL_PLACES)
        super().__init__(*args, **kwargs)
