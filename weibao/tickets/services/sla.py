"""SLA clocks of a ticket (SLA-1..5): started at intake, paused and resumed with the lifecycle, met by
the first response, the arrival on site and the resolution, recomputed when priority or policy change.

These functions run inside the calling service's transaction (the ticket row is already locked) and
never check permissions themselves: the service that changes the ticket has done that. The sweeper
(``sla_sweep``) is the only other writer of clocks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from weibao.calendars.engine import CompiledCalendar
from weibao.calendars.models import Calendar
from weibao.calendars.selectors import compiled_calendar
from weibao.sla.choices import ClockState, EscalationTrigger, SegmentKind, TargetKind
from weibao.sla.clock import Span, read_clock, threshold_time
from weibao.sla.models import EscalationRule, SlaPolicy, SlaTarget
from weibao.sla.selectors import (
    policy_config,
    policy_for_customer,
    policy_targets,
    target_budget,
    ticket_calendars,
)
from weibao.tickets.choices import PendingReason, Status
from weibao.tickets.models import SlaBreach, SlaClock, SlaSegment, Ticket

# Ticket columns these functions may change; services add them to ``save_ticket``'s field list.
SLA_TICKET_FIELDS = ["sla_policy", "sla_due_at", "sla_warn_at", "sla_breached"]

_FINISHED = {Status.RESOLVED, Status.VERIFIED, Status.CLOSED, Status.CANCELLED}


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())


def _utc(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def spans_of(*, segments: Iterable[SlaSegment]) -> list[Span]:
    """The clock arithmetic's view of stored segments, in order (epoch seconds)."""
    return [
        Span(s.kind, _ts(s.started_at), _ts(s.ended_at) if s.ended_at is not None else None)
        for s in sorted(segments, key=lambda s: (s.started_at, s.pk or 0))
    ]


def pause_applies(*, policy: SlaPolicy, reason: str) -> bool:
    """Whether a pending reason stops the resolution clock under this policy (SLA-4)."""
    pauses: dict[str, bool] = {
        PendingReason.CUSTOMER: policy.pause_on_customer,
        PendingReason.THIRD_PARTY: policy.pause_on_third_party,
        PendingReason.OTHER: policy.pause_on_other,
    }
    return pauses.get(reason, False)


def rule_applies(*, rule: EscalationRule, kind: str) -> bool:
    """An active rule for this target, or for every target."""
    return rule.is_active and (not rule.kind or rule.kind == kind)


@dataclass
class Evaluation:
    """What the clock's segments say now: due time, next time the sweeper must look, warning time."""

    due_at: datetime | None
    paused_minutes: int
    next_check_at: datetime | None
    warn_at: datetime | None
    due_rules: list[EscalationRule]  # rules whose moment has come and that have not fired yet
    # The next check once everything due now is handled (``due_rules`` fired, a passed due time
    # breached): what the sweeper stores after its batch, without evaluating the clock a second time.
    next_check_after: datetime | None = None


