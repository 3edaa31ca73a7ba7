"""Keyset (seek) pagination: stable, index-friendly pages for big lists (DESIGN.md rule 7).

A cursor is an opaque, URL-safe token holding the sort values of the last row of the previous
page. Rows are ordered by ``(sort field, id)`` so ties never skip or repeat a row.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from weibao.core.errors import ValidationFailed

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _encode(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed(_("Invalid cursor."), code="invalid_cursor", field="cursor") from exc
    if not isinstance(values, list) or len(values) != 2:
        raise ValidationFailed(_("Invalid cursor."), code="invalid_cursor", field="cursor")
    return values


def keyset_paginate(
    *, queryset: QuerySet[M], sort_field: str, descending: bool, cursor: str | None, limit: int
) -> Page[M]:
    """One page of ``queryset`` ordered by ``sort_field`` then ``id`` in the same direction."""
    rows = list(
        keyset_window(
            queryset=queryset, sort_field=sort_field, descending=descending, cursor=cursor, limit=limit
        )
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode([getattr(last, sort_field), last.pk])
    return Page(items=rows, next_cursor=next_cursor)


def keyset_window(
    *, queryset: QuerySet[M], sort_field: str, descending: bool, cursor: str | None, limit: int
) -> QuerySet[M]:
    """The query behind :func:`keyset_paginate`, unevaluated: ``limit + 1`` rows after ``cursor``, ordered.

    For a sub-select of a page's ids (``filter(pk__in=keyset_window(...).values("pk"))``).
    """
    if cursor:
        last_value, last_id = _decode(cursor)
        field = queryset.model._meta.get_field(sort_field)
        if last_value is not None and getattr(field, "get_internal_type", lambda: "")() == "DateTimeField":
            try:
                last_value = datetime.fromisoformat(last_value)
            except (TypeError, ValueError) as exc:
                raise ValidationFailed(_("Invalid cursor."), code="invalid_cursor", field="cursor") from exc
        op = "lt" if descending else "gt"
        queryset = queryset.filter(
            Q(**{f"{sort_field}__{op}": last_value}) | Q(**{sort_field: last_value, f"id__{op}": last_id})
        )
    prefix = "-" if descending else ""
    return queryset.order_by(f"{prefix}{sort_field}", f"{prefix}id")[: limit + 1]
