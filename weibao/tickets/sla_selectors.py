"""Reads of tickets' service levels: clock states for badges and JSON, segments, breaches, compliance.

The state shown is derived at read time, so a running clock whose deadline passed a moment ago shows
"breached" even before the sweeper has recorded it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.core.errors import PermissionDenied
from weibao.sla.choices import ClockState, TargetKind
from weibao.sla.selectors import can_view_sla_reports
from weibao.tickets.models import SlaAlert, SlaBreach, SlaClock, SlaSegment, Ticket
from weibao.tickets.selectors import ticket_scope

# A prefetch for lists and pages: each ticket's clocks in one query.
SLA_PREFETCH = Prefetch("sla_clocks", queryset=SlaClock.objects.select_related("calendar").order_by("kind"))

KIND_ORDER: dict[str, int] = {TargetKind.RESPONSE: 0, TargetKind.ONSITE: 1, TargetKind.RESOLUTION: 2}


def clock_state(*, clock: SlaClock, now: dt.datetime) -> str:
    """running / paused / met / breached / stopped, as the API and the badges show it."""
    if clock.is_breached:
        return ClockState.BREACHED
    if clock.state == ClockState.RUNNING and clock.due_at is not None and clock.due_at <= now:
        return ClockState.BREACHED
    return clock.state


@dataclass(frozen=True)
class ClockView:
    """One clock ready for a template or JSON."""

    kind: str
    label: str
    state: str
    due_at: dt.datetime | None
    met_at: dt.datetime | None
    paused_minutes: int
    budget_minutes: int
    calendar: str
    missing_holiday_years: list[int]
    seconds_left: int | None  # for the live countdown; negative when overdue


def clock_views(*, clocks: Iterable[SlaClock], now: dt.datetime | None = None) -> list[ClockView]:
    now = now or timezone.now()
    views = []
    for clock in sorted(clocks, key=lambda c: KIND_ORDER.get(c.kind, 9)):
        state = clock_state(clock=clock, now=now)
        left = int((clock.due_at - now).total_seconds()) if clock.due_at and clock.met_at is None else None
        views.append(
            ClockView(
                kind=clock.kind,
                label=str(TargetKind(clock.kind).label),
                state=state,
                due_at=clock.due_at,
                met_at=clock.met_at,
                paused_minutes=clock.paused_minutes,
                budget_minutes=clock.budget_minutes,
                calendar=clock.calendar.slug,
                missing_holiday_years=list(clock.missing_holiday_years or []),
                seconds_left=left if clock.state == ClockState.RUNNING else None,
            )
        )
    return views


def ticket_sla_json(*, ticket: Ticket, now: dt.datetime | None = None) -> dict[str, dict[str, Any]]:
    """``{"response": {"due_at", "met_at", "state", "paused_minutes", ...}, ...}`` for the ticket JSON."""
    return {
        view.kind: {
            "state": view.state,
            "due_at": view.due_at,
            "met_at": view.met_at,
            "paused_minutes": view.paused_minutes,
            "target_minutes": view.budget_minutes,
            "calendar": view.calendar,
            "missing_holiday_years": view.missing_holiday_years,
        }
        for view in clock_views(clocks=_clocks_of(ticket), now=now)
    }


def _clocks_of(ticket: Ticket) -> Iterable[SlaClock]:
    """Prefetched clocks when the list did that, else one query (with the calendars) for this ticket."""
    if "sla_clocks" in getattr(ticket, "_prefetched_objects_cache", {}):
        return ticket.sla_clocks.all()
    return SlaClock.objects.filter(ticket_id=ticket.pk).select_related("calendar")


@dataclass
class TicketSla:
    """Everything the SLA panel and ``GET /tickets/{id}/sla`` show."""

    ticket: Ticket
    clocks: list[SlaClock]
    views: list[ClockView]
    breaches: list[SlaBreach]
    alerts: list[SlaAlert]


def ticket_sla(*, ticket: Ticket, now: dt.datetime | None = None) -> TicketSla:
    """The clocks with their segments, breaches and alerts of a ticket already fetched in scope."""
    clocks = list(
        SlaClock.objects.filter(ticket=ticket)
        .select_related("calendar", "policy")
        .prefetch_related(Prefetch("segments", queryset=SlaSegment.objects.order_by("started_at", "pk")))
    )
    clocks.sort(key=lambda c: KIND_ORDER.get(c.kind, 9))
    breaches = list(SlaBreach.objects.filter(ticket=ticket).select_related("reason_by", "assignee"))
    alerts = list(SlaAlert.objects.filter(clock__ticket=ticket).order_by("fired_at", "pk"))
    return TicketSla(ticket, clocks, clock_views(clocks=clocks, now=now), breaches, alerts)


# --------------------------------------------------------------------------- compliance


@dataclass
class ComplianceRow:
    key: Any
    label: str
    total: int = 0
    met: int = 0
    breached: int = 0
    open: int = 0
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (due, breached)

    @property
    def rate(self) -> float | None:
        decided = self.met + self.breached
        return round(100.0 * self.met / decided, 1) if decided else None


@dataclass
class ComplianceReport:
    date_from: dt.date
    date_to: dt.date
    group_by: str
    rows: list[ComplianceRow]
    total: ComplianceRow


GROUPS = ("customer", "priority", "engineer")


def sla_compliance(
    *, actor: Any, date_from: dt.date, date_to: dt.date, group_by: str = "customer"
) -> ComplianceReport:
    """Targets due in ``[date_from, date_to]`` (local dates): met on time, breached, still open.

    Grouped by customer, priority or engineer (the assignee now; for breaches, the assignee at the
    breach, who is whom the staff assessment counts). Cancelled tickets' stopped clocks are left out.
    """
    if not can_view_sla_reports(user=actor):
        raise PermissionDenied(_("You need the permission to see SLA reports."))
    if group_by not in GROUPS:
        group_by = "customer"
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    clocks: QuerySet[SlaClock] = SlaClock.objects.filter(
        ticket__in=ticket_scope(actor=actor), due_at__gte=start, due_at__lt=end
    ).exclude(state=ClockState.STOPPED, is_breached=False)
    field_name = {
        "customer": "ticket__customer__name",
        "priority": "ticket__priority",
        "engineer": "ticket__assignee__username",
    }[group_by]
    key_name = {
        "customer": "ticket__customer_id",
        "priority": "ticket__priority",
        "engineer": "ticket__assignee_id",
    }[group_by]
    now = timezone.now()
    grouped = (
        clocks.values(key_name, field_name, "kind")
        .annotate(
            total=Count("pk"),
            breached=Count("pk", filter=Q(is_breached=True) | Q(state=ClockState.RUNNING, due_at__lte=now)),
            met=Count("pk", filter=Q(state=ClockState.MET, is_breached=False)),
            open=Count("pk", filter=Q(state__in=[ClockState.RUNNING, ClockState.PAUSED], due_at__gt=now)),
        )
        .order_by(field_name)
    )
    grouped = list(grouped)
    names: dict[Any, str] = {}
    if group_by == "engineer":
        from weibao.accounts.models import User

        ids = {e[key_name] for e in grouped if e[key_name]}
        names = {u.pk: u.label for u in User.objects.filter(pk__in=ids)}
    rows: dict[Any, ComplianceRow] = {}
    total = ComplianceRow(key=None, label=str(_("All")))
    by_kind_total: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for entry in grouped:
        key = entry[key_name]
        label = _group_label(group_by=group_by, key=key, name=names.get(key, entry[field_name]))
        row = rows.setdefault(key, ComplianceRow(key=key, label=label))
        for target in (row, total):
            target.total += entry["total"]
            target.met += entry["met"]
            target.breached += entry["breached"]
            target.open += entry["open"]
        due, breached = row.by_kind.get(entry["kind"], (0, 0))
        row.by_kind[entry["kind"]] = (due + entry["total"], breached + entry["breached"])
        by_kind_total[entry["kind"]][0] += entry["total"]
        by_kind_total[entry["kind"]][1] += entry["breached"]
    total.by_kind = {kind: (v[0], v[1]) for kind, v in by_kind_total.items()}
    ordered = sorted(rows.values(), key=lambda r: (r.rate if r.rate is not None else 101.0, r.label))
    return ComplianceReport(date_from, date_to, group_by, ordered, total)


def _group_label(*, group_by: str, key: Any, name: Any) -> str:
    if group_by == "priority":
        from weibao.sla.choices import Priority

        return str(Priority(key).label) if key else "-"
    if group_by == "engineer":
        return str(name or _("Unassigned")) if key else str(_("Unassigned"))
    return str(name or "-")


def breach_list(*, actor: Any, date_from: dt.date, date_to: dt.date) -> QuerySet[SlaBreach]:
    """Breaches due in the period (for the compliance page's detail table), newest first."""
    if not can_view_sla_reports(user=actor):
        raise PermissionDenied(_("You need the permission to see SLA reports."))
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return (
        SlaBreach.objects.filter(ticket__in=ticket_scope(actor=actor), due_at__gte=start, due_at__lt=end)
        .select_related("ticket", "ticket__customer", "assignee", "reason_by")
        .order_by("-due_at")
    )