def evaluate(
    *,
    clock: SlaClock,
    compiled: CompiledCalendar,
    spans: Sequence[Span],
    rules: Sequence[EscalationRule],
    fired: set[str],
    now: datetime,
) -> Evaluation:
    """Recompute a clock from its segments (shared by the services and the sweeper)."""
    now_ts = _ts(now)
    budget = clock.budget_minutes * 60
    reading = read_clock(calendar=compiled, budget_seconds=budget, spans=spans, now=now_ts)
    due = reading.due
    live = clock.state == ClockState.RUNNING
    # A met clock still owes the alerts whose moment came while it ran (e.g. met late between sweeps).
    horizon = _ts(clock.met_at) if clock.state == ClockState.MET and clock.met_at else None
    candidates: list[int] = []
    due_rules: list[EscalationRule] = []
    warn: int | None = None
    if live and due is not None and not clock.is_breached:
        candidates.append(due)
    for rule in rules:
        if not rule_applies(rule=rule, kind=clock.kind):
            continue
        if rule.trigger == EscalationTrigger.PERCENT:
            at = threshold_time(
                calendar=compiled, budget_seconds=budget, spans=spans, percent=rule.value, now=now_ts
            )
            if at is not None and live:
                warn = at if warn is None else min(warn, at)
        else:
            at = due + rule.value * 60 if due is not None else None
        if at is None or str(rule.pk) in fired:
            continue
        if not live and (horizon is None or at > horizon):
            continue
        if at <= now_ts:
            due_rules.append(rule)
        else:
            candidates.append(at)
    later = [at for at in candidates if at > now_ts]
    if due_rules:
        candidates.append(now_ts)  # processed right away by the caller; kept only if it fails
    return Evaluation(
        due_at=_utc(due) if due is not None else None,
        paused_minutes=reading.paused_seconds // 60,
        next_check_at=_utc(min(candidates)) if candidates and (live or due_rules) else None,
        warn_at=_utc(warn) if warn is not None else None,
        due_rules=due_rules,
        next_check_after=_utc(min(later)) if later and live else None,
    )


