"""Writing many rows at once. On PostgreSQL rows go in with COPY, a fraction of the cost of INSERT statements at
100,000 rows; elsewhere (SQLite) with bulk_create. Rows are tuples in the order of `fields`; every NOT NULL column
without a database default must be among them (Django's Python-side defaults do not apply)."""

from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL


def rows_insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert the rows in the current transaction; returns how many. Constraints are checked as for INSERT."""
    rows = list(rows)
    if not rows:
        return 0
    meta = model._meta
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return len(rows)
    model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=500)
    return len(rows)


def ids_in(column: str, field: str, ids: list):
    """A filter for `field IN ids`. On PostgreSQL written `column = ANY(array)`: the ids travel as one parameter,
    however many there are. `column` is the qualified column, e.g. '"bridge_disbursement"."disbursement_id"'."""
    if connection.vendor == "postgresql":
        return RawSQL(f"{column} = ANY(%s)", (list(ids),), output_field=BooleanField())  # noqa: S611 (ours)
    return Q(**{f"{field}__in": list(ids)})
