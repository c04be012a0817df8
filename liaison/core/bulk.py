"""Inserting many rows at once: PostgreSQL's ``COPY`` where it runs, ``bulk_create`` elsewhere.

``COPY`` skips what makes the ORM's ``bulk_create`` slow at a million rows (a model instance per
row, an ``INSERT`` statement to build and parse per thousand), and still goes through every
constraint, index and trigger of the table. Like ``bulk_create`` it sends no signals: callers
that need an audit event record one for the whole run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

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
    if not values:
        return
    if connections[queryset.db].vendor == "postgresql":
        yield one_of(queryset, field, values)
        return
    for i in range(0, len(values), BATCH):
        yield queryset.filter(**{f"{field}__in": values[i : i + BATCH]})


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
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        objects = model._default_manager.using(alias).bulk_create(
            [model(**row) for row in rows], batch_size=1000
        )
        if progress:
            progress(len(objects))
        return [int(obj.pk) for obj in objects] if returning_ids else []

    meta = model._meta
    now = timezone.now()
    pk = meta.pk
    assert pk is not None
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    defaults: list[Any] = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults.append(now)
        else:
            defaults.append(field.get_db_prep_save(field.get_default(), connection))
    prepare = [
        None if isinstance(field, PLAIN) or type(field) in PLAIN_TEXT else field.get_db_prep_save
        for field in fields
    ]
    position = {f.attname: i for i, f in enumerate(fields)}
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(
            connection.ops.quote_name(str(f.column)) for f in ([pk] if ids else []) + fields
        )
        table = connection.ops.quote_name(meta.db_table)
        raw = cursor.cursor  # psycopg's own cursor, in the same transaction
        with (
            connection.wrap_database_errors,  # raise Django's IntegrityError, as the ORM does
            raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for n, row in enumerate(rows):
                values = _values(row, defaults, position, prepare, connection)
                copy.write_row([ids[n], *values] if ids else values)
                if progress and (n + 1) % PROGRESS_EVERY == 0:
                    progress(PROGRESS_EVERY)
        if progress and len(rows) % PROGRESS_EVERY:
            progress(len(rows) % PROGRESS_EVERY)
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
