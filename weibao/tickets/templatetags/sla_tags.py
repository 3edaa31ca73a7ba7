"""SLA badges with a live countdown (the console rows and the ticket page's service-level card).

The server renders the state, the text as of now and the deadline as an ISO attribute
(``data-sla-due``); ``static/src/js/weibao.js`` recounts the text every 30 seconds with the formats
that :func:`sla_formats` puts on the enclosing element, so no request is needed to keep it current.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from weibao.sla.choices import ClockState
from weibao.tickets.choices import OPEN_STATUSES, PendingReason, Status
from weibao.tickets.models import Ticket

register = template.Library()

# Badge states: the clock states plus two the lists derive from the ticket's columns.
AT_RISK = "at_risk"
OVERDUE = "overdue"
NONE = "none"

SLA_COLOURS: dict[str, str] = {
    ClockState.RUNNING: "azure",
    AT_RISK: "orange",
    OVERDUE: "red",
    ClockState.BREACHED: "red",
    ClockState.PAUSED: "secondary",
    ClockState.MET: "green",
    ClockState.STOPPED: "secondary",
    NONE: "secondary",
}


def duration_text(seconds: int) -> str:
    """``2d 3h``, ``2h 15m`` or ``35m`` (two units at most: a badge is read at a glance)."""
    minutes = max(0, int(seconds)) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)sd %(h)sh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)sh %(m)sm") % {"h": hours, "m": mins}
    return _("%(m)sm") % {"m": mins}


def countdown_text(seconds: int) -> str:
    if seconds <= 0:
        return _("overdue %(time)s") % {"time": duration_text(-seconds)}
    return _("%(time)s left") % {"time": duration_text(seconds)}


@register.simple_tag
def sla_formats() -> str:
    """The countdown's phrases for the script, as a JSON attribute value (``data-sla-formats``)."""
    return json.dumps(
        {
            "d": _("%(d)sd %(h)sh"),
            "h": _("%(h)sh %(m)sm"),
            "m": _("%(m)sm"),
            "left": _("%(time)s left"),
            "overdue": _("overdue %(time)s"),
        },
        ensure_ascii=False,
    )


def badge_html(*, state: str, due_at: datetime | None, now: datetime, label: str = "") -> SafeString:
    """One badge. Running states count down to ``due_at``; the others say what they are."""
    if state in (ClockState.RUNNING, AT_RISK, ClockState.BREACHED) and due_at is not None:
        seconds = int((due_at - now).total_seconds())
        if seconds <= 0:
            state = OVERDUE
        text = countdown_text(seconds)
        return format_html(
            '<span class="badge bg-{}-lt sla-badge text-nowrap" data-testid="sla-badge" data-sla-state="{}"'
            ' data-sla-due="{}" title="{}">{}</span>',
            SLA_COLOURS[state],
            state,
            due_at.isoformat(),
            label,
            text,
        )
    texts: dict[str, str] = {
        ClockState.PAUSED: _("paused"),
        ClockState.MET: _("met"),
        ClockState.BREACHED: _("breached"),
        ClockState.STOPPED: _("stopped"),
    }
    text = texts.get(state, "—")
    return format_html(
        '<span class="badge bg-{}-lt sla-badge text-nowrap" data-testid="sla-badge" data-sla-state="{}"'
        ' title="{}">{}</span>',
        SLA_COLOURS.get(state, "secondary"),
        state,
        label,
        text,
    )


def ticket_badge(*, ticket: Ticket, now: datetime) -> SafeString:
    """The most urgent clock of a list row, from the ticket's own columns (no query per row).

    ``sla_due_at`` is the earliest running deadline; an open pending ticket without one is paused.
    """
    due = ticket.sla_due_at
    if ticket.status in OPEN_STATUSES:
        if due is not None:
            state: str
            if ticket.sla_breached:
                state = ClockState.BREACHED
            elif ticket.sla_warn_at is not None and ticket.sla_warn_at <= now:
                state = AT_RISK
            else:
                state = ClockState.RUNNING
            return badge_html(state=state, due_at=due, now=now)
        if ticket.status == Status.PENDING:
            return badge_html(state=ClockState.PAUSED, due_at=None, now=now)
        if ticket.sla_breached:
            return badge_html(state=ClockState.BREACHED, due_at=None, now=now)
        return SafeString('<span class="text-secondary">—</span>')
    if ticket.sla_policy_id is None or ticket.status == Status.CANCELLED:
        return SafeString('<span class="text-secondary">—</span>')
    return badge_html(
        state=ClockState.BREACHED if ticket.sla_breached else ClockState.MET, due_at=None, now=now
    )


@register.simple_tag
def sla_badge(view: Any, now: datetime) -> SafeString:
    """The badge of one clock of the ticket page (a :class:`ClockView`)."""
    # Only a running clock counts down; a met or stopped one keeps its due time for the record only.
    due = view.due_at if view.seconds_left is not None else None
    return badge_html(state=view.state, due_at=due, now=now, label=view.label)


@register.filter
def minutes_text(minutes: int | None) -> str:
    """Working minutes as ``2h 15m`` (the target and paused time on the ticket page)."""
    if minutes is None:
        return "—"
    return duration_text(int(minutes) * 60)


@register.simple_tag
def span_minutes(start: datetime | None, end: datetime | None, now: datetime) -> str:
    """The length of a clock segment (still open: up to now)."""
    if start is None:
        return "—"
    return duration_text(int(((end or now) - start).total_seconds()))


@register.filter
def segment_reason(code: str) -> str:
    """The pending reason that paused a clock, by its label."""
    labels = dict(PendingReason.choices)
    return str(labels.get(code, code))


@register.filter
def rate_colour(rate: float | None) -> str:
    """Compliance % colour: green from 95 %, orange from 80 %, red below; grey when nothing decided."""
    if rate is None:
        return "secondary"
    if rate >= 95:
        return "green"
    return "orange" if rate >= 80 else "red"


@register.simple_tag
def kind_counts(by_kind: dict[str, tuple[int, int]], kind: str) -> tuple[int, int] | None:
    """``(due, breached)`` of one target in a compliance row, or ``None`` when none was due."""
    return by_kind.get(kind)


@register.filter
def target_text(clock: Any) -> str:
    """The target as set, in the reader's language: "2h" or "by the end of the next working day".

    ``SlaClock.target_label`` is a stable machine label (``120min@24x7``, ``day_end:1@working``); the
    budget in working minutes is shown for minute targets.
    """
    label = getattr(clock, "target_label", "") or ""
    if label.startswith("day_end:"):
        days = int(label.split(":", 1)[1].split("@", 1)[0] or 1)
        if days == 1:
            return _("by the end of the next working day")
        return _("by the end of the %(n)d-th next working day") % {"n": days}
    return minutes_text(getattr(clock, "budget_minutes", None))
