"""Inserting many rows at once: PostgreSQL's ``COPY`` where it runs, ``bulk_create`` elsewhere.

``COPY`` skips what makes the ORM's ``bulk_create`` slow at a million rows (a model instance per
row, an ``INSERT`` statement to build and parse per thousand), and still goes through every
constraint, index and trigger of the table. Like ``bulk_create`` it sends no signals: callers
that need an audit event record one for the whole run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models, router
from django.utils import timezone

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
_MISSING = object()


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
    names = [f.attname for f in fields]
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
                values = _values(row, names, defaults, prepare, connection)
                copy.write_row([ids[n], *values] if ids else values)
                if progress and (n + 1) % PROGRESS_EVERY == 0:
                    progress(PROGRESS_EVERY)
        if progress and len(rows) % PROGRESS_EVERY:
            progress(len(rows) % PROGRESS_EVERY)
    return ids


def _values(
    row: dict[str, Any],
    names: list[str],
    defaults: list[Any],
    prepare: list[Callable[..., Any] | None],
    connection: Any,
) -> list[Any]:
    values = []
    for name, default, prep in zip(names, defaults, prepare, strict=True):
        value = row.get(name, _MISSING)
        if value is _MISSING:
            value = default
        elif prep is not None:
            value = prep(value, connection)
        values.append(value)
    return values
