"""Timeline rows (TRK-3): every change to a ticket is written here, once, by the service that made it."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Model

from weibao.tickets.choices import EventKind
from weibao.tickets.models import Ticket, TicketEvent

logger = logging.getLogger(__name__)

#: Events that may tell someone something (``services.notify.notice_for_event`` decides); only these
#: queue a fan-out, so an edit or an attachment costs no message.
NOTIFIABLE_KINDS = frozenset(
    {EventKind.CREATED, EventKind.ASSIGNED, EventKind.COMMENTED, EventKind.TRANSITION, EventKind.RATED}
)


def record_event(
    *,
    ticket: Ticket,
    actor: Any,
    kind: str,
    changes: dict[str, list[Any]] | None = None,
    note: str = "",
    is_internal: bool = False,
) -> TicketEvent:
    event = TicketEvent.objects.create(
        ticket=ticket,
        actor=actor if getattr(actor, "pk", None) else None,
        kind=kind,
        changes=changes or {},
        note=note,
        is_internal=is_internal,
    )
    if kind in NOTIFIABLE_KINDS and not is_internal:
        # After the commit: a rolled-back change tells nobody, and the fan-out sees what was saved.
        transaction.on_commit(partial(_queue_notify, event_id=event.pk))
    return event


def _queue_notify(*, event_id: int) -> None:
    from weibao.tickets.tasks import notify_ticket_event  # the task module imports the services

    try:
        notify_ticket_event.delay(event_id)
    except Exception:  # the change is saved; a broker outage must not turn it into an error page
        logger.warning("could not queue the notifications of ticket event %s", event_id, exc_info=True)


def jsonable(value: Any) -> Any:
    """A value as stored in an event's ``changes``: ids and codes as-is, objects by label."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value)
    return value


def diff(*, before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [jsonable(before[k]), jsonable(after[k])] for k in after if before.get(k) != after[k]}
