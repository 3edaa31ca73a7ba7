"""Reads of working calendars, and the compiled calendars the SLA arithmetic runs on."""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.calendars.choices import DayKind
from weibao.calendars.engine import CalendarSpec, CompiledCalendar, Period, compile_calendar, format_periods
from weibao.calendars.models import Calendar, CalendarDay, HolidayYear, WorkingPeriod
from weibao.calendars.permissions import can_view_calendars
from weibao.core.errors import NotFound, PermissionDenied

# calendar id -> ((version, updated_at), compiled). Compiling takes ~60 ms; a process keeps one per
# calendar and recompiles when the row's ``version`` moves (every edit bumps it, so all processes
# notice). ``updated_at`` is part of the key because a rolled-back edit (or a deleted and re-created
# row reusing the id, as SQLite does) can bring back the same version number with other content.
_compiled: dict[int, tuple[tuple[int, Any], CompiledCalendar]] = {}
_compiled_lock = threading.Lock()


def _require_view(actor: Any) -> None:
    if actor is not None and not can_view_calendars(user=actor):
        raise PermissionDenied(_("Only staff can see working calendars."))


def calendar_list(*, actor: Any) -> QuerySet[Calendar]:
    _require_view(actor)
    return Calendar.objects.annotate(day_count=Count("days")).prefetch_related(
        Prefetch("periods", queryset=WorkingPeriod.objects.order_by("weekday", "start_minute")),
        Prefetch("holiday_years", queryset=HolidayYear.objects.order_by("year")),
    )


def calendar_get(*, actor: Any, slug: str) -> Calendar:
    _require_view(actor)
    calendar = Calendar.objects.filter(slug=slug).first()
    if calendar is None:
        raise NotFound(_("No working calendar with this slug."))
    return calendar


def calendar_get_by_id(*, calendar_id: int) -> Calendar:
    calendar = Calendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        raise NotFound(_("No working calendar with this id."))
    return calendar


def default_calendar() -> Calendar:
    """The calendar used where a customer or site names none (``cn-workday`` as shipped)."""
    calendar = Calendar.objects.filter(is_default=True).first() or Calendar.objects.order_by("pk").first()
    if calendar is None:
        raise NotFound(_("No working calendar is configured."))
    return calendar


def calendar_days(*, calendar: Calendar, year: int) -> QuerySet[CalendarDay]:
    return calendar.days.filter(date__year=year).order_by("date")


def weekly_periods(*, calendar: Calendar) -> dict[int, tuple[Period, ...]]:
    periods: dict[int, list[Period]] = defaultdict(list)
    for weekday, start, end in calendar.periods.values_list("weekday", "start_minute", "end_minute"):
        periods[weekday].append((start, end))
    return {weekday: tuple(sorted(p)) for weekday, p in periods.items()}


def weekly_periods_text(*, calendar: Calendar) -> dict[int, str]:
    """``{weekday: "08:30-12:00, 13:30-17:30"}`` for the edit form and the API."""
    return {weekday: format_periods(p) for weekday, p in weekly_periods(calendar=calendar).items()}


def covered_years(*, calendar: Calendar) -> list[int]:
    return list(calendar.holiday_years.order_by("year").values_list("year", flat=True))


def calendar_spec(*, calendar: Calendar) -> CalendarSpec:
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    for day, kind in calendar.days.values_list("date", "kind"):
        (holidays if kind == DayKind.HOLIDAY else workdays).add(day)
    return CalendarSpec(
        time_zone=calendar.time_zone,
        periods=weekly_periods(calendar=calendar),
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        makeup_weekday=calendar.makeup_weekday,
        covered_years=frozenset(covered_years(calendar=calendar)),
        uses_holidays=calendar.uses_holidays,
    )


def compiled_calendar(*, calendar: Calendar) -> CompiledCalendar:
    """The compiled form of ``calendar`` at its current version (cached per process)."""
    key = (calendar.version, calendar.updated_at)
    cached = _compiled.get(calendar.pk)
    if cached is not None and cached[0] == key:
        return cached[1]
    compiled = compile_calendar(calendar_spec(calendar=calendar))
    with _compiled_lock:
        _compiled[calendar.pk] = (key, compiled)
    return compiled


def compiled_calendars(*, calendar_ids: set[int]) -> dict[int, CompiledCalendar]:
    """Compiled calendars for several ids with one query for the versions (sweeper, recomputation)."""
    return {c.pk: compiled_calendar(calendar=c) for c in Calendar.objects.filter(pk__in=calendar_ids)}


@dataclass(frozen=True)
class YearWarning:
    calendar: Calendar
    year: int


def missing_holiday_years(*, today: dt.date | None = None) -> list[YearWarning]:
    """This year and next year of every holiday-following calendar that has no holiday data.

    Shown on the calendars page: the chinesecalendar package lags the State Council's notice, so in
    November the next year is usually missing until someone imports it.
    """
    today = today or timezone.localdate()
    years = (today.year, today.year + 1)
    warnings: list[YearWarning] = []
    for calendar in Calendar.objects.filter(uses_holidays=True).prefetch_related("holiday_years"):
        known = {h.year for h in calendar.holiday_years.all()}
        warnings.extend(YearWarning(calendar, year) for year in years if year not in known)
    return warnings
