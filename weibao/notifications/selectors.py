"""Every read of notifications, scoped to the actor (DESIGN rule 2): a user only ever sees their own
notifications and preferences; the rules, webhooks and the delivery log are for administrators."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from weibao.core.errors import NotFound, PermissionDenied
from weibao.core.pagination import Page, keyset_paginate
from weibao.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    NotificationRule,
    Webhook,
)
from weibao.notifications.permissions import can_manage_notifications, can_use_notifications

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


# --------------------------------------------------------------------------- settings and the delivery log


def _require_admin(actor: Any) -> None:
    if not can_manage_notifications(user=actor):
        raise PermissionDenied(_("You may not see notification settings."))


def rule_grid(*, actor: Any) -> dict[tuple[str, str], NotificationRule]:
    """The rules grid, keyed by (event, audience); a missing cell tells nobody."""
    _require_admin(actor)
    return {(rule.event, rule.audience): rule for rule in NotificationRule.objects.all()}


def preference_get(*, actor: Any) -> NotificationPreference:
    """The actor's own preferences (an unsaved default row when they never changed them)."""
    if not can_use_notifications(user=actor):
        raise PermissionDenied(_("Sign in to see notifications."))
    return NotificationPreference.objects.filter(user_id=actor.pk).first() or NotificationPreference(
        user_id=actor.pk
    )


def webhook_list(*, actor: Any) -> QuerySet[Webhook]:
    _require_admin(actor)
    return Webhook.objects.select_related("team", "customer").order_by("name", "id")


def webhook_get(*, actor: Any, webhook_id: int) -> Webhook:
    webhook = webhook_list(actor=actor).filter(pk=webhook_id).first()
    if webhook is None:
        raise NotFound(_("Webhook not found."))
    return webhook


def delivery_list(
    *, actor: Any, status: str = "", channel: str = "", ticket_number: int | None = None
) -> QuerySet[Delivery]:
    """The delivery log, newest first (administrators), with the log page's filters."""
    _require_admin(actor)
    qs = Delivery.objects.select_related("webhook", "user", "contact")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if ticket_number is not None:
        qs = qs.filter(ticket_number=ticket_number)
    return qs.order_by("-created_at", "-id")


def delivery_page(
    *,
    actor: Any,
    status: str = "",
    channel: str = "",
    ticket_number: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Delivery]:
    """One keyset page of :func:`delivery_list`."""
    return keyset_paginate(
        queryset=delivery_list(actor=actor, status=status, channel=channel, ticket_number=ticket_number),
        sort_field="created_at",
        descending=True,
        cursor=cursor,
        limit=max(1, min(limit, MAX_PAGE_SIZE)),
    )


def delivery_get(*, actor: Any, delivery_id: int) -> Delivery:
    delivery = delivery_list(actor=actor).filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound(_("Delivery not found."))
    return delivery
