"""Pure predicates for maintenance plans."""

from __future__ import annotations

from typing import Any

from weibao.accounts.choices import Perm
from weibao.accounts.permissions import has_perm, is_portal_user, is_staff_user


def can_manage_plans(*, user: Any) -> bool:
    """Draw up plans and routines, request adjustments (project and service managers)."""
    return is_staff_user(user=user) and has_perm(user=user, perm=Perm.PLAN_MANAGE)


def can_approve_plans(*, user: Any) -> bool:
    """Approve plans and adjustments (service managers)."""
    return is_staff_user(user=user) and has_perm(user=user, perm=Perm.PLAN_APPROVE)


def can_see_plans(*, user: Any) -> bool:
    """Staff who see tickets or work orders; portal users see their own customer's plans."""
    if is_portal_user(user=user):
        return bool(user.is_active)
    return is_staff_user(user=user) and (
        has_perm(user=user, perm=Perm.TICKET_VIEW_ALL)
        or can_manage_plans(user=user)
        or has_perm(user=user, perm=Perm.WORKORDER_WORK)
    )


def can_complete_occurrence(*, user: Any, assignee_ids: set[int]) -> bool:
    """A call is marked done by its engineers or a plan manager."""
    return is_staff_user(user=user) and (user.pk in assignee_ids or can_manage_plans(user=user))
