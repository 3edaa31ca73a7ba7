"""Properties of the SLA clock arithmetic (SLA-4): pauses shift the deadline by exactly their working time."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from weibao.calendars.builtin import CN_WORKDAY_PERIODS, package_days
from weibao.calendars.engine import CalendarSpec, compile_calendar
from weibao.sla.choices import SegmentKind
from weibao.sla.clock import Span, read_clock, threshold_time

_DAYS = package_days()
CN = compile_calendar(
    CalendarSpec(
        time_zone="Asia/Shanghai",
        periods={k: tuple(v) for k, v in CN_WORKDAY_PERIODS.items()},
        holidays=frozenset(d for d, kind, _n in _DAYS if kind == "holiday"),
        workdays=frozenset(d for d, kind, _n in _DAYS if kind == "workday"),
        covered_years=frozenset(d.year for d, _k, _n in _DAYS),
        uses_holidays=True,
    )
)
START = int(dt.datetime(2025, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp())
TWO_YEARS = 2 * 365 * 86400


def _spans(start: int, cuts: list[int]) -> list[Span]:
    """Alternate running / paused segments at the given offsets; the last one stays open."""
    spans: list[Span] = []
    moments = [start, *sorted({start + c for c in cuts})]
    for i, begin in enumerate(moments):
        end = moments[i + 1] if i + 1 < len(moments) else None
        spans.append(Span(SegmentKind.RUNNING if i % 2 == 0 else SegmentKind.PAUSED, begin, end))
    return spans


@settings(max_examples=200, deadline=None)
@given(
    offset=st.integers(0, TWO_YEARS),
    budget_minutes=st.integers(1, 30 * 450),
    cuts=st.lists(st.integers(1, 20 * 86400), max_size=6),
)
def test_running_time_up_to_the_deadline_equals_the_budget(
    offset: int, budget_minutes: int, cuts: list[int]
) -> None:
    start = START + offset
    spans = _spans(start, cuts)
    if spans[-1].kind == SegmentKind.PAUSED:
        spans.append(Span(SegmentKind.RUNNING, spans[-1].start + 3600, None))
        spans[-2] = Span(SegmentKind.PAUSED, spans[-2].start, spans[-2].start + 3600)
    reading = read_clock(calendar=CN, budget_seconds=budget_minutes * 60, spans=spans, now=start)
    assert reading.due is not None
    worked = 0
    for span in spans:
        if span.kind != SegmentKind.RUNNING:
            continue
        end = reading.due if span.end is None else min(span.end, reading.due)
        worked += CN.working_seconds(span.start, max(span.start, end))
    assert worked == budget_minutes * 60


@settings(max_examples=150, deadline=None)
@given(offset=st.integers(0, TWO_YEARS), budget_minutes=st.integers(2, 30 * 450), percent=st.integers(1, 99))
def test_a_warning_threshold_comes_before_the_deadline(
    offset: int, budget_minutes: int, percent: int
) -> None:
    spans = [Span(SegmentKind.RUNNING, START + offset, None)]
    due = read_clock(calendar=CN, budget_seconds=budget_minutes * 60, spans=spans, now=START).due
    warn = threshold_time(
        calendar=CN, budget_seconds=budget_minutes * 60, spans=spans, percent=percent, now=START
    )
    assert warn is not None and due is not None and warn <= due


def test_a_paused_clock_has_no_deadline() -> None:
    spans = [Span(SegmentKind.RUNNING, START, START + 3600), Span(SegmentKind.PAUSED, START + 3600, None)]
    reading = read_clock(calendar=CN, budget_seconds=600 * 60, spans=spans, now=START + 7200)
    assert reading.due is None and reading.paused_seconds == 3600 and not reading.running


def test_a_budget_used_up_before_a_pause_keeps_its_past_deadline() -> None:
    monday = int(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp())
    spans = [
        Span(SegmentKind.RUNNING, monday, monday + 4 * 3600),
        Span(SegmentKind.PAUSED, monday + 4 * 3600, None),
    ]
    reading = read_clock(calendar=CN, budget_seconds=60 * 60, spans=spans, now=monday + 5 * 3600)
    assert reading.due == monday + 3600
