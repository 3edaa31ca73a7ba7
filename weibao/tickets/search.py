"""Ticket search: what goes into ``Ticket.search_document`` and how a search box filters tickets (ADR 0005).

The document is derived data, rebuilt by the ticket services whenever one of its sources changes
(create, edit of title/description, a comment added or edited): set ``ticket.search_document =
ticket_search_document(ticket=ticket)`` before saving, or call :func:`ticket_search_refresh` after.
The index follows the column by itself (SQLite triggers, PostgreSQL generated column; migration 0003).
"""

from __future__ import annotations

import re

from django.db import connections
from django.db.models import Q, QuerySet

from weibao.core.html import html_to_text
from weibao.core.search import search_condition, search_document
from weibao.tickets.choices import Visibility
from weibao.tickets.models import Ticket

#: The SQLite FTS5 table over ``tickets_ticket.search_document`` (migration 0003).
TICKET_FTS_TABLE = "tickets_ticket_fts"
# "123" or "#123": also an exact ticket number.
_NUMBER_RE = re.compile(r"^#?\s*(\d{1,18})$")


def ticket_search_document(*, ticket: Ticket, include_internal: bool = True) -> str:
    """The search document of ``ticket``: number, title, description, customer, system and comments.

    Comments are read through ``ticket.comments.all()`` (prefetch them for many tickets); an unsaved
    ticket has none. ``include_internal=False`` leaves internal notes out, for a customer-facing index.
    """
    parts = [str(ticket.number), ticket.title, html_to_text(value=ticket.description or "")]
    parts.append(ticket.customer.name)
    if ticket.system_id is not None and ticket.system is not None:
        parts.append(ticket.system.name)
    if ticket.pk is not None:
        for comment in ticket.comments.all():
            if include_internal or comment.visibility == Visibility.PUBLIC:
                parts.append(html_to_text(value=comment.body))
    return search_document(parts=parts)


def ticket_search_refresh(*, ticket: Ticket) -> None:
    """Recompute ``ticket.search_document`` and write that column alone (no ``updated_at``/``version`` bump).

    For callers that changed a source of the document without saving the ticket, e.g. adding a comment.
    """
    ticket.search_document = ticket_search_document(ticket=ticket)
    Ticket.objects.filter(pk=ticket.pk).update(search_document=ticket.search_document)


def ticket_search_reindex(*, queryset: QuerySet[Ticket] | None = None, batch_size: int = 500) -> int:
    """Rebuild the documents of ``queryset`` (all tickets by default), in batches; returns rows changed.

    For a customer or system rename, or after changing what the document holds. Idempotent.
    """
    base = (queryset if queryset is not None else Ticket.objects.all()).order_by("pk")
    base = base.select_related("customer", "system").prefetch_related("comments")
    changed = 0
    last_pk = 0
    while True:
        batch: list[Ticket] = list(base.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            return changed
        for ticket in batch:
            last_pk = ticket.pk
            document = ticket_search_document(ticket=ticket)
            if document != ticket.search_document:
                Ticket.objects.filter(pk=ticket.pk).update(search_document=document)
                changed += 1


def filter_tickets_by_text(*, queryset: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """``queryset`` narrowed to tickets matching a search box's ``text``; unchanged for empty text.

    Every word must occur (the last may be a prefix, for search-as-you-type, unless it is a number);
    a query of digits, optionally with ``#``, also matches that ticket number exactly. Ordering is the
    caller's; order by an indexed column (weibao.core.search).
    """
    condition = search_condition(text=text, fts_table=TICKET_FTS_TABLE, using=queryset.db)
    number = _NUMBER_RE.match(text.strip())
    if number is not None:
        number_condition = Q(number=int(number.group(1)))
        if connections[queryset.db].vendor == "sqlite":
            # ``number = n OR <FTS>`` makes SQLite read every row (~150 ms at 200k tickets): the FTS
            # side is deliberately not indexable (weibao.core.search). Two id lists keep the scan on a
            # covering index. PostgreSQL wants the plain column: a BitmapOr of two indexes (0.1 ms),
            # where the sub-select form became a per-row filter over the whole table.
            number_condition = Q(pk__in=Ticket.objects.filter(number_condition).values("pk"))
        condition = number_condition if condition is None else number_condition | condition
    if condition is None:
        return queryset
    return queryset.filter(condition)
