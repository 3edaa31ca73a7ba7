"""Who may manage service levels and read the compliance figures: pure predicates."""

from __future__ import annotations

from typing import Any

from weibao.accounts.choices import Perm
from weibao.accounts.permissions import has_perm, is_portal_user


def can_view_policies(*, user: Any) -> bool:
    """Staff read policies (the ticket page shows which applies); customers see only their deadlines."""
    return bool(getattr(user, "is_authenticated", False)) and not is_portal_user(user=user)


def can_manage_sla(*, user: Any) -> bool:
    return has_perm(user=user, perm=Perm.SLA_MANAGE)


def can_view_sla_reports(*, user: Any) -> bool:
    """Staff holding ``sla.report`` (the report spans every customer, so never a portal user)."""
    return can_view_policies(user=user) and has_perm(user=user, perm=Perm.SLA_REPORT)
