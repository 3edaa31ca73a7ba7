"""Set different values on many rows in one statement (the SLA sweeper's and its delivery's batches).

Django's ``bulk_update`` builds a ``CASE WHEN id = ... THEN ...`` expression per row and column; for a
batch of 1,000 rows that cost more than the rest of a sweep (bench/bench_sla_sweep.py). This writes the
same rows and columns with one ``UPDATE ... FROM (VALUES ...)`` on PostgreSQL and one UPDATE per row
(``executemany``) elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model


def bulk_set(*, objects: Sequence[Model], fields: Sequence[str]) -> int:
    """Write ``fields`` of each of ``objects`` (saved instances of one model) to its row; return the count.

    Values go through each field's ``get_db_prep_save`` like ``save()``; no signals, no ``auto_now``.
    """
    if not objects:
        return 0
    meta = type(objects[0])._meta
    columns: list[Field[object, object]] = []
    for name in fields:
        field = meta.get_field(name)
        if not isinstance(field, Field) or not field.concrete:
            raise ValueError(f"{meta.label}.{name} is not a column")
        columns.append(field)
    quote = connection.ops.quote_name
    rows = [
        [obj.pk, *(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns)]
        for obj in objects
    ]
    table = quote(meta.db_table)
    pk = quote(meta.pk.column if meta.pk else "id")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Cast in SET: a VALUES column holding only NULLs is typed text.
            sets = ", ".join(
                f"{quote(f.column)} = v.{quote(f.column)}::{f.db_type(connection)}" for f in columns
            )
            names = ", ".join(quote(f.column) for f in columns)
            values = ", ".join(["(%s" + ", %s" * len(columns) + ")"] * len(rows))
            cursor.execute(
                f"UPDATE {table} AS t SET {sets} "  # noqa: S608 - names from the model, values bound
                f"FROM (VALUES {values}) AS v(pk, {names}) WHERE t.{pk} = v.pk",
                [value for row in rows for value in row],
            )
        else:
            sets = ", ".join(f"{quote(f.column)} = %s" for f in columns)
            cursor.executemany(
                f"UPDATE {table} SET {sets} WHERE {pk} = %s",  # noqa: S608 - names from the model
                [[*row[1:], row[0]] for row in rows],
            )
    return len(rows)


def in_ids(*, column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
    """A ``column IN ids`` condition for raw SQL: one array parameter on PostgreSQL (``= ANY``).

    Django's ``__in`` lookup prepares and binds every id on its own; for the 1,000 ids of a sweep batch
    that costs more than the query. ``column`` must be a trusted, already quoted name.
    """
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    if not ids:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def insert_rows(*, model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` (values in the order of ``fields``) and skip rows that break a unique constraint.

    PostgreSQL: one ``INSERT ... SELECT FROM unnest(...)`` with one array per column, so the statement
    and its parameters do not grow with the rows. Elsewhere ``bulk_create(ignore_conflicts=True)``.
    Values are given as the database takes them (ids for foreign keys, aware datetimes, JSON as
    Python data); no defaults are filled in, so every NOT NULL column without a database default must
    be among ``fields``.
    """
    if not rows:
        return
    meta = model._meta
    columns: list[Field[object, object]] = []
    for name in fields:
        field = meta.get_field(name)
        if not isinstance(field, Field) or not field.concrete:
            raise ValueError(f"{meta.label}.{name} is not a column")
        columns.append(field)
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**{f.attname: value for f, value in zip(columns, row, strict=True)}) for row in rows],
            ignore_conflicts=True,
        )
        return
    quote = connection.ops.quote_name
    arrays: list[list[Any]] = [[] for _ in columns]
    for row in rows:
        for values, value in zip(arrays, row, strict=True):
            values.append(value)
    casts: list[str] = []
    selects: list[str] = []
    for index, field in enumerate(columns):
        db_type = (field.db_type(connection) or "text").split("(")[0]
        if db_type == "jsonb":
            # An array of JSON texts parsed by the server: a list is no jsonb[] for psycopg.
            arrays[index] = [json.dumps(value, ensure_ascii=False) for value in arrays[index]]
            casts.append("%s::text[]")
            selects.append(f"u.c{index}::jsonb")
        else:
            casts.append(f"%s::{db_type}[]")
            selects.append(f"u.c{index}")
    names = ", ".join(quote(f.column) for f in columns)
    aliases = ", ".join(f"c{i}" for i in range(len(columns)))
    source = f"unnest({', '.join(casts)}) AS u({aliases})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({names}) "  # noqa: S608 - names from the model, values bound
            f"SELECT {', '.join(selects)} FROM {source} ON CONFLICT DO NOTHING",
            arrays,
        )
