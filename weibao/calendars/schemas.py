"""API schemas for working calendars and the calendar arithmetic."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema


class CalendarDayOut(Schema):
    date: date
    kind: str
    name: str
    source: str


class CalendarOut(Schema):
    slug: str
    name: str
    time_zone: str
    is_default: bool
    uses_holidays: bool
    makeup_weekday: int
    version: int
    # weekday (0 = Monday) -> "08:30-12:00, 13:30-17:30"; missing weekdays have no working time
    periods: dict[int, str]
    holiday_years: list[int]
    description: str


class CalendarDetailOut(CalendarOut):
    days: list[CalendarDayOut]


class DeadlineOut(Schema):
    calendar: str
    start: datetime
    minutes: int
    deadline: datetime
    missing_holiday_years: list[int]


class WorkingMinutesOut(Schema):
    calendar: str
    start: datetime
    end: datetime
    minutes: int
    missing_holiday_years: list[int]
