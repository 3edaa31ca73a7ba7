"""Dispatch and the lifecycle (DSP-1, DSP-2, TRK-2, TRK-4): every state change of a ticket.

Each function locks the ticket, checks permission, then the transition table, then the input,
and only then writes the change and its timeline event, all in one transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.choices import Perm
from weibao.accounts.models import Team, User
from weibao.accounts.permissions import has_perm, is_portal_user, is_staff_user
from weibao.core.errors import Conflict, NotFound, ValidationFailed
from weibao.sla.choices import TargetKind
from weibao.tickets.choices import CloseKind, CommentKind, EventKind, PendingReason, Status, Visibility
from weibao.tickets.models import SlaBreach, Ticket, TicketComment
from weibao.tickets.services._common import (
    authorize,
    desk_settings,
    diff,
    lock_ticket,
    progress_due_from,
    record_event,
    require_text,
    save_ticket,
    validate_past,
)
from weibao.tickets.services.sla import SLA_TICKET_FIELDS, sla_arrived, sla_explain_breach, sla_status_changed
from weibao.tickets.transitions import Action, assign_needs_reason

STATUS_FIELDS = ["status", "pending_reason", "pending_since", "progress_due_at", *SLA_TICKET_FIELDS]


def _set_status(*, ticket: Ticket, target: str, pending_reason: str = "") -> None:
    before = ticket.status
    ticket.status = target
    ticket.pending_reason = pending_reason if target == Status.PENDING else ""
    if target != Status.PENDING:
        ticket.pending_since = None
    elif before != Status.PENDING or ticket.pending_since is None:
        ticket.pending_since = timezone.now()
    ticket.progress_due_at = progress_due_from(ticket=ticket, hours=desk_settings().progress_interval_hours)
    # The SLA clocks follow every transition: pause, resume, meet or stop (SLA-4).
    sla_status_changed(ticket=ticket, before=before)


def _staff_user(*, user_id: int | None, field: str, engineer: bool = False) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not is_staff_user(user=user):
        raise ValidationFailed(_("Choose an active staff member."), code="invalid_reference", field=field)
    if engineer and not (
        has_perm(user=user, perm=Perm.TICKET_WORK) or has_perm(user=user, perm=Perm.TICKET_WORK_ANY)
    ):
        raise ValidationFailed(_("This person cannot work on tickets."), code="not_an_engineer", field=field)
    return user


def ticket_assign(
    *,
    actor: Any,
    ticket_id: int,
    assignee_id: int | None = None,
    team_id: int | None = None,
    deadline: datetime | None = None,
    requirements: str = "",
    reason: str = "",
    version: int | None = None,
) -> Ticket:
    """Dispatch (派单) to an engineer and/or a team with requirements and a deadline (DSP-1).

    Re-dispatching an already dispatched ticket needs a reason; without one it is a conflict, which
    is also what the slower of two agents assigning the same new ticket at once receives.
    """
    assignee = _staff_user(user_id=assignee_id, field="assignee_id", engineer=True)
    team = Team.objects.filter(pk=team_id, is_active=True).first() if team_id else None
    if team_id and team is None:
        raise ValidationFailed(_("Unknown team."), code="invalid_reference", field="team_id")
    if assignee is None and team is None:
        raise ValidationFailed(_("Choose an engineer or a team."), code="required", field="assignee_id")
    if deadline is not None and deadline <= timezone.now():
        raise ValidationFailed(_("The deadline must be in the future."), code="in_past", field="deadline")
    reason = (reason or "").strip()
    with transaction.atomic():
        ticket = lock_ticket(actor=actor, ticket_id=ticket_id, version=version)
        target = authorize(actor=actor, ticket=ticket, action=Action.ASSIGN)
        if assign_needs_reason(ticket=ticket) and not reason:
            raise Conflict(
                _("The ticket is already dispatched to %(who)s. Reassigning needs a reason.")
                % {"who": ticket.assignee or ticket.team},
                code="already_assigned",
            )
        tracked = ["status", "assignee", "team", "dispatch_deadline", "dispatch_requirements"]
        before = {name: getattr(ticket, name) for name in tracked}
        ticket.assignee = assignee
        ticket.team = team
        ticket.dispatch_deadline = deadline
        ticket.dispatch_requirements = (requirements or "").strip()
        _set_status(ticket=ticket, target=target or Status.ASSIGNED)
        save_ticket(ticket=ticket, fields=[*tracked, *STATUS_FIELDS])
        changes = diff(before=before, after={name: getattr(ticket, name) for name in tracked})
        record_event(ticket=ticket, actor=actor, kind=EventKind.ASSIGNED, changes=changes, note=reason)
    return ticket


def _simple_transition(
    *,
    actor: Any,
    ticket_id: int,
    action: str,
    version: int | None,
    note: str = "",
    extra: dict[str, Any] | None = None,
) -> Ticket:
    with transaction.atomic():
        ticket = lock_ticket(actor=actor, ticket_id=ticket_id, version=version)
        target = authorize(actor=actor, ticket=ticket, action=action)
        before = ticket.status
        for name, value in (extra or {}).items():
            setattr(ticket, name, value)
        _set_status(ticket=ticket, target=target or before)
        save_ticket(ticket=ticket, fields=[*STATUS_FIELDS, *(extra or {})])
        record_event(
            ticket=ticket,
            actor=actor,
            kind=EventKind.TRANSITION,
            changes={"status": [before, ticket.status]},
            note=note,
        )
    return ticket


def ticket_start(*, actor: Any, ticket_id: int, version: int | None = None) -> Ticket:
    """The engineer starts work on a dispatched ticket."""
    return _simple_transition(actor=actor, ticket_id=ticket_id, action=Action.START, version=version)


def ticket_pend(
    *, actor: Any, ticket_id: int, reason: str, note: str = "", version: int | None = None
) -> Ticket:
    """Wait for the customer, a third party or something else (the SLA clock pauses: issue SLA-4)."""
    if reason not in PendingReason.values:
        raise ValidationFailed(_("Choose why the ticket is pending."), code="invalid_choice", field="reason")
    if reason == PendingReason.OTHER:
        require_text(value=note, field="note", message=_("Say what the ticket is waiting for."))
    with transaction.atomic():
        ticket = lock_ticket(actor=actor, ticket_id=ticket_id, version=version)
        target = authorize(actor=actor, ticket=ticket, action=Action.PEND)
        before = ticket.status
        _set_status(ticket=ticket, target=target or Status.PENDING, pending_reason=reason)
        save_ticket(ticket=ticket, fields=STATUS_FIELDS)
        record_event(
            ticket=ticket,
            actor=actor,
            kind=EventKind.TRANSITION,
            changes={"status": [before, ticket.status], "pending_reason": ["", reason]},
            note=(note or "").strip(),
        )
    return ticket


def ticket_resume(*, actor: Any, ticket_id: int, note: str = "", version: int | None = None) -> Ticket:
    """Work continues after waiting."""
    return _simple_transition(
        actor=actor, ticket_id=ticket_id, action=Action.RESUME, version=version, note=(note or "").strip()
    )


def ticket_resolve(
    *, actor: Any, ticket_id: int, analysis: str, solution: str, version: int | None = None
) -> Ticket:
    """The engineer records the analysis and the solution (TRK-2); customer service verifies next."""
    analysis = require_text(value=analysis, field="analysis", message=_("Describe the cause you found."))
    solution = require_text(value=solution, field="solution", message=_("Describe the solution."))
    return _simple_transition(
        actor=actor,
        ticket_id=ticket_id,
        action=Action.RESOLVE,
        version=version,
        extra={"analysis": analysis, "solution": solution, "resolved_at": timezone.now()},
    )


def ticket_verify(*, actor: Any, ticket_id: int, note: str, version: int | None = None) -> Ticket:
    """Customer service checked the result and replied to the customer (TRK-2).

    The note is that reply: it is posted as a public comment, so the customer reads it in the portal.
    """
    note = require_text(value=note, field="note", message=_("Write what you checked and told the customer."))
    with transaction.atomic():
        ticket = _simple_transition(
            actor=actor,
            ticket_id=ticket_id,
            action=Action.VERIFY,
            version=version,
            note=note,
            extra={"verified_at": timezone.now(), "verification_note": note},
        )
        from weibao.core.html import text_to_html

        TicketComment.objects.create(
            ticket=ticket,
            author=actor,
            visibility=Visibility.PUBLIC,
            kind=CommentKind.REPLY,
            body=text_to_html(value=note),
        )
    return ticket


def _apply_rating(*, ticket: Ticket, actor: Any, score: int, comment: str) -> None:
    if score not in range(1, 6):
        raise ValidationFailed(_("Rate from 1 to 5."), code="invalid_rating", field="score")
    if ticket.satisfaction is not None:
        raise Conflict(_("This ticket has already been rated."), code="already_rated")
    ticket.satisfaction = score
    ticket.satisfaction_comment = (comment or "").strip()
    ticket.rated_at = timezone.now()
    record_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.RATED,
        changes={"satisfaction": [None, score]},
        note=ticket.satisfaction_comment,
    )


def ticket_close(
    *, actor: Any, ticket_id: int, score: int | None = None, comment: str = "", version: int | None = None
) -> Ticket:
    """The customer confirms the result (or an agent does on the customer's behalf); optionally rates."""
    with transaction.atomic():
        ticket = lock_ticket(actor=actor, ticket_id=ticket_id, version=version)
        target = authorize(actor=actor, ticket=ticket, action=Action.CLOSE)
        before = ticket.status
        if score is not None:
            authorize(actor=actor, ticket=ticket, action=Action.RATE)
            _apply_rating(ticket=ticket, actor=actor, score=score, comment=comment)
        _set_status(ticket=ticket, target=target or Status.CLOSED)
        ticket.closed_at = timezone.now()
        ticket.close_kind = CloseKind.CONFIRMED if is_portal_user(user=actor) else CloseKind.ON_BEHALF
        save_ticket(
            ticket=ticket,
            fields=[
                *STATUS_FIELDS,
                "closed_at",
                "close_kind",
                "satisfaction",
                "satisfaction_comment",
                "rated_at",
            ],
        )
        record_event(
            ticket=ticket,
            actor=actor,
            kind=EventKind.TRANSITION,
            changes={"status": [before, ticket.status], "close_kind": ["", ticket.close_kind]},
        )
    return ticket


def ticket_rate(
    *, actor: Any, ticket_id: int, score: int, comment: str = "", version: int | None = None
) -> Ticket:
    """Satisfaction 1-5 with a comment (TRK-2), by the customer or an agent on the customer's behalf."""
    with transaction.atomic():
        ticket = lock_ticket(actor=actor, ticket_id=ticket_id, version=version)
        authorize(actor=actor, ticket=ticket, action=Action.RATE)
        _apply_rating(ticket=ticket, actor=actor, score=score, comment=comment)
        save_ticket(ticket=ticket, fields=["satisfaction", "satisfaction_comment", "rated_at"])
    return ticket


def ticket_reopen(*, actor: Any, ticket_id: int, reason: str, version: int | None = None) -> Ticket:
    """Reopen a resolved, verified or closed ticket with a reason (TRK-4)."""
    reason = require_text(value=reason, field="reason", message=_("Say why the ticket is reopened."))
    with transaction.atomic():
        ticket = lock_ticket(actor=actor, ticket_id=ticket_id, version=version)
        authorize(actor=actor, ticket=ticket, action=Action.REOPEN)
        if ticket.merged_into_id is not None:
            raise Conflict(
                _("A merged ticket cannot be reopened; reopen the ticket it was merged into."), code="merged"
            )
        tracked = ["status", "resolved_at", "verified_at", "closed_at", "close_kind", "satisfaction"]
        before = {name: getattr(ticket, name) for name in tracked}
        ticket.resolved_at = ticket.verified_at = ticket.closed_at = None
        ticket.close_kind = ""
        # The rating belonged to the closure that is being undone; the event keeps the old value.
        ticket.satisfaction, ticket.satisfaction_comment, ticket.rated_at = None, "", None
        _set_status(
            ticket=ticket, target=Status.ASSIGNED if (ticket.assignee_id or ticket.team_id) else Status.NEW
        )
        save_ticket(ticket=ticket, fields=[*tracked, *STATUS_FIELDS, "satisfaction_comment", "rated_at"])
        record_event(
            ticket=ticket,
            actor=actor,
            kind=EventKind.TRANSITION,
            changes=diff(before=before, after={n: getattr(ticket, n) for n in tracked}),
            note=reason,
        )
    return ticket


def ticket_cancel(*, actor: Any, ticket_id: int, reason: str, version: int | None = None) -> Ticket:
    """Cancel an open ticket (e.g. reported by mistake), with a reason."""
    reason = require_text(value=reason, field="reason", message=_("Say why the ticket is cancelled."))
    return _simple_transition(
        actor=actor,
        ticket_id=ticket_id,
        action=Action.CANCEL,
        version=version,
        note=reason,
        extra={"closed_at": timezone.now()},
    )


def ticket_merge(
    *, actor: Any, ticket_id: int, into_ticket_id: int, note: str = "", version: int | None = None
) -> Ticket:
    """Merge a duplicate into another ticket of the same customer (TRK-4).

    The duplicate is closed as merged and keeps its history; both timelines record the merge and
    the reporter is told in a public reply on the duplicate, which the portal shows.
    """
    if into_ticket_id == ticket_id:
        raise ValidationFailed(
            _("A ticket cannot be merged into itself."), code="merge_into_self", field="into_ticket_id"
        )
    with transaction.atomic():
        # Lock both rows in id order so two opposite merges cannot deadlock.
        first, second = sorted([ticket_id, into_ticket_id])
        locked = {first: lock_ticket(actor=actor, ticket_id=first, version=None)}
        locked[second] = lock_ticket(actor=actor, ticket_id=second, version=None)
        ticket, target_ticket = locked[ticket_id], locked[into_ticket_id]
        if version is not None and version != ticket.version:
            raise Conflict(
                _("The ticket was changed by someone else meanwhile. Reload it and try again."),
                code="stale_version",
            )
        target = authorize(actor=actor, ticket=ticket, action=Action.MERGE)
        if target_ticket.customer_id != ticket.customer_id:
            raise ValidationFailed(
                _("Only tickets of the same customer can be merged."),
                code="merge_other_customer",
                field="into_ticket_id",
            )
        if target_ticket.status in (Status.CLOSED, Status.CANCELLED):
            raise Conflict(_("Cannot merge into a closed or cancelled ticket."), code="merge_into_final")
        before = ticket.status
        _set_status(ticket=ticket, target=target or Status.CLOSED)
        ticket.merged_into = target_ticket
        ticket.closed_at = timezone.now()
        ticket.close_kind = CloseKind.MERGED
        save_ticket(ticket=ticket, fields=[*STATUS_FIELDS, "merged_into", "closed_at", "close_kind"])
        save_ticket(ticket=target_ticket, fields=[])
        record_event(
            ticket=ticket,
            actor=actor,
            kind=EventKind.MERGED,
            changes={"status": [before, ticket.status], "merged_into": [None, target_ticket.number]},
            note=(note or "").strip(),
        )
        record_event(
            ticket=target_ticket,
            actor=actor,
            kind=EventKind.MERGED_IN,
            changes={"merged_ticket": [None, ticket.number]},
            note=(note or "").strip(),
        )
        message = _(
            "This report duplicates ticket #%(number)s and has been merged into it; follow #%(number)s "
            "for progress."
        ) % {"number": target_ticket.number}
        TicketComment.objects.create(
            ticket=ticket,
            author=actor,
            visibility=Visibility.PUBLIC,
            kind=CommentKind.REPLY,
            body=f"<p>{message}</p>",
        )
    return ticket


def ticket_escalate(
    *, actor: Any, ticket_id: int, reason: str, to_user_id: int | None = None, version: int | None = None
) -> Ticket:
    """Escalate to a superior (DSP-2): by default the actor's own superior, who joins as collaborator."""
    reason = require_text(value=reason, field="reason", message=_("Say what help is needed."))
    target_id = to_user_id if to_user_id is not None else getattr(actor, "superior_id", None)
    if target_id is None:
        raise ValidationFailed(
            _("You have no superior on record; choose whom to escalate to."),
            code="no_superior",
            field="to_user_id",
        )
    superior = _staff_user(user_id=target_id, field="to_user_id")
    with transaction.atomic():
        ticket = lock_ticket(actor=actor, ticket_id=ticket_id, version=version)
        authorize(actor=actor, ticket=ticket, action=Action.ESCALATE)
        before = ticket.escalated_to
        ticket.escalated_to = superior
        save_ticket(ticket=ticket, fields=["escalated_to"])
        ticket.collaborators.add(superior)  # type: ignore[arg-type]
        record_event(
            ticket=ticket,
            actor=actor,
            kind=EventKind.ESCALATED,
            changes=diff(before={"escalated_to": before}, after={"escalated_to": superior}),
            note=reason,
            is_internal=True,
        )
    return ticket


def ticket_add_collaborator(
    *, actor: Any, ticket_id: int, user_id: int, note: str = "", version: int | None = None
) -> Ticket:
    """Pull in a colleague from another department (DSP-2)."""
    user = _staff_user(user_id=user_id, field="user_id")
    with transaction.atomic():
        ticket = lock_ticket(actor=actor, ticket_id=ticket_id, version=version)
        authorize(actor=actor, ticket=ticket, action=Action.ADD_COLLABORATOR)
        if ticket.collaborators.filter(pk=user_id).exists():
            raise Conflict(
                _("%(user)s is already a collaborator.") % {"user": user}, code="already_collaborator"
            )
        ticket.collaborators.add(user)  # type: ignore[arg-type]
        save_ticket(ticket=ticket, fields=[])
        record_event(
            ticket=ticket,
            actor=actor,
            kind=EventKind.COLLABORATOR_ADDED,
            changes={"collaborators": [None, str(user)]},
            note=(note or "").strip(),
            is_internal=True,
        )
    return ticket


def ticket_auto_close(*, ticket_id: int, now: datetime | None = None) -> bool:
    """Close a verified ticket the customer has not objected to within the configured days.

    Idempotent: a ticket that is no longer verified, or not yet due, is left alone and False returned.
    """
    now = now or timezone.now()
    days = desk_settings().auto_close_days
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        if ticket is None or ticket.status != Status.VERIFIED or ticket.verified_at is None:
            return False
        if ticket.verified_at > now - timedelta(days=days):
            return False
        ticket.closed_at = now
        ticket.close_kind = CloseKind.AUTO
        _set_status(ticket=ticket, target=Status.CLOSED)
        save_ticket(ticket=ticket, fields=[*STATUS_FIELDS, "closed_at", "close_kind"])
        record_event(
            ticket=ticket,
            actor=None,
            kind=EventKind.TRANSITION,
            changes={
                "status": [Status.VERIFIED, Status.CLOSED],
                "close_kind": ["", CloseKind.AUTO],
                "auto_close_days": [None, days],
            },
        )
    return True


def ticket_record_arrival(
    *, actor: Any, ticket_id: int, arrived_at: datetime, version: int | None = None
) -> Ticket:
    """Record when an engineer arrived on site: meets the on-site target (SLA-1).

    Until field-service check-in exists, an agent records the time the engineer reported by phone.
    The time may be in the past (not before the report), never in the future.
    """
    now = timezone.now()
    validate_past(value=arrived_at, field="arrived_at", now=now)
    with transaction.atomic():
        ticket = lock_ticket(actor=actor, ticket_id=ticket_id, version=version)
        authorize(actor=actor, ticket=ticket, action=Action.ARRIVE)
        if arrived_at < ticket.reported_at:
            raise ValidationFailed(
                _("The arrival cannot be before the report."), code="before_reported", field="arrived_at"
            )
        if ticket.onsite_arrived_at is not None:
            raise Conflict(_("The arrival on site is already recorded."), code="already_arrived")
        sla_arrived(ticket=ticket, at=arrived_at, now=now)
        save_ticket(ticket=ticket, fields=["onsite_arrived_at", "needs_onsite", *SLA_TICKET_FIELDS])
        record_event(
            ticket=ticket,
            actor=actor,
            kind=EventKind.ARRIVED,
            changes={"onsite_arrived_at": [None, arrived_at.isoformat()]},
        )
    return ticket


def ticket_explain_breach(*, actor: Any, ticket_id: int, kind: str, reason: str) -> SlaBreach:
    """The engineer says why a target was missed (SLA-5); the reason feeds the quality figures."""
    if kind not in TargetKind.values:
        raise ValidationFailed(_("Choose a target."), code="invalid_choice", field="kind")
    reason = require_text(value=reason, field="reason", message=_("Say why the target was missed."))[:2000]
    with transaction.atomic():
        ticket = lock_ticket(actor=actor, ticket_id=ticket_id, version=None)
        authorize(actor=actor, ticket=ticket, action=Action.EXPLAIN_BREACH)
        breach = SlaBreach.objects.filter(ticket=ticket, kind=kind).first()
        if breach is None:
            raise NotFound(_("This target was not breached."), code="breach_not_found")
        before = breach.reason
        sla_explain_breach(breach=breach, actor=actor, reason=reason)
        record_event(
            ticket=ticket,
            actor=actor,
            kind=EventKind.SLA_EXPLAINED,
            changes={"kind": [None, kind], "reason": [before or None, reason]},
            is_internal=True,  # an internal assessment: the customer's timeline does not show it
        )
    return breach
