"""The ticket state machine as data (DESIGN.md rule 4). Services consult it before any write.

``TRANSITIONS[action]`` lists the statuses the action is allowed from and the status it leads to.
``None`` as target means the service decides (reopen goes back to ``assigned`` when the ticket has
an assignee, else to ``new``). Anything not listed is a forbidden transition: HTTP 409, nothing written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.core.errors import Conflict
from weibao.tickets.choices import Status

S = Status


class Action(models.TextChoices):
    ASSIGN = "assign", _("Assign")
    START = "start", _("Start work")
    PEND = "pend", _("Set pending")
    RESUME = "resume", _("Resume")
    RESOLVE = "resolve", _("Resolve")
    VERIFY = "verify", _("Verify")
    CLOSE = "close", _("Confirm and close")
    REOPEN = "reopen", _("Reopen")
    CANCEL = "cancel", _("Cancel ticket")
    MERGE = "merge", _("Merge into another ticket")
    RATE = "rate", _("Rate satisfaction")
    ESCALATE = "escalate", _("Escalate")
    ADD_COLLABORATOR = "add_collaborator", _("Add collaborator")
    COMMENT = "comment", _("Reply")
    NOTE = "note", _("Internal note")
    PROGRESS = "progress", _("Record progress update")
    EDIT = "edit", _("Edit details")
    ARRIVE = "arrive", _("Record arrival on site")
    EXPLAIN_BREACH = "explain_breach", _("Explain an SLA breach")


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None


_OPEN = frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.PENDING})

TRANSITIONS: dict[str, Transition] = {
    Action.ASSIGN: Transition(_OPEN, S.ASSIGNED),
    Action.START: Transition(frozenset({S.ASSIGNED}), S.IN_PROGRESS),
    Action.PEND: Transition(frozenset({S.IN_PROGRESS}), S.PENDING),
    Action.RESUME: Transition(frozenset({S.PENDING}), S.IN_PROGRESS),
    Action.RESOLVE: Transition(frozenset({S.IN_PROGRESS}), S.RESOLVED),
    Action.VERIFY: Transition(frozenset({S.RESOLVED}), S.VERIFIED),
    Action.CLOSE: Transition(frozenset({S.VERIFIED}), S.CLOSED),
    Action.REOPEN: Transition(frozenset({S.RESOLVED, S.VERIFIED, S.CLOSED}), None),
    Action.CANCEL: Transition(_OPEN, S.CANCELLED),
    Action.MERGE: Transition(_OPEN, S.CLOSED),
}

# Actions that do not change the status but are only allowed in some statuses.
STATUS_GUARDS: dict[str, frozenset[str]] = {
    Action.RATE: frozenset({S.VERIFIED, S.CLOSED}),
    Action.ESCALATE: _OPEN,
    Action.ADD_COLLABORATOR: _OPEN | {S.RESOLVED},
    Action.COMMENT: _OPEN | {S.RESOLVED, S.VERIFIED, S.CLOSED},
    Action.NOTE: frozenset(S.values),
    Action.PROGRESS: _OPEN,
    Action.EDIT: _OPEN | {S.RESOLVED, S.VERIFIED},
    Action.ARRIVE: _OPEN,
    Action.EXPLAIN_BREACH: frozenset(S.values),
}


def action_allowed_in(*, action: str, status: str) -> bool:
    if action in TRANSITIONS:
        return status in TRANSITIONS[action].sources
    return status in STATUS_GUARDS.get(action, frozenset())


def require_transition(*, action: str, status: str) -> str | None:
    """Return the target status, or raise 409 ``invalid_transition`` naming both sides."""
    if not action_allowed_in(action=action, status=status):
        raise Conflict(
            _("Cannot %(action)s a ticket that is %(status)s.")
            % {"action": Action(action).label, "status": Status(status).label},
            code="invalid_transition",
        )
    transition = TRANSITIONS.get(action)
    return transition.target if transition else status


def assign_needs_reason(*, ticket: Any) -> bool:
    """Re-dispatching a ticket that is already dispatched needs a reason (DSP-1: history and reason)."""
    return ticket.status != Status.NEW or ticket.assignee_id is not None or ticket.team_id is not None
