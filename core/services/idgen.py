"""DIGIT-style id generation: `PI-[CITY.CODE]/[fy:yyyy-yy]/[SEQ_PI_NUM]` → `PI-AMR/2026-27/000001`.

Numbers are gap-free: the sequence row is locked and incremented inside the caller's transaction, so a
rolled-back receipt gives its number back. The price is that callers of one sequence in one tenant queue
on that row until each commits. Call it inside the transaction that stores the number; a busy caller reads
its format first (`id_plan`) and takes its numbers (`ids_take`) in the transaction's last statements, so
the row is held for those statements only."""

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection
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
# PostgreSQL and SQLite (3.35+) both return the updated row.
_SEQUENCE_ADVANCE = (
    'UPDATE "core_idsequence" SET "last_value" = "last_value" + %s '
    'WHERE "tenant_id" = %s AND "name" = %s AND "period" = %s RETURNING "last_value"'
)


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


@dataclass(frozen=True)
class IdPlan:
    """Everything an id of one kind needs but its number: read and checked before any sequence row is locked."""

    tenant: Tenant
    format: str
    sequence: str
    period: str
    moment: datetime


def id_generate(*, tenant_id: str, name: str, at: datetime | None = None) -> str:
    """The next id of kind `name` for the tenant, using the city's format or its state's."""
    return ids_take(plan=id_plan(tenant_id=tenant_id, name=name, at=at))[0]


def id_plan(*, tenant_id: str, name: str, at: datetime | None = None) -> IdPlan:
    """The tenant's format for `name` (the city's or its state's), checked, and the sequence it counts in;
    takes no number."""
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
    return IdPlan(
        tenant=tenant,
        format=id_format.format,
        sequence=id_format.name if sequence_token == "SEQ" else sequence_token,
        period=period,
        moment=moment,
    )


def ids_take(*, plan: IdPlan, count: int = 1) -> list[str]:
    """`count` consecutive ids of the plan, in one statement. The sequence row stays locked until the caller's
    transaction ends: take the numbers last, and several sequences always in the same order."""
    last = _sequence_advance(tenant_id=plan.tenant.code, name=plan.sequence, period=plan.period, count=count)
    return [
        _TOKEN.sub(
            lambda match, number=number: _render(match.group(1), tenant=plan.tenant, moment=plan.moment, number=number),
            plan.format,
        )
        for number in range(last - count + 1, last + 1)
    ]


def _sequence_advance(*, tenant_id: str, name: str, period: str, count: int) -> int:
    """The sequence's last value after adding `count`: one UPDATE … RETURNING, which waits for the row's holder
    and then adds to what that holder committed."""
    with connection.cursor() as cursor:
        cursor.execute(_SEQUENCE_ADVANCE, [count, tenant_id, name, period])
        row = cursor.fetchone()
        if row is None:
            # The sequence's first use: concurrent first callers race to create the row; the losers wait for
            # the winner, then add to it.
            IdSequence.objects.bulk_create(
                [IdSequence(tenant_id=tenant_id, name=name, period=period, last_value=0)], ignore_conflicts=True
            )
            cursor.execute(_SEQUENCE_ADVANCE, [count, tenant_id, name, period])
            row = cursor.fetchone()
    return row[0]


def _render(token: str, *, tenant: Tenant, moment: datetime, number: int) -> str:
    if _SEQUENCE_TOKEN.fullmatch(token):
        return f"{number:0{SEQUENCE_WIDTH}d}"
    if token.startswith("fy:"):
        return financial_year_label(moment.date(), start_month=tenant.financial_year_start_month, pattern=token[3:])
    if token.startswith("cy:"):
        return _DATE_PART.sub(lambda part: moment.strftime(_DATE_PARTS[part.group(0)]), token[3:])
    return tenant.city_code
