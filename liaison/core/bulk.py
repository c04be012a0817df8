"""Inserting many rows at once: PostgreSQL's ``COPY``, SQLite's ``executemany``.

Both skip what makes the ORM's ``bulk_create`` slow at a million rows (a model instance per row,
an ``INSERT`` statement to build per thousand) and still go through every constraint, index and
trigger of the table. Like ``bulk_create`` they send no signals: callers that need an audit
event record one for the whole run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar, cast

from django.db import connections, models, router
from django.db.models import Lookup, QuerySet
from django.utils import timezone

M = TypeVar("M", bound=models.Model)
BATCH = 2000

PROGRESS_EVERY = 10_000
# Fields whose Python value PostgreSQL's driver writes as it is; others are prepared by the field
# (a list of countries becomes "FR,SN", an encrypted field encrypts).
PLAIN = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.DateField,  # DateTimeField included
    models.ForeignKey,
    models.IntegerField,  # small and positive included
)
# Elsewhere (SQLite) dates, times and booleans go through the field's own conversion.
PLAIN_ELSEWHERE = (models.AutoField, models.BigAutoField, models.ForeignKey, models.IntegerField)
# Text fields written as they are, by exact class: subclasses (country, encrypted) are prepared.
PLAIN_TEXT = (models.CharField, models.TextField, models.EmailField, models.URLField)


@models.ForeignKey.register_lookup  # values are primary keys, not objects
@models.Field.register_lookup
class AnyOf(Lookup):
    """``field = ANY(%s)``: one array parameter however many values (PostgreSQL only)."""

    lookup_name = "any_of"
    prepare_rhs = False  # the values are a list, not one value of the field

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, list(self.rhs))


def one_of(queryset: QuerySet[M], field: str, values: Sequence[Any]) -> QuerySet[M]:
    """``queryset`` narrowed to rows whose ``field`` is one of ``values`` (a few thousand at
    most where ``IN (...)`` is the only way): one array parameter on PostgreSQL."""
    vendor = connections[queryset.db].vendor
    lookup = "any_of" if vendor == "postgresql" else "in"
    return queryset.filter(**{f"{field}__{lookup}": list(values)})


def among(queryset: QuerySet[M], field: str, values: Sequence[Any]) -> Iterator[QuerySet[M]]:
    """Querysets that together select the rows whose ``field`` is one of ``values``: a single
    one on PostgreSQL, batches of ``IN (...)`` elsewhere. Many thousands of placeholders cost
    more to build and parse than the lookup itself."""
    postgresql = connections[queryset.db].vendor == "postgresql"
    step = max(1, len(values)) if postgresql else BATCH
    for i in range(0, len(values), step):
        yield one_of(queryset, field, values[i : i + step])


def insert(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    returning_ids: bool = False,
    progress: Callable[[int], None] | None = None,
) -> list[int]:
    """Insert ``rows`` (attribute name -> value; fields left out take their default, and
    ``auto_now``/``auto_now_add`` dates the current time). Returns the new primary keys when
    asked, in the order of ``rows``."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    if connection.vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(
            f"Liaison runs on PostgreSQL and SQLite, not {connection.vendor}."
        )
    meta = model._meta
    now = timezone.now()
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    defaults: list[Any] = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults.append(field.get_db_prep_save(now, connection))
        else:
            defaults.append(field.get_db_prep_save(field.get_default(), connection))
    plain = PLAIN if connection.vendor == "postgresql" else PLAIN_ELSEWHERE
    prepare = [
        None if isinstance(field, plain) or type(field) in PLAIN_TEXT else field.get_db_prep_save
        for field in fields
    ]
    position = {f.attname: i for i, f in enumerate(fields)}
    table = connection.ops.quote_name(meta.db_table)
    columns = [connection.ops.quote_name(str(f.column)) for f in fields]

    def values() -> Iterator[list[Any]]:
        for n, row in enumerate(rows, start=1):
            yield _values(row, defaults, position, prepare, connection)
            if progress and n % PROGRESS_EVERY == 0:
                progress(PROGRESS_EVERY)
        if progress and len(rows) % PROGRESS_EVERY:
            progress(len(rows) % PROGRESS_EVERY)

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _copy(cursor, model, table, columns, values(), len(rows), returning_ids)
        marks = ", ".join(["%s"] * len(columns))
        # Names come from the model, quoted; the values are parameters, streamed.
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
        cursor.executemany(sql, cast(Any, values()))
        if not returning_ids:
            return []
        # SQLite writes one transaction at a time, so the rows just written hold the last ids.
        cursor.execute("SELECT last_insert_rowid()")
        last = int(cursor.fetchone()[0])
        return list(range(last - len(rows) + 1, last + 1))


def _copy(
    cursor: Any,
    model: type[models.Model],
    table: str,
    columns: list[str],
    values: Iterator[list[Any]],
    count: int,
    returning_ids: bool,
) -> list[int]:
    """PostgreSQL: ``COPY`` the rows, with ids drawn from the table's sequence beforehand."""
    connection = cursor.db
    pk = model._meta.pk
    assert pk is not None
    ids: list[int] = []
    if returning_ids:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, count],
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = [connection.ops.quote_name(str(pk.column)), *columns]
    raw = cursor.cursor  # psycopg's own cursor, in the same transaction
    with (
        connection.wrap_database_errors,  # raise Django's IntegrityError, as the ORM does
        raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for n, row in enumerate(values):
            copy.write_row([ids[n], *row] if ids else row)
    return ids


def _values(
    row: dict[str, Any],
    template: list[Any],
    position: dict[str, int],
    prepare: list[Callable[..., Any] | None],
    connection: Any,
) -> list[Any]:
    values = template.copy()  # every column's default, then the row's own values over them
    for name, value in row.items():
        i = position[name]
        prep = prepare[i]
        values[i] = value if prep is None else prep(value, connection)
    return values
