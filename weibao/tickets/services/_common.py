"""Plumbing shared by the ticket services: locking, version checks, events, permission checks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weibao.tickets.choices import OPEN_STATUSES, EventKind
from weibao.tickets.events import diff, jsonable, record_event
from weibao.tickets.models import DeskSettings, Ticket
from weibao.tickets.permissions import can_perform
from weibao.tickets.selectors import desk_settings_get, ticket_scope
from weibao.tickets.transitions import Action, require_transition

# Clocks of phones and browsers drift; a reported time this far ahead still counts as "now".
CLOCK_SKEW = timedelta(minutes=2)


def lock_ticket(*, actor: Any, ticket_id: int, version: int | None) -> Ticket:
    """Load the ticket in the actor's scope with a row lock; check the client's version.

    The lock (SELECT ... FOR UPDATE on PostgreSQL, the IMMEDIATE write lock on SQLite) makes
    concurrent actions on one ticket queue up; the version check turns a stale form into a 409
    instead of silently overwriting someone else's change.
    """
    # Scope first (a DISTINCT scope cannot be locked on PostgreSQL), then lock the bare row.
    in_scope = ticket_scope(actor=actor).filter(pk=ticket_id).exists()
    ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first() if in_scope else None
    if ticket is None:
        raise NotFound(_("Ticket not found."), code="ticket_not_found")
    if version is not None and version != ticket.version:
        raise Conflict(
            _("The ticket was changed by someone else meanwhile. Reload it and try again."),
            code="stale_version",
        )
    return ticket


def authorize(*, actor: Any, ticket: Ticket, action: str) -> str | None:
    """Permission first (403), then the state machine (409). Returns the target status."""
    if not can_perform(actor=actor, ticket=ticket, action=action):
        raise PermissionDenied(_("You may not do this on this ticket."), code="permission_denied")
    return require_transition(action=action, status=ticket.status)


def save_ticket(*, ticket: Ticket, fields: list[str]) -> None:
    """Persist the changed fields and bump the version (optimistic concurrency token)."""
    ticket.version += 1
    ticket.save(update_fields=[*fields, "version", "updated_at"])


def require_text(*, value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, code="required", field=field)
    return value


def validate_past(*, value: datetime | None, field: str, now: datetime) -> None:
    if value is None:
        return
    if timezone.is_naive(value):
        raise ValidationFailed(_("Give the time with its time zone."), code="naive_datetime", field=field)
    if value > now + CLOCK_SKEW:
        raise ValidationFailed(_("This time cannot be in the future."), code="in_future", field=field)


def desk_settings() -> DeskSettings:
    """The desk settings for a service to read (the seeded row, or the defaults)."""
    return desk_settings_get()


def progress_due_from(*, ticket: Ticket, hours: int) -> datetime | None:
    """When the customer is next due a progress update; None once the ticket left the open states."""
    if ticket.status not in OPEN_STATUSES:
        return None
    base = ticket.last_progress_at or ticket.reported_at
    return base + timedelta(hours=hours)


__all__ = [
    "Action",
    "EventKind",
    "authorize",
    "desk_settings",
    "diff",
    "jsonable",
    "lock_ticket",
    "progress_due_from",
    "record_event",
    "require_text",
    "save_ticket",
    "validate_past",
]
