"""SLA clock arithmetic (SLA-4): a budget of working time consumed by running segments only.

A clock is a list of segments (running, or paused with a reason). The due time is the moment the
running segments have consumed the budget on the clock's calendar; while paused there is no due time.
Everything is recomputed from the segments, so a new priority (a new budget) or a new policy (a new
calendar) gives the new deadline without losing the paused time (SLA-4). Pure: no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from weibao.calendars.engine import CompiledCalendar
from weibao.sla.choices import SegmentKind


@dataclass(frozen=True)
class Span:
    """One segment in epoch seconds; ``end is None`` means it is still going."""

    kind: str
    start: int
    end: int | None


@dataclass(frozen=True)
class ClockReading:
    due: int | None  # epoch seconds; None while paused (or for a stopped clock that never ran out)
    consumed: int  # working seconds consumed by the closed running segments (and the open one up to now)
    remaining: int  # working seconds left of the budget (0 when exhausted)
    paused_seconds: int  # wall-clock seconds spent paused
    running: bool  # the last segment is an open running one


def read_clock(
    *, calendar: CompiledCalendar, budget_seconds: int, spans: Sequence[Span], now: int
) -> ClockReading:
    """Walk the segments in order and find where the budget runs out.

    If it runs out inside a closed running segment, that moment is the due time (already past: the
    target was missed there, even if the clock was paused or stopped afterwards). If it has not run out,
    an open running segment gives ``deadline(segment start, remaining)``; a paused or stopped clock has
    no due time, except that a stopped clock keeps the deadline it would have had at that moment.
    """
    remaining = budget_seconds
    consumed = 0
    paused = 0
    running = False
    due: int | None = None
    last_end: int | None = None
    for span in spans:
        end = span.end if span.end is not None else now
        if span.kind == SegmentKind.PAUSED:
            paused += max(0, end - span.start)
            continue
        if span.end is None:
            running = True
            if due is None:
                due = calendar.deadline_ts(span.start, remaining)
            consumed += calendar.working_seconds(span.start, max(span.start, now))
            continue
        worked = calendar.working_seconds(span.start, span.end)
        if due is None and worked >= remaining:
            due = calendar.deadline_ts(span.start, remaining)
        consumed += worked
        remaining = max(0, remaining - worked) if due is None else remaining
        last_end = span.end
    if due is None and not running and last_end is not None and not _ends_paused(spans):
        due = calendar.deadline_ts(last_end, remaining)
    left = max(0, budget_seconds - consumed)
    return ClockReading(due=due, consumed=consumed, remaining=left, paused_seconds=paused, running=running)


def _ends_paused(spans: Sequence[Span]) -> bool:
    return bool(spans) and spans[-1].kind == SegmentKind.PAUSED


def threshold_time(
    *, calendar: CompiledCalendar, budget_seconds: int, spans: Sequence[Span], percent: int, now: int
) -> int | None:
    """When ``percent`` of the budget will have been consumed (None while paused before reaching it)."""
    return read_clock(
        calendar=calendar, budget_seconds=budget_seconds * percent // 100, spans=spans, now=now
    ).due
