"""Who may configure mailboxes and who handles mail the intake could not place."""

from __future__ import annotations

from typing import Any

from weibao.accounts.choices import Perm
from weibao.accounts.permissions import has_perm, is_staff_user


def can_manage_mailboxes(*, user: Any) -> bool:
    """Mailbox settings and the quarantine (retry): service desk administrators."""
    return is_staff_user(user=user) and has_perm(user=user, perm=Perm.CONFIG_MANAGE)


def can_handle_inbound(*, user: Any) -> bool:
    """Held mail (unknown senders): whoever may create tickets for customers."""
    return is_staff_user(user=user) and has_perm(user=user, perm=Perm.TICKET_CREATE)
