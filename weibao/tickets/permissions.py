"""Who may do what to a ticket: pure predicates, no queries beyond the actor's cached roles.

Scope (which tickets an actor can see at all) is the selectors' job; these predicates assume
the ticket is already in scope and answer whether the action is permitted by role and relation.
"""

from __future__ import annotations

from typing import Any

from weibao.accounts.choices import Perm
from weibao.accounts.permissions import has_perm, is_portal_user, is_staff_user
from weibao.customers.selectors import portal_customer_id
from weibao.tickets.transitions import Action, action_allowed_in


def actor_customer_id(*, actor: Any) -> int | None:
    """The customer a portal user belongs to through an active contact, else None (cached per user)."""
    return portal_customer_id(user=actor)


def is_involved(*, actor: Any, ticket: Any, collaborator_ids: set[int] | None = None) -> bool:
    """Assignee, escalation target or collaborator of the ticket."""
    if actor.pk in (ticket.assignee_id, ticket.escalated_to_id):
        return True
    if collaborator_ids is None:
        collaborator_ids = {u.pk for u in ticket.collaborators.all()}
    return actor.pk in collaborator_ids


def can_view_internal(*, actor: Any) -> bool:
    return is_staff_user(user=actor) and has_perm(user=actor, perm=Perm.TICKET_COMMENT_INTERNAL)


_ROLE_PERM: dict[str, str] = {
    Action.ASSIGN: Perm.TICKET_ASSIGN,
    Action.VERIFY: Perm.TICKET_VERIFY,
    Action.CLOSE: Perm.TICKET_CLOSE,
    Action.REOPEN: Perm.TICKET_REOPEN,
    Action.CANCEL: Perm.TICKET_CANCEL,
    Action.MERGE: Perm.TICKET_MERGE,
    Action.RATE: Perm.TICKET_RATE,
    Action.COMMENT: Perm.TICKET_COMMENT_PUBLIC,
    Action.NOTE: Perm.TICKET_COMMENT_INTERNAL,
    Action.PROGRESS: Perm.TICKET_PROGRESS,
    Action.EDIT: Perm.TICKET_EDIT,
    Action.ARRIVE: Perm.TICKET_EDIT,
}
# The engineer on the ticket explains its breaches; so may anyone who may work on or dispatch any ticket.
_WORK_ACTIONS = {Action.START, Action.PEND, Action.RESUME, Action.RESOLVE, Action.EXPLAIN_BREACH}


def can_perform(*, actor: Any, ticket: Any, action: str, collaborator_ids: set[int] | None = None) -> bool:
    """Role and relation check for ``action`` on an in-scope ticket (status is checked separately)."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if action in _WORK_ACTIONS:
        if has_perm(user=actor, perm=Perm.TICKET_WORK_ANY):
            return True
        if action == Action.EXPLAIN_BREACH and has_perm(user=actor, perm=Perm.TICKET_ASSIGN):
            return True
        return has_perm(user=actor, perm=Perm.TICKET_WORK) and is_involved(
            actor=actor, ticket=ticket, collaborator_ids=collaborator_ids
        )
    if action in (Action.ESCALATE, Action.ADD_COLLABORATOR):
        if has_perm(user=actor, perm=Perm.TICKET_ASSIGN) or has_perm(user=actor, perm=Perm.TICKET_WORK_ANY):
            return True
        return has_perm(user=actor, perm=Perm.TICKET_ESCALATE) and is_involved(
            actor=actor, ticket=ticket, collaborator_ids=collaborator_ids
        )
    perm = _ROLE_PERM.get(action)
    if perm is None or not has_perm(user=actor, perm=perm):
        return False
    if is_portal_user(user=actor):
        # Portal users act only on their own customer's tickets and never internally.
        return action not in (
            Action.NOTE,
            Action.EDIT,
            Action.ASSIGN,
            Action.ARRIVE,
        ) and ticket.customer_id == actor_customer_id(actor=actor)
    return True


def allowed_actions(*, actor: Any, ticket: Any, collaborator_ids: set[int] | None = None) -> list[str]:
    """Every action the actor may take on the ticket now: role, relation and status all allow it."""
    if collaborator_ids is None:
        collaborator_ids = {u.pk for u in ticket.collaborators.all()}
    result = []
    for action in Action.values:
        if not action_allowed_in(action=action, status=ticket.status):
            continue
        if action == Action.RATE and ticket.satisfaction is not None:
            continue
        if action == Action.REOPEN and ticket.merged_into_id is not None:
            continue
        if can_perform(actor=actor, ticket=ticket, action=action, collaborator_ids=collaborator_ids):
            result.append(action)
    return result
