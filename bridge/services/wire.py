"""Reading the G2P payloads' fields: text, counts, amounts and dates, each refused with the anchor's code."""

import re
from datetime import date
from decimal import Decimal

from bridge.errors import BridgeRejection, ErrorCode
from core.errors import ApplicationError
from core.money import to_amount

# Ids Kosh accepts from a caller: they travel in MT940 narratives and references, so no spaces or "//".
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


def text(payload: dict, field: str, code: ErrorCode, *, limit: int, required: bool = True) -> str:
    value = payload.get(field)
    if value is None:
        value = ""
    if not isinstance(value, str) or len(value.strip()) > limit or (required and not value.strip()):
        raise BridgeRejection(code, f"{field}: {'required ' if required else ''}text of at most {limit} characters")
    return value.strip()


def identifier(value, *, field: str, code: ErrorCode) -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise BridgeRejection(code, f"{field}: 1 to 64 letters, digits, '.', '_', ':' or '-', starting alphanumeric")
    return value


def count(payload: dict, field: str, code: ErrorCode) -> int:
    value = payload.get(field)
    if isinstance(value, bool) or not isinstance(value, int | Decimal) or value != int(value) or value < 1:
        raise BridgeRejection(code, f"{field}: a whole number of at least 1")
    if value > 100_000_000:
        raise BridgeRejection(code, f"{field}: at most 100,000,000")
    return int(value)


def amount(value, *, field: str, code: ErrorCode, allow_zero: bool) -> Decimal:
    """An exact amount: a JSON number (read as Decimal) or a numeric string, at most two decimal places."""
    try:
        return to_amount(value, field=field, allow_zero=allow_zero)
    except ApplicationError as exc:
        raise BridgeRejection(code, exc.message) from None


def iso_date(value, *, field: str, code: ErrorCode) -> date:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else _refuse(field, code)
    except ValueError:
        return _refuse(field, code)


def _refuse(field: str, code: ErrorCode):
    raise BridgeRejection(code, f"{field}: a date as YYYY-MM-DD")
