"""Pure predicates for stock."""

from __future__ import annotations

from typing import Any

from weibao.accounts.choices import Perm
from weibao.accounts.permissions import has_perm, is_staff_user


def can_see_stock(*, user: Any) -> bool:
    """Staff who manage stock or carry out work orders (engineers see what they can take)."""
    return is_staff_user(user=user) and (
        has_perm(user=user, perm=Perm.STOCK_MANAGE) or has_perm(user=user, perm=Perm.WORKORDER_WORK)
    )


def can_manage_stock(*, user: Any) -> bool:
    """Warehouse work: receive, transfer, scrap, count (``stock.manage``)."""
    return is_staff_user(user=user) and has_perm(user=user, perm=Perm.STOCK_MANAGE)
