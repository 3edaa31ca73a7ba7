"""Pure predicates for notifications: the inbox, preferences, and their administration."""

from __future__ import annotations

from typing import Any

from weibao.accounts.choices import Perm
from weibao.accounts.permissions import has_perm, is_staff_user


def can_use_notifications(*, user: Any) -> bool:
    """Every signed-in, active user (staff or portal) has an inbox; it holds only their own rows."""
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def can_manage_notifications(*, user: Any) -> bool:
    """Rules, robot webhooks, the delivery log and the jobs page: service desk administrators."""
    return is_staff_user(user=user) and has_perm(user=user, perm=Perm.CONFIG_MANAGE)
