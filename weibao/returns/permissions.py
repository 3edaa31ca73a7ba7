"""Pure predicates for returns and exchanges."""

from __future__ import annotations

from typing import Any

from weibao.accounts.choices import Perm
from weibao.accounts.permissions import has_perm, is_staff_user


def can_see_rmas(*, user: Any) -> bool:
    """Staff who see customers see the returns; they may also request one."""
    return is_staff_user(user=user) and has_perm(user=user, perm=Perm.CUSTOMER_VIEW)


def can_manage_rmas(*, user: Any) -> bool:
    """Approve, send, receive, close and record the root cause (``rma.manage``)."""
    return is_staff_user(user=user) and has_perm(user=user, perm=Perm.RMA_MANAGE)
