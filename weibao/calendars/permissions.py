"""Who may read and edit working calendars. Reading is open to staff; SLA deadlines depend on it."""

from __future__ import annotations

from typing import Any

from weibao.accounts.choices import Perm
from weibao.accounts.permissions import has_perm, is_portal_user


def can_view_calendars(*, user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and not is_portal_user(user=user)


def can_manage_calendars(*, user: Any) -> bool:
    return has_perm(user=user, perm=Perm.SLA_MANAGE)
