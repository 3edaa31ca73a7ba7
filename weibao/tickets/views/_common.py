"""Shared view plumbing: who may open which page, and the request type with ``htmx``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from weibao.accounts.choices import Perm
from weibao.accounts.permissions import has_perm, is_portal_user, is_staff_user

#: Rows per console / portal page (keyset pages).
PAGE_SIZE = 50
PORTAL_PAGE_SIZE = 20


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def signed_in(*, user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def staff_or_portal(*, user: Any) -> bool:
    return is_staff_user(user=user) or is_portal_user(user=user)


def can_log_call(*, user: Any) -> bool:
    return is_staff_user(user=user) and has_perm(user=user, perm=Perm.TICKET_CREATE)


def can_report(*, user: Any) -> bool:
    return is_portal_user(user=user) and has_perm(user=user, perm=Perm.TICKET_CREATE)


def can_manage_desk(*, user: Any) -> bool:
    return is_staff_user(user=user) and has_perm(user=user, perm=Perm.CONFIG_MANAGE)


def wants_fragment(request: HtmxHttpRequest) -> bool:
    """An htmx request for a fragment (not a history restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request
