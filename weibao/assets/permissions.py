"""Pure predicates for the installed base."""

from __future__ import annotations

from typing import Any

from weibao.accounts.choices import Perm
from weibao.accounts.permissions import has_perm, is_portal_user, is_staff_user


def can_see_items(*, user: Any) -> bool:
    """Staff who see customers; portal users see their own customer's items (the selectors scope it)."""
    return is_portal_user(user=user) or (
        is_staff_user(user=user) and has_perm(user=user, perm=Perm.CUSTOMER_VIEW)
    )


def can_manage_items(*, user: Any) -> bool:
    """Create, change, import items and handover documents (``asset.manage``)."""
    return is_staff_user(user=user) and has_perm(user=user, perm=Perm.ASSET_MANAGE)
