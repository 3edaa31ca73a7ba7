"""Allocation of increasing numbers (ticket numbers, later receipt numbers).

PostgreSQL: a sequence per counter (``core_counter_<name>``), created by the migration of the app
that owns the counter (:func:`create_counter_sequence`). ``nextval`` takes no lock that lasts until
commit, so concurrent creates do not queue on one row; a rolled-back transaction leaves a gap in
the numbers, which is acceptable for identifiers.

SQLite: the :class:`~weibao.core.models.Counter` row, incremented inside the caller's transaction.
SQLite runs one writer at a time anyway, so the row lock costs nothing extra, and there are no gaps.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connections, transaction
from django.db.models import F

from weibao.core.models import Counter

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


def _sequence(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"invalid counter name {name!r}")
    return f"core_counter_{name}"


def counter_next(*, name: str, start: int = 1, using: str = "default") -> int:
    """Return the next number of counter ``name``; call it inside the caller's transaction."""
    connection = connections[using]
    assert connection.in_atomic_block, "counter_next needs a transaction"
    if connection.vendor == "postgresql":
        return _postgres_next(name=name, start=start, using=using)
    updated = Counter.objects.using(using).filter(name=name).update(value=F("value") + 1)
    if not updated:
        Counter.objects.using(using).get_or_create(name=name, defaults={"value": start - 1})
        Counter.objects.using(using).filter(name=name).update(value=F("value") + 1)
    return Counter.objects.using(using).values_list("value", flat=True).get(name=name)


def counter_next_many(*, name: str, count: int, start: int = 1, using: str = "default") -> list[int]:
    """``count`` next numbers of counter ``name`` in one round trip (bulk creation); inside a transaction."""
    if count <= 0:
        return []
    connection = connections[using]
    assert connection.in_atomic_block, "counter_next_many needs a transaction"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [_sequence(name), count])
            return [int(row[0]) for row in cursor.fetchall()]
    updated = Counter.objects.using(using).filter(name=name).update(value=F("value") + count)
    if not updated:
        Counter.objects.using(using).get_or_create(name=name, defaults={"value": start - 1})
        Counter.objects.using(using).filter(name=name).update(value=F("value") + count)
    last = Counter.objects.using(using).values_list("value", flat=True).get(name=name)
    return list(range(last - count + 1, last + 1))


def _postgres_next(*, name: str, start: int, using: str) -> int:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [_sequence(name)])
        return int(cursor.fetchone()[0])


def create_counter_sequence(*, schema_editor: Any, name: str, start: int) -> None:
    """For migrations: create counter ``name``'s sequence on PostgreSQL (no-op elsewhere).

    It starts after the largest number already handed out by the counter row, or at ``start``.
    """
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT value FROM core_counter WHERE name = %s", [name])
        row = cursor.fetchone()
    first = max(start, (row[0] if row else 0) + 1)
    schema_editor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{_sequence(name)}" START WITH {int(first)}')


def drop_counter_sequence(*, schema_editor: Any, name: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP SEQUENCE IF EXISTS "{_sequence(name)}"')


def counter_set(*, name: str, value: int, using: str = "default") -> None:
    """Make the next number ``value + 1`` (after a bulk import that assigned numbers itself)."""
    connection = connections[using]
    with transaction.atomic(using=using):
        Counter.objects.using(using).update_or_create(name=name, defaults={"value": value})
        if connection.vendor == "postgresql":
            sequence = _sequence(name)
            with connection.cursor() as cursor:
                cursor.execute("SELECT setval(%s, %s)", [sequence, value])
