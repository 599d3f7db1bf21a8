"""DIGIT-style id generation: `PI-[CITY.CODE]/[fy:yyyy-yy]/[SEQ_PI_NUM]` → `PI-AMR/2026-27/000001`.

Numbers are gap-free: the sequence row is locked and incremented inside the caller's transaction, so a
rolled-back receipt gives its number back. The price is that callers of one sequence in one tenant queue
on that row until each commits. Call it inside the transaction that stores the number; a busy caller reads
its format first (`id_plan`) and takes its numbers (`ids_take`) in the transaction's last statements, so
the row is held for those statements only. A caller that cannot wait that long writes its rows with
placeholders (`DeferredIds`) and numbers them all in the transaction's last statement.

Sequence rows of one transaction are locked in the order of their keys (tenant, name, period)."""

import re
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import JSONField, Model
from django.utils import timezone

from core.db import CommitPipeline
from core.errors import ApplicationError
from core.fiscal import financial_year_label
from core.models import IdFormat, Tenant
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
# Adds to a sequence, creating it on first use, and answers its new last value; the row stays locked until the
# transaction ends. PostgreSQL and SQLite (3.35+) both upsert and return the row.
_SEQUENCES_ADVANCE = (
    'INSERT INTO "core_idsequence" AS s ("tenant_id", "name", "period", "last_value") VALUES {rows} '
    'ON CONFLICT ("tenant_id", "name", "period") DO UPDATE SET "last_value" = s."last_value" + EXCLUDED."last_value" '
    'RETURNING "tenant_id", "name", "period", "last_value"'
)
# Stands for an id until the transaction's last statement numbers it: unique, and plain enough to sit unescaped in
# JSON, an SMS text or a unique column.
_PLACEHOLDER = "~id.{}~"
# Where the number goes in a rendered format; a database text never holds it.
_NUMBER_MARK = "\x00"


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
    """The sequence's last value after adding `count`: one upsert, which waits for the row's holder and then adds
    to what that holder committed."""
    with connection.cursor() as cursor:
        cursor.execute(_SEQUENCES_ADVANCE.format(rows="(%s, %s, %s, %s)"), [tenant_id, name, period, count])
        return cursor.fetchone()[3]


