"""API router: /calendars, and the working-time arithmetic SLA deadlines are built on (SLA-3).

``GET /calendars/{slug}/deadline?start=..&minutes=n`` answers the moment when ``n`` working minutes
after ``start`` have elapsed; ``GET /calendars/{slug}/working-minutes?start=..&end=..`` counts the
working minutes between two moments. Times without an offset are read in the calendar's time zone.
Staff only; portal users get 403.
"""

# No ``from __future__ import annotations``: ninja resolves parameter types at import.

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from weibao.calendars import selectors
from weibao.calendars.models import Calendar
from weibao.calendars.schemas import CalendarDetailOut, CalendarOut, DeadlineOut, WorkingMinutesOut
from weibao.core.api_auth import API_AUTH
from weibao.core.errors import ValidationFailed

calendars_router = Router(auth=API_AUTH, tags=["calendars"])

MAX_MINUTES = 1_000_000  # ~9 years of office hours; beyond that a deadline means nothing
MAX_SPAN_DAYS = 366 * 50
# Instants the arithmetic accepts. Without a bound, start=8990-01-01 made the process compile ~7,000
# years of days (13 s, and the cached calendar kept them) and 0001-01-01 or 9999-12-31 raised a 500
# from the engine (weibao/calendars/tests/test_api.py::test_bad_input_is_422).
MIN_YEAR, MAX_YEAR = 1970, 2100


def _out(calendar: Calendar) -> dict[str, Any]:
    return {
        "slug": calendar.slug,
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "is_default": calendar.is_default,
        "uses_holidays": calendar.uses_holidays,
        "makeup_weekday": calendar.makeup_weekday,
        "version": calendar.version,
        "periods": selectors.weekly_periods_text(calendar=calendar),
        "holiday_years": selectors.covered_years(calendar=calendar),
        "description": calendar.description,
    }


def _aware(value: dt.datetime, calendar: Calendar, field: str) -> dt.datetime:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationFailed(
            _("Enter a moment between the years %(min)d and %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR},
            code="out_of_range",
            field=field,
        )
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(calendar.time_zone))


@calendars_router.get("", response=list[CalendarOut])
def list_calendars(request: HttpRequest) -> Any:
    """Every working calendar with its weekly periods and the years that have holiday data."""
    return [_out(calendar) for calendar in selectors.calendar_list(actor=request.user)]


@calendars_router.get("/{slug}", response=CalendarDetailOut)
def get_calendar(request: HttpRequest, slug: str, year: int | None = None) -> Any:
    """One calendar with its holidays and make-up workdays of ``year`` (default: this year)."""
    calendar = selectors.calendar_get(actor=request.user, slug=slug)
    year = year or timezone.localdate().year
    days = list(
        selectors.calendar_days(calendar=calendar, year=year).values("date", "kind", "name", "source")
    )
    return {**_out(calendar), "days": days}


@calendars_router.get("/{slug}/deadline", response=DeadlineOut)
def calendar_deadline(request: HttpRequest, slug: str, start: dt.datetime, minutes: int) -> Any:
    """The moment when ``minutes`` working minutes after ``start`` have elapsed (in the calendar's zone)."""
    calendar = selectors.calendar_get(actor=request.user, slug=slug)
    if not 0 <= minutes <= MAX_MINUTES:
        raise ValidationFailed(
            _("minutes must be between 0 and %(max)d.") % {"max": MAX_MINUTES},
            code="out_of_range",
            field="minutes",
        )
    compiled = selectors.compiled_calendar(calendar=calendar)
    start = _aware(start, calendar, "start")
    deadline = compiled.deadline(start, minutes)
    return {
        "calendar": calendar.slug,
        "start": start,
        "minutes": minutes,
        "deadline": deadline,
        "missing_holiday_years": compiled.missing_years(int(start.timestamp()), int(deadline.timestamp())),
    }


@calendars_router.get("/{slug}/working-minutes", response=WorkingMinutesOut)
def calendar_working_minutes(request: HttpRequest, slug: str, start: dt.datetime, end: dt.datetime) -> Any:
    """Whole working minutes between ``start`` and ``end`` (0 when ``end`` is not after ``start``)."""
    calendar = selectors.calendar_get(actor=request.user, slug=slug)
    start, end = _aware(start, calendar, "start"), _aware(end, calendar, "end")
    if abs((end - start).days) > MAX_SPAN_DAYS:
        raise ValidationFailed(_("The span may be at most 50 years."), code="out_of_range", field="end")
    compiled = selectors.compiled_calendar(calendar=calendar)
    return {
        "calendar": calendar.slug,
        "start": start,
        "end": end,
        "minutes": compiled.working_minutes(start, end),
        "missing_holiday_years": compiled.missing_years(int(start.timestamp()), int(end.timestamp())),
    }
