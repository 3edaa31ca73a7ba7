"""Every read of notifications, scoped to the actor: a user only ever sees their own (DESIGN rule 2)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from weibao.core.errors import NotFound, PermissionDenied
from weibao.core.pagination import Page, keyset_paginate
from weibao.notifications.models import Notification
from weibao.notifications.permissions import can_use_notifications

#: The bell's dropdown shows this many of the newest notifications.
MENU_SIZE = 10
MAX_PAGE_SIZE = 100


def _own(actor: Any) -> QuerySet[Notification]:
    if not can_use_notifications(user=actor):
        raise PermissionDenied(_("Sign in to see notifications."))
    return Notification.objects.filter(recipient_id=actor.pk)


def notification_list(*, actor: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The actor's notifications, newest first (callers slice or paginate)."""
    qs = _own(actor)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def notification_page(
    *, actor: Any, unread_only: bool = False, cursor: str | None = None, limit: int = 50
) -> Page[Notification]:
    """One keyset page of :func:`notification_list`; pass ``next_cursor`` back as ``cursor``."""
    return keyset_paginate(
        queryset=notification_list(actor=actor, unread_only=unread_only),
        sort_field="created_at",
        descending=True,
        cursor=cursor,
        limit=max(1, min(limit, MAX_PAGE_SIZE)),
    )


def notification_latest(*, actor: Any, limit: int = MENU_SIZE) -> list[Notification]:
    """The newest ``limit`` notifications, read or not: the bell's dropdown."""
    return list(notification_list(actor=actor)[:limit])


def notification_unread_count(*, actor: Any) -> int:
    """How many of the actor's notifications are unread (the bell's badge)."""
    return notification_list(actor=actor, unread_only=True).count()


def notification_get(*, actor: Any, notification_id: int) -> Notification:
    """One of the actor's notifications; another user's id answers 404 like an unknown one."""
    notification = _own(actor).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound(_("Notification not found."))
    return notification
