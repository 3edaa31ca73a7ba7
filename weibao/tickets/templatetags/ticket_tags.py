"""Template helpers for ticket pages: badges, local times, category labels, timeline changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weibao.tickets.builtin import BUILTIN_CATEGORIES
from weibao.tickets.choices import (
    CategoryKind,
    Channel,
    CloseKind,
    EventKind,
    Level,
    PendingReason,
    Priority,
    Status,
)
from weibao.tickets.models import Ticket

register = template.Library()

#: The one display format for times on ticket pages (in the viewer's time zone).
DATETIME_FORMAT = "%Y-%m-%d %H:%M"

STATUS_COLOURS: dict[str, str] = {
    Status.NEW: "blue",
    Status.ASSIGNED: "azure",
    Status.IN_PROGRESS: "indigo",
    Status.PENDING: "yellow",
    Status.RESOLVED: "teal",
    Status.VERIFIED: "green",
    Status.CLOSED: "secondary",
    Status.CANCELLED: "secondary",
}
PRIORITY_COLOURS: dict[int, str] = {
    Priority.CRITICAL: "red",
    Priority.HIGH: "orange",
    Priority.NORMAL: "blue",
    Priority.LOW: "secondary",
}

# Choice-valued fields in an event's ``changes``: their codes are shown by label.
_CHOICE_FIELDS: dict[str, Any] = {
    "status": Status,
    "priority": Priority,
    "urgency": Level,
    "impact": Level,
    "pending_reason": PendingReason,
    "close_kind": CloseKind,
    "channel": Channel,
}
_EXTRA_LABELS = {
    "merged_ticket": gettext_lazy("Merged ticket"),
    "auto_close_days": gettext_lazy("Auto-close after (days)"),
    "comment": gettext_lazy("Comment"),
    "attachments": gettext_lazy("Attachments"),
}
# Fields whose change is told by the event kind itself: no "old -> new" row.
_SILENT_FIELDS = frozenset({"comment"})


@register.filter
def local_dt(value: datetime | str | None) -> str:
    """``2025-03-01 14:05`` in the viewer's time zone (aware datetimes or ISO strings)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        moment = value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime(DATETIME_FORMAT)


@register.filter
def local_dt_wrap(value: datetime | str | None) -> SafeString:
    """:func:`local_dt` that may break between the date and the time, never inside either."""
    text = local_dt(value)
    if " " not in text:
        return format_html("{}", text)
    day, clock = text.split(" ", 1)
    return format_html('<span class="text-nowrap">{}</span> <span class="text-nowrap">{}</span>', day, clock)


@register.filter
def status_badge(ticket: Ticket) -> SafeString:
    """The status badge; a pending ticket also says what it waits for."""
    colour = STATUS_COLOURS.get(ticket.status, "secondary")
    label = ticket.get_status_display()
    if ticket.status == Status.PENDING and ticket.pending_reason:
        label = f"{label} · {ticket.get_pending_reason_display()}"
    return format_html(
        '<span class="badge bg-{}-lt" data-status="{}">{}</span>', colour, ticket.status, label
    )


@register.filter
def priority_badge(ticket: Ticket) -> SafeString:
    colour = PRIORITY_COLOURS.get(ticket.priority, "secondary")
    return format_html(
        '<span class="badge bg-{}-lt" data-priority="{}">{}</span>',
        colour,
        ticket.priority,
        ticket.get_priority_display(),
    )


@register.filter
def emergency_badge(ticket: Ticket) -> SafeString:
    if not ticket.is_emergency:
        return SafeString("")
    return format_html(
        '<span class="badge bg-red text-red-fg" data-testid="emergency-badge">'
        '<i class="ti ti-alert-triangle"></i> {}</span>',
        _("Emergency"),
    )


def _category_name(category: Any) -> str:
    builtin = BUILTIN_CATEGORIES.get(category.code)
    return str(builtin[2]) if builtin else category.name


@register.filter
def category_label(category: Any) -> str:
    """A category for display: the translated label of a built-in one, else the name stored.

    Sub-categories read "parent / child" (the parent is select_related by the selectors).
    """
    if category is None:
        return ""
    if category.parent_id and category.parent is not None:
        return f"{_category_name(category.parent)} / {_category_name(category)}"
    return _category_name(category)


@register.filter
def category_kind_label(kind: str) -> str:
    try:
        return str(CategoryKind(kind).label)
    except ValueError:
        return kind


@register.filter
def filesize(value: int | None) -> str:
    size = float(value or 0)
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} MB"


def _field_label(name: str) -> str:
    if name in _EXTRA_LABELS:
        return str(_EXTRA_LABELS[name])
    try:
        return str(getattr(Ticket._meta.get_field(name), "verbose_name", name))
    except Exception:
        return name


def _value_label(name: str, value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if name in _CHOICE_FIELDS:
        try:
            return str(_CHOICE_FIELDS[name](value).label)
        except ValueError:
            return str(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and value[10:11] == "T":
        return local_dt(value)
    if name in ("merged_ticket", "merged_into") and isinstance(value, int):
        return f"#{value}"
    return str(value)


@register.filter
def event_changes(event: Any) -> list[dict[str, str]]:
    """Rows ``{"label", "old", "new"}`` of a timeline event, with choice labels and local times."""
    rows = []
    for name, pair in (event.changes or {}).items():
        if name in _SILENT_FIELDS:
            continue
        old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        label = capfirst(_field_label(name))
        rows.append({"label": label, "old": _value_label(name, old), "new": _value_label(name, new)})
    return rows


@register.filter
def event_icon(kind: str) -> str:
    icons: dict[str, str] = {
        EventKind.CREATED: "ti-circle-plus",
        EventKind.UPDATED: "ti-edit",
        EventKind.TRANSITION: "ti-arrows-right",
        EventKind.ASSIGNED: "ti-user-check",
        EventKind.ESCALATED: "ti-arrow-up-circle",
        EventKind.COLLABORATOR_ADDED: "ti-users-plus",
        EventKind.COMMENTED: "ti-message",
        EventKind.PROGRESS: "ti-speakerphone",
        EventKind.ATTACHMENT: "ti-paperclip",
        EventKind.RATED: "ti-star",
        EventKind.MERGED: "ti-git-merge",
        EventKind.MERGED_IN: "ti-git-merge",
    }
    return icons.get(kind, "ti-point")


@register.filter
def stars(score: int | None) -> SafeString:
    if not score:
        return SafeString("")
    # Filled and hollow star characters: the outline icon font has no filled star.
    full = '<span class="text-yellow">★</span>' * int(score)
    empty = '<span class="text-secondary">☆</span>' * (5 - int(score))
    return format_html(
        '<span title="{}/5" aria-label="{}/5">{}</span>', score, score, SafeString(full + empty)
    )


@register.filter
def widget_type(field: BoundField) -> str:
    """What kind of control a bound field is, for the shared field template."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.RadioSelect):
        return "stars" if widget.attrs.get("data-stars") else "radio"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    return "control"


@register.filter
def invalid_widget(field: BoundField) -> SafeString:
    """Render the widget, marked ``is-invalid`` when the field has errors (Tabler shows it red)."""
    if not field.errors:
        return field.as_widget()
    css = field.field.widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": f"{css} is-invalid".strip(), "aria-invalid": "true"})


@register.simple_tag(takes_context=True)
def query_with(context: Any, **kwargs: Any) -> str:
    """The current query string with some parameters replaced (``None`` removes one); cursor reset."""
    request = context["request"]
    params = request.GET.copy()
    params.pop("cursor", None)
    for key, value in kwargs.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
