"""DIGIT-style id generation: `PI-[CITY.CODE]/[fy:yyyy-yy]/[SEQ_PI_NUM]` → `PI-AMR/2026-27/000001`.

Numbers are gap-free: the sequence row is locked and incremented inside the caller's transaction, so a
rolled-back receipt gives its number back. The price is that callers of one sequence in one tenant queue
on that row until each commits. Call it inside the transaction that stores the number."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError
from core.fiscal import financial_year_label
from core.models import IdFormat, IdSequence, Tenant
from core.selectors import id_format_get, tenant_get

_TOKEN = re.compile(r"\[([^\[\]]+)\]")
# `[SEQ_COLL_RCPT_NUM]` names its sequence; a bare `[SEQ]` counts in a sequence named after the format.
_SEQUENCE_TOKEN = re.compile(r"SEQ(_[A-Za-z0-9_]+)?")
_DATE_PARTS = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}
_DATE_PART = re.compile("|".join(sorted(_DATE_PARTS, key=len, reverse=True)))
# What may sit between date parts in `[cy:…]`; a stray letter is a typo such as `MMM`.
_DATE_SEPARATORS = re.compile(r"[-/. :_]*")
CITY_CODE_TOKEN = "CITY.CODE"
SEQUENCE_WIDTH = 6
# Dates in numbers are Indian dates, whatever time zone a request has activated.
ID_TIME_ZONE = ZoneInfo("Asia/Kolkata")


def id_format_validate(*, text: str) -> str:
    """The sequence token a format uses; refuses unknown tokens and formats with no or several sequences."""
    sequences = []
    for token in _TOKEN.findall(text):
        if _SEQUENCE_TOKEN.fullmatch(token):
            sequences.append(token)
        elif token.startswith("fy:"):
            try:
                financial_year_label(timezone.localdate(), pattern=token[3:])
            except ValueError as exc:
                raise ApplicationError("INVALID_ID_FORMAT", f"format: {exc}", field="format") from None
        elif token.startswith("cy:"):
            pattern = token[3:]
            if not _DATE_PART.search(pattern) or not _DATE_SEPARATORS.fullmatch(_DATE_PART.sub("", pattern)):
                raise ApplicationError(
                    "INVALID_ID_FORMAT",
                    f"format: [{token}] may use only {', '.join(_DATE_PARTS)} and separators",
                    field="format",
                )
        elif token != CITY_CODE_TOKEN:
            raise ApplicationError("INVALID_ID_FORMAT", f"format: unknown token [{token}]", field="format")
    if len(sequences) != 1:
        raise ApplicationError("INVALID_ID_FORMAT", "format: needs exactly one [SEQ_…] token", field="format")
    return sequences[0]


def id_generate(*, tenant_id: str, name: str, at: datetime | None = None) -> str:
    """The next id of kind `name` for the tenant, using the city's format or its state's."""
    tenant = tenant_get(code=tenant_id)
    id_format = id_format_get(tenant_id=tenant.code, name=name)
    sequence_token = id_format_validate(text=id_format.format)
    # Refused before a number is taken, so the refusal leaves no gap.
    if f"[{CITY_CODE_TOKEN}]" in id_format.format and not tenant.city_code:
        raise ApplicationError(
            "INVALID_ID_FORMAT", f"tenantId: '{tenant.code}' has no city code for [CITY.CODE]", field="tenantId"
        )
    moment = timezone.localtime(at or timezone.now(), ID_TIME_ZONE)
    period = ""
    if id_format.reset == IdFormat.Reset.FINANCIAL_YEAR:
        period = financial_year_label(moment.date(), start_month=tenant.financial_year_start_month)
    sequence_name = id_format.name if sequence_token == "SEQ" else sequence_token
    number = _sequence_next(tenant_id=tenant.code, name=sequence_name, period=period)
    return _TOKEN.sub(
        lambda match: _render(match.group(1), tenant=tenant, moment=moment, number=number), id_format.format
    )


def _sequence_next(*, tenant_id: str, name: str, period: str) -> int:
    with transaction.atomic():
        # Concurrent first callers race to create the row; the losers wait for the winner, then lock it.
        IdSequence.objects.bulk_create(
            [IdSequence(tenant_id=tenant_id, name=name, period=period, last_value=0)], ignore_conflicts=True
        )
        sequence = IdSequence.objects.select_for_update().get(tenant_id=tenant_id, name=name, period=period)
        sequence.last_value += 1
        sequence.save(update_fields=["last_value"])
        return sequence.last_value


def _render(token: str, *, tenant: Tenant, moment: datetime, number: int) -> str:
    if _SEQUENCE_TOKEN.fullmatch(token):
        return f"{number:0{SEQUENCE_WIDTH}d}"
    if token.startswith("fy:"):
        return financial_year_label(moment.date(), start_month=tenant.financial_year_start_month, pattern=token[3:])
    if token.startswith("cy:"):
        return _DATE_PART.sub(lambda part: moment.strftime(_DATE_PARTS[part.group(0)]), token[3:])
    return tenant.city_code
