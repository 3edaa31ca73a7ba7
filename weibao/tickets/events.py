"""Timeline rows (TRK-3): every change to a ticket is written here, once, by the service that made it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Model

from weibao.tickets.models import Ticket, TicketEvent


def record_event(
    *,
    ticket: Ticket,
    actor: Any,
    kind: str,
    changes: dict[str, list[Any]] | None = None,
    note: str = "",
    is_internal: bool = False,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=actor if getattr(actor, "pk", None) else None,
        kind=kind,
        changes=changes or {},
        note=note,
        is_internal=is_internal,
    )


def jsonable(value: Any) -> Any:
    """A value as stored in an event's ``changes``: ids and codes as-is, objects by label."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value)
    return value


def diff(*, before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [jsonable(before[k]), jsonable(after[k])] for k in after if before.get(k) != after[k]}
