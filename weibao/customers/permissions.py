"""Pure predicates for customers, sites, contacts and delivered systems."""

from __future__ import annotations

from typing import Any

from weibao.accounts.choices import Perm
from weibao.accounts.permissions import has_perm, is_staff_user


def can_view_customers(*, user: Any) -> bool:
    """Staff with ``customer.view`` (or ``customer.manage``) see every customer."""
    return is_staff_user(user=user) and (
        has_perm(user=user, perm=Perm.CUSTOMER_VIEW) or has_perm(user=user, perm=Perm.CUSTOMER_MANAGE)
    )


def can_manage_customers(*, user: Any) -> bool:
    """Create and change customers, sites, contacts, systems and portal logins."""
    return is_staff_user(user=user) and has_perm(user=user, perm=Perm.CUSTOMER_MANAGE)
