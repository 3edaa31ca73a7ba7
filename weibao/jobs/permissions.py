"""Who sees the background jobs."""

from __future__ import annotations

from typing import Any

from weibao.accounts.choices import Perm
from weibao.accounts.permissions import has_perm, is_staff_user


def can_view_jobs(*, user: Any) -> bool:
    """Administrators of the service desk (``config.manage``)."""
    return is_staff_user(user=user) and has_perm(user=user, perm=Perm.CONFIG_MANAGE)
