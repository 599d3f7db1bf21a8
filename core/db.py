"""What the ORM does slowly on a hot path: updating a few rows with values of their own, handing a caller rows it
already holds as a loaded relation, and sending a transaction's last statement with its COMMIT."""

from collections.abc import Sequence
from contextlib import ExitStack

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Model

# PostgreSQL and SQLite both allow UPDATE … FROM, and both name the columns of a bare VALUES list column1, column2, …
_UPDATE_FROM_VALUES = "UPDATE {table} SET {assignments} FROM (VALUES {rows}) AS v WHERE {table}.{pk} = {pk_value}"


def rows_update(rows: Sequence[Model], fields: Sequence[str]) -> int:
    """Write `fields` of `rows` (instances of one model) in one `UPDATE … FROM (VALUES …)`; answers the rows updated.

    What `QuerySet.bulk_update` stores, without its CASE expression per field, whose building costs more than the
    statement. Fields are prepared as `save()` prepares them, so `auto_now` fields are stamped here too."""
    if not rows:
        return 0
    model = type(rows[0])
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    pk = meta.pk
    updated = [meta.get_field(name) for name in fields]
    # PostgreSQL types a VALUES list from its literals, so each column is cast to its field's type; SQLite would
    # turn a date-time cast into a number, and stores by the column's affinity anyway.
    cast = connection.vendor == "postgresql"

    def column(index: int, field) -> str:
        value = f"v.column{index}"
        return f"CAST({value} AS {field.db_type(connection)})" if cast else value

    params = []
    for row in rows:
        params.append(pk.get_db_prep_save(row.pk, connection))
        params.extend(field.get_db_prep_save(field.pre_save(row, False), connection) for field in updated)
    table = quote(meta.db_table)
    sql = _UPDATE_FROM_VALUES.format(
        table=table,
        assignments=", ".join(f"{quote(field.column)} = {column(n, field)}" for n, field in enumerate(updated, 2)),
        rows=", ".join(["(" + ", ".join(["%s"] * (len(updated) + 1)) + ")"] * len(rows)),
        pk=quote(pk.column),
        pk_value=column(1, pk),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def relation_loaded(instance: Model, relation: str, rows: list[Model]) -> None:
    """Make `instance.<relation>.all()` answer `rows` without a query, as `prefetch_related` would have left it."""
    manager = getattr(instance, relation)
    loaded = manager.get_queryset()
    loaded._result_cache, loaded._prefetch_done = list(rows), True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[manager.field.remote_field.cache_name] = loaded


class CommitPipeline:
    """Lets a transaction's last statement travel to PostgreSQL with its COMMIT, in one round trip: rows that
    statement locks are then held while the server runs it and commits, not also while the caller, busy with other
    requests, gets round to sending the COMMIT.

    Open it around the outermost `transaction.atomic()`; the last statement calls `enter()` just before it runs,
    and its answer is read once the block has committed. Elsewhere (SQLite, or inside a caller's transaction)
    `enter()` does nothing and statements run as ever."""

    def __init__(self, using: str = DEFAULT_DB_ALIAS):
        self._connection = connections[using]
        self._stack = ExitStack()
        self._armed = False

    def __enter__(self) -> "CommitPipeline":
        self._armed = self._connection.vendor == "postgresql" and not self._connection.in_atomic_block
        return self

    def enter(self) -> None:
        """From here to the commit, statements are sent without waiting for their answers."""
        if self._armed and self._connection.in_atomic_block:
            self._armed = False
            self._stack.enter_context(self._connection.connection.pipeline())

    def __exit__(self, *exc) -> None:
        self._armed = False
        self._stack.close()
