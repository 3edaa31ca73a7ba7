"""Pure predicates: who may plan, carry out, see and settle work orders."""

from __future__ import annotations

from typing import Any

from weibao.accounts.choices import Perm
from weibao.accounts.permissions import has_perm, is_portal_user, is_staff_user
from weibao.fieldservice.transitions import OrderAction


def can_manage_orders(*, user: Any) -> bool:
    """Plan, dispatch, edit and cancel any work order (agents, project and service managers)."""
    return is_staff_user(user=user) and has_perm(user=user, perm=Perm.WORKORDER_MANAGE)


def can_work_orders(*, user: Any) -> bool:
    """Carry out work orders one is named on (engineers)."""
    return is_staff_user(user=user) and has_perm(user=user, perm=Perm.WORKORDER_WORK)


def can_settle_fees(*, user: Any) -> bool:
    return is_staff_user(user=user) and has_perm(user=user, perm=Perm.FEE_SETTLE)


def can_see_orders(*, user: Any) -> bool:
    """Staff who see tickets see work orders; portal users see their own customer's (selectors scope)."""
    if is_portal_user(user=user):
        return bool(user.is_active)
    return is_staff_user(user=user) and (
        has_perm(user=user, perm=Perm.TICKET_VIEW_ALL)
        or can_manage_orders(user=user)
        or can_work_orders(user=user)
        or can_settle_fees(user=user)
    )


#: What only the engineers on the order (or a manager) may do.
_FIELD_ACTIONS = frozenset(
    {OrderAction.CHECK_IN, OrderAction.RECORD, OrderAction.CHECK_OUT, OrderAction.SIGN, OrderAction.RECEIPT}
)


def can_act(*, user: Any, action: str, engineer_ids: set[int]) -> bool:
    """May ``user`` perform ``action`` on an order with these engineers (state is checked separately)?"""
    if not is_staff_user(user=user):
        return False
    manager = can_manage_orders(user=user)
    on_it = user.pk in engineer_ids and can_work_orders(user=user)
    if action in _FIELD_ACTIONS:
        return on_it or manager
    if action in (OrderAction.ACCEPT_QUOTE, OrderAction.ANNOTATE, OrderAction.CHARGES):
        return on_it or manager or can_settle_fees(user=user)
    return manager  # EDIT, CANCEL
