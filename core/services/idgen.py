"""DIGIT-style id generation: `PI-[CITY.CODE]/[fy:yyyy-yy]/[SEQ_PI_NUM]` → `PI-AMR/2026-27/000001`.

Numbers are gap-free: the sequence row is locked and incremented inside the caller's transaction, so a
rolled-back receipt gives its number back. The price is that callers of one sequence in one tenant queue
on that row until each commits."""

import re
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError
from core.fiscal import financial_year_label
from core.models import IdFormat, IdSequence, Tenant
from core.selectors import id_format_get, tenant_get

_TOKEN = re.compile(r"\[([^\[\]]+)\]")
_DATE_PARTS = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}
_DATE_PART = re.compile("|".join(sorted(_DATE_PARTS, key=len, reverse=True)))
SEQUENCE_WIDTH = 6


def id_format_validate(*, text: str) -> str:
    """The sequence name a format uses; refuses unknown tokens and formats with no or several sequences."""
    sequences = []
    for token in _TOKEN.findall(text):
        if token.startswith("SEQ_"):
            sequences.append(token)
        elif token.startswith("fy:"):
            try:
                financial_year_label(timezone.localdate(), pattern=token[3:])
            except ValueError as exc:
                raise ApplicationError("INVALID_ID_FORMAT", f"format: {exc}", field="format") from None
        elif not (token.startswith("cy:") or token == "CITY.CODE"):
            raise ApplicationError("INVALID_ID_FORMAT", f"format: unknown token [{token}]", field="format")
    if len(sequences) != 1:
        raise ApplicationError("INVALID_ID_FORMAT", "format: needs exactly one [SEQ_…] token", field="format")
    return sequences[0]


def id_generate(*, tenant_id: str, name: str, at: datetime | None = None) -> str:
    """The next id of kind `name` for the tenant, using the city's format or its state's."""
    tenant = tenant_get(code=tenant_id)
    id_format = id_format_get(tenant_id=tenant.code, name=name)
    sequence_name = id_format_validate(text=id_format.format)
    moment = timezone.localtime(at or timezone.now())
    period = ""
    if id_format.reset == IdFormat.Reset.FINANCIAL_YEAR:
        period = financial_year_label(moment.date(), start_month=tenant.financial_year_start_month)
    number = _sequence_next(tenant_id=tenant.code, name=sequence_name, period=period)
    return _TOKEN.sub(
        lambda match: _render(match.group(1), tenant=tenant, moment=moment, number=number), id_format.format
    )


def _sequence_next(*, tenant_id: str, name: str, period: str) -> int:
    with transaction.atomic():
        IdSequence.objects.bulk_create(
            [IdSequence(tenant_id=tenant_id, name=name, period=period, last_value=0)], ignore_conflicts=True
        )
        sequence = IdSequence.objects.select_for_update().get(tenant_id=tenant_id, name=name, period=period)
        sequence.last_value += 1
        sequence.save(update_fields=["last_value"])
        return sequence.last_value


def _render(token: str, *, tenant: Tenant, moment: datetime, number: int) -> str:
    if token.startswith("SEQ_"):
        return f"{number:0{SEQUENCE_WIDTH}d}"
    if token.startswith("fy:"):
        return financial_year_label(moment.date(), start_month=tenant.financial_year_start_month, pattern=token[3:])
    if token.startswith("cy:"):
        return _DATE_PART.sub(lambda part: moment.strftime(_DATE_PARTS[part.group(0)]), token[3:])
    if not tenant.city_code:
        raise ApplicationError(
            "INVALID_ID_FORMAT", f"tenantId: '{tenant.code}' has no city code for [CITY.CODE]", field="tenantId"
        )
    return tenant.city_code
