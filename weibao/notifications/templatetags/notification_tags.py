"""Presentation of notifications in templates: the icon of each kind."""

from __future__ import annotations

from django import template

from weibao.notifications.choices import NotificationKind

register = template.Library()

_ICONS = {
    NotificationKind.SLA_WARNING: "ti-clock-exclamation",
    NotificationKind.SLA_BREACH: "ti-alarm",
    NotificationKind.SLA_ESCALATION: "ti-arrow-big-up-lines",
    NotificationKind.TICKET_ASSIGNED: "ti-user-check",
    NotificationKind.TICKET_UPDATE: "ti-ticket",
    NotificationKind.CUSTOMER_REPLIED: "ti-message-reply",
}


@register.filter
def notification_icon(kind: str) -> str:
    """A Tabler icon class for a notification kind (a bell for anything else)."""
    return _ICONS.get(kind, "ti-bell")  # type: ignore[call-overload]
