"""The tickets that name a configuration item, for the item's history page (AST-1)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from weibao.assets.history import HistoryEntry
from weibao.tickets.selectors import ticket_scope


def ticket_history(*, item: Any, actor: Any, limit: int) -> list[HistoryEntry]:
    """Tickets about ``item`` that ``actor`` may see, newest first (one query)."""
    tickets = ticket_scope(actor=actor).filter(items=item).order_by("-reported_at", "-id")[:limit]
    return [
        HistoryEntry(
            at=t.reported_at,
            kind="ticket",
            label=f"#{t.number}",
            title=t.title,
            status=str(t.get_status_display()),
            url=reverse("tickets:detail", args=[t.number]),
        )
        for t in tickets.only("number", "title", "status", "reported_at")
    ]