class DeferredIds:
    """Ids handed out as placeholders and numbered together in the transaction's last statement, so the sequence
    rows are held from that statement to the commit and no longer.

    `take` answers a placeholder to write wherever the id goes; `carried_by` names the rows and fields holding
    placeholders, once the rows are written; `assign` takes the numbers and puts them in place of the
    placeholders in the database (on PostgreSQL in one statement); `numbers()` answers them and puts them in the
    rows in hand too."""

    def __init__(self):
        self._slots: list[tuple[str, IdPlan]] = []
        self._carriers: list[tuple[list[Model], tuple[str, ...]]] = []
        self._answer = None
        self._numbers: dict[str, str] | None = None

    def take(self, plan: IdPlan) -> str:
        placeholder = _PLACEHOLDER.format(uuid.uuid4().hex)
        self._slots.append((placeholder, plan))
        return placeholder

    def carried_by(self, rows: Sequence[Model], fields: Sequence[str]) -> None:
        if rows:
            self._carriers.append((list(rows), tuple(fields)))

    def assign(self, *, commit: CommitPipeline | None = None) -> None:
        """Number every placeholder taken, in the database; `numbers()` answers them. On PostgreSQL, with the
        `commit` pipeline of the transaction's outermost block, the statement goes to the server with the COMMIT
        and its answer is read after it."""
        if not self._slots:
            self._numbers = {}
            return
        counts = Counter(_sequence_key(plan) for _, plan in self._slots)
        keys = sorted(counts)
        seen = Counter()
        slots = []
        for placeholder, plan in self._slots:
            key = _sequence_key(plan)
            seen[key] += 1
            # The slot's number is the sequence's new last value less the numbers taken after it.
            slots.append((placeholder, key, counts[key] - seen[key], *_format_halves(plan)))
        advance_sql = _SEQUENCES_ADVANCE.format(rows=", ".join(["(%s, %s, %s, %s)"] * len(keys)))
        advance_params = [value for key in keys for value in (*key, counts[key])]
        if connection.vendor == "postgresql":
            if commit is not None:
                commit.enter()
            self._answer = self._assign_in_one_statement(advance_sql, advance_params, slots)
            return
        with connection.cursor() as cursor:
            cursor.execute(advance_sql, advance_params)
            last = {tuple(row[:3]): row[3] for row in cursor.fetchall()}
        numbers = {
            placeholder: f"{prefix}{_sequence_text(last[key] - back)}{suffix}"
            for placeholder, key, back, prefix, suffix in slots
        }
        for sql, params in self._carrier_updates(lambda placeholder: ("%s", [numbers[placeholder]])):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        self._numbers_in_hand(numbers)

    def numbers(self) -> dict[str, str]:
        """Placeholder → id, once assigned; by then the rows in hand carry the ids too."""
        if self._numbers is None:
            if self._answer is None:
                raise RuntimeError("DeferredIds.numbers() before assign()")
            with self._answer as cursor:
                numbers = dict(cursor.fetchall())
            self._answer = None
            self._numbers_in_hand(numbers)
        return self._numbers

    def _numbers_in_hand(self, numbers: dict[str, str]) -> None:
        for rows, fields in self._carriers:
            for row in rows:
                for name in fields:
                    setattr(row, name, _placeholders_replaced(getattr(row, name), numbers))
        self._numbers = numbers

    def _assign_in_one_statement(self, advance_sql: str, advance_params: list, slots: list):
        """Sends the statement; its answer (placeholder, id) is read by `numbers()`."""
        width = SEQUENCE_WIDTH
        # Names and widths are Kosh's own; every value is a parameter.
        numbered = (  # noqa: S608
            "SELECT p.ph, p.prefix || CASE WHEN s.last_value - p.back < 1{zeros} "
            "THEN lpad((s.last_value - p.back)::text, {width}, '0') ELSE (s.last_value - p.back)::text END "
            "|| p.suffix AS number "
            "FROM (VALUES {rows}) AS p (ph, tenant_id, name, period, back, prefix, suffix) "
            "JOIN seq AS s ON s.tenant_id = p.tenant_id AND s.name = p.name AND s.period = p.period"
        ).format(
            zeros="0" * width,
            width=width,
            rows=", ".join(["(%s::text, %s::text, %s::text, %s::text, %s::bigint, %s::text, %s::text)"] * len(slots)),
        )
        params = [*advance_params]
        for placeholder, key, back, prefix, suffix in slots:
            params.extend([placeholder, *key, back, prefix, suffix])
        parts = [f"seq AS ({advance_sql})", f"num AS ({numbered})"]
        for index, (sql, update_params) in enumerate(
            self._carrier_updates(lambda placeholder: ("(SELECT number FROM num WHERE ph = %s)", [placeholder]))
        ):
            parts.append(f"u{index} AS ({sql})")
            params.extend(update_params)
        cursor = connection.cursor()
        cursor.execute(f"WITH {', '.join(parts)} SELECT ph, number FROM num", params)  # noqa: S608
        return cursor

    def _carrier_updates(self, number_sql) -> list[tuple[str, list]]:
        """One UPDATE per table of carrier rows, each field with every placeholder replaced by `number_sql`'s
        expression for it."""
        quote = connection.ops.quote_name
        by_model: dict[type[Model], tuple[dict, dict]] = {}
        for rows, fields in self._carriers:
            pks, model_fields = by_model.setdefault(type(rows[0]), ({}, {}))
            pks.update((row.pk, None) for row in rows)
            model_fields.update((name, None) for name in fields)
        updates = []
        for model, (pks, names) in by_model.items():
            meta = model._meta
            assignments, params = [], []
            for name in names:
                field = meta.get_field(name)
                is_json = isinstance(field, JSONField) and connection.vendor == "postgresql"
                expression = f"CAST({quote(field.column)} AS text)" if is_json else quote(field.column)
                for placeholder, *_ in self._slots:
                    number, number_params = number_sql(placeholder)
                    expression = f"replace({expression}, %s, {number})"
                    params.extend([placeholder, *number_params])
                if is_json:
                    expression = f"CAST({expression} AS jsonb)"
                assignments.append(f"{quote(field.column)} = {expression}")
            params.extend(meta.pk.get_db_prep_value(pk, connection) for pk in pks)
            updates.append(
                (
                    f"UPDATE {quote(meta.db_table)} SET {', '.join(assignments)} "  # noqa: S608
                    f"WHERE {quote(meta.pk.column)} IN ({', '.join(['%s'] * len(pks))})",
                    params,
                )
            )
        return updates


def _sequence_key(plan: IdPlan) -> tuple[str, str, str]:
    return (plan.tenant.code, plan.sequence, plan.period)


def _format_halves(plan: IdPlan) -> tuple[str, str]:
    """The plan's id rendered on either side of its number."""

    def rendered(match) -> str:
        token = match.group(1)
        if _SEQUENCE_TOKEN.fullmatch(token):
            return _NUMBER_MARK
        return _render(token, tenant=plan.tenant, moment=plan.moment, number=0)

    before, _, after = _TOKEN.sub(rendered, plan.format).partition(_NUMBER_MARK)
    return before, after


def _placeholders_replaced(value, numbers: dict[str, str]):
    if isinstance(value, str):
        for placeholder, number in numbers.items():
            value = value.replace(placeholder, number)
        return value
    if isinstance(value, dict):
        return {key: _placeholders_replaced(item, numbers) for key, item in value.items()}
    if isinstance(value, list):
        return [_placeholders_replaced(item, numbers) for item in value]
    return value


def _sequence_text(number: int) -> str:
    return f"{number:0{SEQUENCE_WIDTH}d}"


def _render(token: str, *, tenant: Tenant, moment: datetime, number: int) -> str:
    if _SEQUENCE_TOKEN.fullmatch(token):
        return _sequence_text(number)
    if token.startswith("fy:"):
        return financial_year_label(moment.date(), start_month=tenant.financial_year_start_month, pattern=token[3:])
    if token.startswith("cy:"):
        return _DATE_PART.sub(lambda part: moment.strftime(_DATE_PARTS[part.group(0)]), token[3:])
    return tenant.city_code