class TicketClocks:
    """The clocks of one locked ticket, loaded once, changed in memory, written by ``save``."""

    def __init__(self, *, ticket: Ticket, now: datetime) -> None:
        self.ticket = ticket
        self.now = now
        self.clocks: dict[str, SlaClock] = {}
        self.segments: dict[str, list[SlaSegment]] = {}
        self.new_segments: list[SlaSegment] = []
        self.touched: set[str] = set()
        self.dirty: set[str] = set()
        self._rules: list[EscalationRule] | None = None
        if ticket.pk:
            for clock in ticket.sla_clocks.select_related("calendar", "policy").prefetch_related(
                "segments", "alerts"
            ):
                self.clocks[clock.kind] = clock
                self.segments[clock.kind] = list(clock.segments.all())

    # -- segment plumbing --------------------------------------------------------------------------

    def _open(self, kind: str) -> SlaSegment | None:
        open_segments = [s for s in self.segments.get(kind, []) if s.ended_at is None]
        return open_segments[-1] if open_segments else None

    def _close(self, kind: str, at: datetime) -> None:
        segment = self._open(kind)
        if segment is not None:
            segment.ended_at = max(at, segment.started_at)
            if segment.pk:
                SlaSegment.objects.filter(pk=segment.pk).update(ended_at=segment.ended_at)

    def _add(self, kind: str, segment_kind: str, at: datetime, reason: str = "") -> None:
        segment = SlaSegment(kind=segment_kind, reason=reason, started_at=at)
        self.segments.setdefault(kind, []).append(segment)
        self.new_segments.append(segment)
        segment.clock_kind = kind  # type: ignore[attr-defined]  # resolved to the clock on save
        self.touched.add(kind)

    # -- lifecycle ---------------------------------------------------------------------------------

    def pause(self, kind: str, reason: str, at: datetime) -> None:
        clock = self.clocks.get(kind)
        if clock is None or clock.state != ClockState.RUNNING:
            return
        self._close(kind, at)
        self._add(kind, SegmentKind.PAUSED, at, reason)
        clock.state = ClockState.PAUSED
        self.touched.add(kind)

    def resume(self, kind: str, at: datetime, reason: str = "") -> None:
        clock = self.clocks.get(kind)
        if clock is None or clock.state == ClockState.RUNNING:
            return
        if clock.state in (ClockState.MET, ClockState.STOPPED):
            # Reopened: the time since the clock stopped is recorded as paused, so it stays auditable.
            stopped = clock.met_at or self._last_end(kind) or at
            if stopped < at:
                self._add(kind, SegmentKind.PAUSED, stopped, reason or "stopped")
                self.segments[kind][-1].ended_at = at
            clock.met_at = None
        else:
            self._close(kind, at)
        self._add(kind, SegmentKind.RUNNING, at)
        clock.state = ClockState.RUNNING
        self.touched.add(kind)

    def _last_end(self, kind: str) -> datetime | None:
        ends = [s.ended_at for s in self.segments.get(kind, []) if s.ended_at is not None]
        return max(ends) if ends else None

    def meet(self, kind: str, at: datetime) -> None:
        clock = self.clocks.get(kind)
        if clock is None or clock.state not in (ClockState.RUNNING, ClockState.PAUSED):
            return
        self._close(kind, at)
        clock.met_at = at
        clock.state = ClockState.MET
        self.touched.add(kind)

    def stop(self, kind: str, at: datetime) -> None:
        clock = self.clocks.get(kind)
        if clock is None or clock.state not in (ClockState.RUNNING, ClockState.PAUSED):
            return
        self._close(kind, at)
        clock.state = ClockState.STOPPED
        self.touched.add(kind)

    # -- targets -----------------------------------------------------------------------------------

    def sync_targets(self) -> None:
        """Create, re-target or stop clocks so they match the ticket's policy, priority and site now."""
        ticket = self.ticket
        if ticket.sla_policy_id is None:
            ticket.sla_policy = policy_for_customer(
                customer_id=ticket.customer_id, on=timezone.localdate(ticket.reported_at)
            )
        policy = ticket.sla_policy
        assert policy is not None
        site = ticket.site
        distance = site.distance_class if site is not None else ""
        targets = policy_targets(policy=policy, priority=ticket.priority, distance_class=distance)
        fallback, calendars = ticket_calendars(
            site_calendar_id=site.calendar_id if site is not None else None,
            customer_calendar_id=ticket.customer.calendar_id,
            other_ids=[target.calendar_id for target in targets.values()],
        )
        for kind in TargetKind.values:
            target: SlaTarget | None = targets.get(kind)
            if kind == TargetKind.ONSITE and not ticket.needs_onsite:
                target = None
            clock = self.clocks.get(kind)
            if target is None:
                if clock is not None:
                    self.stop(kind, self.now)
                continue
            start = clock.started_at if clock is not None else ticket.reported_at
            budget = target_budget(
                target=target, fallback_calendar=fallback, start=start, calendars=calendars
            )
            if clock is None:
                clock = SlaClock(ticket=ticket, kind=kind, started_at=start, state=ClockState.RUNNING)
                self.clocks[kind] = clock
                self.segments[kind] = []
                self._add(kind, SegmentKind.RUNNING, start)
                self._catch_up(kind)
            elif clock.state == ClockState.STOPPED and ticket.status not in _FINISHED:
                self.resume(kind, self.now, reason="no target")
            clock.policy = policy
            clock.calendar = budget.calendar
            clock.budget_minutes = max(0, budget.seconds // 60)
            clock.target_label = _target_label(target, calendars)
            self.touched.add(kind)

    def _catch_up(self, kind: str) -> None:
        """A clock created after intake (new priority, visit flagged later) learns what already happened."""
        ticket = self.ticket
        met_times: dict[str, datetime | None] = {
            TargetKind.RESPONSE: ticket.first_response_at,
            TargetKind.ONSITE: ticket.onsite_arrived_at,
            TargetKind.RESOLUTION: ticket.resolved_at if ticket.status in _FINISHED else None,
        }
        met_at = met_times.get(kind)
        if met_at is not None:
            self.meet(kind, max(met_at, ticket.reported_at))
        elif ticket.status in (Status.CANCELLED, Status.CLOSED):
            self.stop(kind, self.now)
        elif (
            kind == TargetKind.RESOLUTION
            and ticket.status == Status.PENDING
            and ticket.sla_policy is not None
            and pause_applies(policy=ticket.sla_policy, reason=ticket.pending_reason)
        ):
            self.pause(kind, ticket.pending_reason, self.now)

    # -- writing -----------------------------------------------------------------------------------

    def compute(self) -> None:
        """Recompute the clocks from their segments (in memory) and the ticket's SLA columns."""
        ticket = self.ticket
        if self._rules is None:
            # The policy row is loaded by now (sync_targets or the clocks' join); its version keys the cache.
            self._rules = list(policy_config(policy=ticket.sla_policy).rules) if ticket.sla_policy else []
        warn_times: list[datetime] = []
        due_times: list[datetime] = []
        for kind, clock in self.clocks.items():
            compiled = compiled_calendar(calendar=clock.calendar)
            fired = {a.rule_key for a in clock.alerts.all()} if clock.pk else set()
            spans = spans_of(segments=self.segments.get(kind, []))
            result = evaluate(
                clock=clock, compiled=compiled, spans=spans, rules=self._rules, fired=fired, now=self.now
            )
            if kind in self.touched or clock.pk is None:
                clock.due_at = result.due_at
                clock.paused_minutes = result.paused_minutes
                clock.next_check_at = result.next_check_at
                clock.missing_holiday_years = compiled.missing_years(
                    _ts(clock.started_at), _ts(result.due_at) if result.due_at else _ts(clock.started_at)
                )
                met_late = (
                    clock.met_at is not None and clock.due_at is not None and clock.met_at > clock.due_at
                )
                if clock.state == ClockState.MET and met_late:
                    clock.is_breached = True
                self.dirty.add(kind)
            if clock.state == ClockState.RUNNING and clock.due_at is not None:
                due_times.append(clock.due_at)
                if result.warn_at is not None:
                    warn_times.append(result.warn_at)
        self.touched.clear()
        ticket.sla_due_at = min(due_times) if due_times else None
        ticket.sla_warn_at = min(warn_times) if warn_times else None
        ticket.sla_breached = any(c.is_breached for c in self.clocks.values())

    def write(self) -> None:
        """Persist what ``compute`` decided: clocks, new segments, breaches (the caller saves the ticket)."""
        ticket = self.ticket
        dirty = [self.clocks[kind] for kind in sorted(self.dirty)]
        fresh = [c for c in dirty if c.pk is None]
        for clock in fresh:
            clock.ticket = ticket
        SlaClock.objects.bulk_create(fresh)
        for clock in dirty:
            if clock not in fresh:
                clock.save()
        for segment in self.new_segments:
            segment.clock = self.clocks[segment.clock_kind]  # type: ignore[attr-defined]
        SlaSegment.objects.bulk_create(self.new_segments)
        for clock in dirty:
            if clock.is_breached and clock.due_at is not None:
                record_breach(clock=clock, ticket=ticket)
        self.new_segments = []
        self.dirty.clear()

    def save(self) -> None:
        """``compute`` then ``write`` (inside the caller's transaction, the ticket row locked)."""
        self.compute()
        self.write()


def record_breach(*, clock: SlaClock, ticket: Ticket) -> SlaBreach:
    """Create or complete the breach row of a clock (how late it was met, once it is met)."""
    assert clock.due_at is not None
    late = int((clock.met_at - clock.due_at).total_seconds() // 60) if clock.met_at else None
    breach, created = SlaBreach.objects.get_or_create(
        clock=clock,
        defaults={
            "ticket": ticket,
            "kind": clock.kind,
            "due_at": clock.due_at,
            "met_at": clock.met_at,
            "late_minutes": late,
            "assignee_id": ticket.assignee_id,
        },
    )
    if not created and (breach.met_at != clock.met_at or breach.due_at != clock.due_at):
        breach.met_at, breach.late_minutes, breach.due_at = clock.met_at, late, clock.due_at
        breach.save(update_fields=["met_at", "late_minutes", "due_at"])
    return breach


def _target_label(target: SlaTarget, calendars: dict[int, Calendar]) -> str:
    # A stable machine label of the target as set (the ticket page translates it: sla_tags.target_text).
    own = calendars.get(target.calendar_id) if target.calendar_id else None
    calendar = own.slug if own is not None else "working"
    if target.mode == "day_end":
        return f"day_end:{target.days}@{calendar}"
    return f"{target.minutes}min@{calendar}"


# --------------------------------------------------------------------------- hooks used by services


def sla_start(*, ticket: Ticket, now: datetime | None = None) -> None:
    """Start the clocks of a new ticket at its ``reported_at`` (SLA-1: counted from the report)."""
    clocks = TicketClocks(ticket=ticket, now=now or timezone.now())
    clocks.sync_targets()
    clocks.save()


def sla_resync(*, ticket: Ticket, now: datetime | None = None, restart: bool = False) -> None:
    """Priority, policy, site or visit flag changed: re-target every clock, keeping its segments.

    ``restart``: ``reported_at`` was corrected, so every clock (and its first segment) starts there.
    """
    now = now or timezone.now()
    clocks = TicketClocks(ticket=ticket, now=now)
    if restart:
        for kind, clock in clocks.clocks.items():
            clock.started_at = ticket.reported_at
            first = clocks.segments[kind][0] if clocks.segments.get(kind) else None
            if first is not None and first.pk:
                first.started_at = ticket.reported_at
                SlaSegment.objects.filter(pk=first.pk).update(started_at=ticket.reported_at)
    clocks.sync_targets()
    clocks.touched.update(clocks.clocks)
    clocks.save()


def sla_status_changed(*, ticket: Ticket, before: str, now: datetime | None = None) -> None:
    """Follow a lifecycle transition: pause, resume, meet or stop the clocks (SLA-4)."""
    after = ticket.status
    if after == before:
        return
    now = now or timezone.now()
    clocks = TicketClocks(ticket=ticket, now=now)
    if not clocks.clocks:
        return
    policy = ticket.sla_policy
    resolution = TargetKind.RESOLUTION
    if (
        after == Status.PENDING
        and policy is not None
        and pause_applies(policy=policy, reason=ticket.pending_reason)
    ):
        clocks.pause(resolution, ticket.pending_reason, now)
    elif before == Status.PENDING and after not in _FINISHED:
        clocks.resume(resolution, now)
    if after == Status.RESOLVED:
        clocks.meet(TargetKind.RESPONSE, now)  # a resolution is also an answer
        clocks.meet(resolution, now)
    elif after in (Status.CANCELLED, Status.CLOSED):
        for kind in TargetKind.values:
            clocks.stop(kind, now)
    elif before in _FINISHED and after not in _FINISHED:
        clocks.resume(resolution, now, reason="reopened")
    clocks.save()


def sla_response_given(*, ticket: Ticket, at: datetime) -> bool:
    """The first public reply or call back meets the response target. Returns True the first time."""
    if ticket.first_response_at is not None:
        return False
    ticket.first_response_at = at
    clocks = TicketClocks(ticket=ticket, now=at)
    clocks.meet(TargetKind.RESPONSE, at)
    clocks.save()
    return True


def sla_arrived(*, ticket: Ticket, at: datetime, now: datetime | None = None) -> None:
    """An engineer arrived on site (recorded by an agent until the field-service check-in exists)."""
    ticket.onsite_arrived_at = at
    clocks = TicketClocks(ticket=ticket, now=now or timezone.now())
    if TargetKind.ONSITE not in clocks.clocks:
        ticket.needs_onsite = True
        clocks.sync_targets()
    clocks.meet(TargetKind.ONSITE, at)
    clocks.save()


def sla_explain_breach(*, breach: SlaBreach, actor: Any, reason: str, now: datetime | None = None) -> None:
    """Store the engineer's reason on a breach (the caller checked the permission)."""
    breach.reason = reason
    breach.reason_by = actor
    breach.reason_at = now or timezone.now()
    breach.save(update_fields=["reason", "reason_by", "reason_at"])
