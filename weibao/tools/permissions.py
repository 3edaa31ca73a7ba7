"""Pure predicates for tools and purchase requests."""

from __future__ import annotations

from typing import Any

from weibao.accounts.choices import Perm
from weibao.accounts.permissions import has_perm, is_staff_user


def can_use_tools(*, user: Any) -> bool:
    """Every active staff member keeps, borrows and reports tools, and may ask for purchases."""
    return is_staff_user(user=user) and bool(getattr(user, "is_active", False))


def can_manage_tools(*, user: Any) -> bool:
    """Register tools, hand them to a new keeper, decide losses and damages (``tool.manage``)."""
    return is_staff_user(user=user) and has_perm(user=user, perm=Perm.TOOL_MANAGE)


def can_approve_purchases(*, user: Any) -> bool:
    """Approve or reject purchase requests, record orders and receipts (``purchase.approve``)."""
    return is_staff_user(user=user) and has_perm(user=user, perm=Perm.PURCHASE_APPROVE)
