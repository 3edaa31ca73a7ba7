"""The compiled-calendar arithmetic (SLA-3), without a database.

``cn-workday`` is built here straight from the chinesecalendar package data, exactly as migration 0002
seeds it; the 2026 cases are the State Council's 2026 notice as the package records it. A naive
day-by-day reference implementation (``_naive_minutes``) cross-checks the compiled arrays.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weibao.calendars.builtin import ALWAYS_PERIODS, CN_WORKDAY_PERIODS, package_days, package_years
from weibao.calendars.engine import (
    CalendarError,
    CalendarSpec,
    CompiledCalendar,
    Period,
    compile_calendar,
    format_periods,
    parse_periods,
)

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def _periods(source: dict[int, list[tuple[int, int]]]) -> dict[int, tuple[Period, ...]]:
    return {weekday: tuple(p) for weekday, p in source.items()}


def cn_workday_spec() -> CalendarSpec:
    days = package_days()
    return CalendarSpec(
        time_zone="Asia/Shanghai",
        periods=_periods(CN_WORKDAY_PERIODS),
        holidays=frozenset(d for d, kind, _name in days if kind == "holiday"),
        workdays=frozenset(d for d, kind, _name in days if kind == "workday"),
        covered_years=frozenset(package_years()),
        uses_holidays=True,
    )


SPEC = cn_workday_spec()
CN = compile_calendar(SPEC)
ALWAYS = compile_calendar(CalendarSpec(time_zone="Asia/Shanghai", periods=_periods(ALWAYS_PERIODS)))
# Monday to Friday nights 22:00 -> 06:00 the next morning (a night shift).
NIGHTS = compile_calendar(
    CalendarSpec(time_zone="Asia/Shanghai", periods=dict.fromkeys(range(5), ((22 * 60, 6 * 60),)))
)


def sh(text: str) -> dt.datetime:
    """``"2026-01-05 11:50"`` in Shanghai time."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


def berlin(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def ts(moment: dt.datetime) -> int:
    return int(moment.timestamp())


# -- the package data the cases below rely on -----------------------------------------------------


def test_package_data_2026_as_expected() -> None:
    assert {2025, 2026} <= set(package_years())
    assert sorted(SPEC.workdays & {d for d in SPEC.workdays if d.year == 2026}) == [
        dt.date(2026, 1, 4),
        dt.date(2026, 2, 14),
        dt.date(2026, 2, 28),
        dt.date(2026, 5, 9),
        dt.date(2026, 9, 20),
        dt.date(2026, 10, 10),
    ]
    # National Day 2026 is October 1-7 in the data (October 8 is an ordinary Thursday).
    assert {dt.date(2026, 10, d) for d in range(1, 8)} <= SPEC.holidays
    assert dt.date(2026, 10, 8) not in SPEC.holidays
    assert {dt.date(2026, 2, d) for d in range(15, 24)} <= SPEC.holidays
    assert {
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 2),
        dt.date(2026, 1, 3),
        dt.date(2025, 1, 1),
    } <= SPEC.holidays
    assert dt.date(2025, 1, 2) not in SPEC.holidays


# -- deadlines on cn-workday ------------------------------------------------------------------------

DEADLINE_CASES = [
    # make-up workdays of 2026: the working day before them ends at 17:30, the next hour is on the make-up day
    ("2025-12-31 17:00", 60, "2026-01-04 09:00", "New Year 2026 (Jan 1-3), make-up Sunday Jan 4"),
    ("2026-02-13 17:00", 60, "2026-02-14 09:00", "make-up Saturday before Spring Festival"),
    ("2026-02-27 17:00", 60, "2026-02-28 09:00", "make-up Saturday after Spring Festival"),
    ("2026-05-08 17:00", 60, "2026-05-09 09:00", "make-up Saturday after Labour Day"),
    ("2026-09-18 17:00", 60, "2026-09-20 09:00", "make-up Sunday before National Day"),
    ("2026-10-09 17:00", 60, "2026-10-10 09:00", "make-up Saturday after National Day"),
    ("2026-01-04 08:30", 450, "2026-01-04 17:30", "a whole make-up day with Monday's periods"),
    # holidays are skipped
    ("2026-02-14 17:00", 60, "2026-02-24 09:00", "Spring Festival 2026 (Feb 15-23)"),
    ("2026-09-30 17:00", 60, "2026-10-08 09:00", "National Day 2026 (Oct 1-7)"),
    ("2024-12-31 17:00", 60, "2025-01-02 09:00", "New Year 2025 (Jan 1)"),
    ("2026-05-01 10:00", 30, "2026-05-06 09:00", "start on a holiday (Labour Day May 1-5)"),
    # the lunch break
    ("2026-01-05 11:50", 20, "2026-01-05 13:40", "across the lunch break"),
    ("2026-01-05 11:50", 10, "2026-01-05 12:00", "landing exactly on 12:00 answers 12:00, not 13:30"),
    ("2026-01-05 17:00", 30, "2026-01-05 17:30", "landing exactly on 17:30"),
    ("2026-01-05 12:00", 10, "2026-01-05 13:40", "start exactly at 12:00"),
    # starts outside working time count from the next working moment
    ("2026-01-05 07:00", 30, "2026-01-05 09:00", "before 08:30"),
    ("2026-01-05 12:30", 30, "2026-01-05 14:00", "in the break"),
    ("2026-01-05 18:00", 30, "2026-01-06 09:00", "after 17:30"),
    ("2026-01-10 10:00", 30, "2026-01-12 09:00", "on a Saturday"),
    ("2026-01-11 23:59", 30, "2026-01-12 09:00", "on a Sunday night"),
    # minutes == 0 answers the next working moment (or the start itself when it is working)
    ("2026-01-05 10:00", 0, "2026-01-05 10:00", "zero minutes in working time"),
    ("2026-01-05 12:00", 0, "2026-01-05 13:30", "zero minutes at the end of a period"),
    ("2026-01-05 17:30", 0, "2026-01-06 08:30", "zero minutes after work"),
    ("2026-10-01 09:00", 0, "2026-10-08 08:30", "zero minutes on a holiday"),
    # longer spans
    ("2026-01-05 08:30", 450 * 5, "2026-01-09 17:30", "a working week"),
    ("2026-01-05 08:30", 450 * 5 + 1, "2026-01-12 08:31", "a working week and a minute"),
]


@pytest.mark.parametrize(
    ("start", "minutes", "expected", "why"), DEADLINE_CASES, ids=[c[3] for c in DEADLINE_CASES]
)
def test_deadline(start: str, minutes: int, expected: str, why: str) -> None:
    deadline = CN.deadline(sh(start), minutes)
    assert deadline == sh(expected)
    assert deadline.utcoffset() == dt.timedelta(hours=8)
    assert CN.deadline_ts(ts(sh(start)), minutes * 60) == ts(sh(expected))


@pytest.mark.parametrize(
    "day", ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
)
def test_makeup_workdays_are_working_time(day: str) -> None:
    assert dt.date.fromisoformat(day).weekday() >= 5  # all of them fall on a weekend
    for clock, working in [("08:29", False), ("08:30", True), ("11:59", True), ("12:00", False),
                           ("13:00", False), ("13:30", True), ("17:29", True), ("17:30", False)]:  # fmt: skip
        assert CN.is_working(ts(sh(f"{day} {clock}"))) is working, clock
    assert CN.working_minutes(sh(f"{day} 00:00"), sh(f"{day} 23:59")) == 450


@pytest.mark.parametrize(
    ("first", "last"),
    [("2026-02-15", "2026-02-23"), ("2026-10-01", "2026-10-07"), ("2026-01-01", "2026-01-03"),
     ("2025-01-01", "2025-01-01"), ("2025-01-28", "2025-02-04")],
)  # fmt: skip
def test_holidays_have_no_working_time(first: str, last: str) -> None:
    start, end = sh(f"{first} 00:00"), sh(f"{last} 00:00") + dt.timedelta(days=1)
    assert CN.working_minutes(start, end) == 0
    assert CN.working_minutes(start - dt.timedelta(days=1), start) in {0, 450}


def test_working_minutes_basic() -> None:
    assert CN.working_minutes(sh("2026-01-05 00:00"), sh("2026-01-06 00:00")) == 450
    assert CN.working_minutes(sh("2026-01-05 11:00"), sh("2026-01-05 14:00")) == 60 + 30
    assert CN.working_minutes(sh("2026-01-05 12:10"), sh("2026-01-05 13:20")) == 0
    assert CN.working_minutes(sh("2026-01-06 00:00"), sh("2026-01-05 00:00")) == 0  # end before start
    assert CN.working_minutes(sh("2026-01-05 10:00:59"), sh("2026-01-05 10:02:00")) == 1  # whole minutes
    # Spring Festival week: Feb 14 (make-up) counts, Feb 15-23 do not; Feb 9-13 and 24-27 are ordinary
    assert CN.working_minutes(sh("2026-02-09 00:00"), sh("2026-03-01 00:00")) == 450 * (5 + 1 + 4 + 1)


def test_year_boundary_and_multi_year_spans() -> None:
    # 2025-12-31 17:00 + 60 min: Jan 1-3 are holiday/weekend, Jan 4 (Sunday) is a make-up workday
    assert CN.deadline(sh("2025-12-31 17:00"), 60) == sh("2026-01-04 09:00")
    per_year = {
        year: CN.working_minutes(sh(f"{year}-01-01 00:00"), sh(f"{year + 1}-01-01 00:00"))
        for year in (2025, 2026)
    }
    for year, minutes in per_year.items():
        assert minutes == _naive_year_minutes(year)
    assert CN.working_minutes(sh("2025-01-01 00:00"), sh("2027-01-01 00:00")) == sum(per_year.values())
    # 2027 has no holiday data: plain Monday-Friday (261 weekdays)
    assert CN.working_minutes(sh("2027-01-01 00:00"), sh("2028-01-01 00:00")) == 261 * 450


def _naive_year_minutes(year: int) -> int:
    day, minutes = dt.date(year, 1, 1), 0
    while day.year == year:
        if day in SPEC.workdays or (day.weekday() < 5 and day not in SPEC.holidays):
            minutes += 450
        day += dt.timedelta(days=1)
    return minutes


def test_deadline_beyond_the_compiled_range_extends_it() -> None:
    calendar = compile_calendar(SPEC)
    far = sh("2060-03-01 10:00")
    deadline = calendar.deadline(far, 450 * 300)  # more than a year of office hours
    assert calendar.working_minutes(far, deadline) == 450 * 300
    assert calendar.deadline(sh("1990-01-01 10:00"), 60) == sh("1990-01-01 11:00")  # a Monday


# -- 24x7, overnight periods, time zones with daylight saving ----------------------------------------


def test_always() -> None:
    start = sh("2026-02-17 03:17")  # a Spring Festival night: 24x7 ignores holidays
    assert ALWAYS.deadline(start, 0) == start
    assert ALWAYS.deadline(start, 60 * 24 * 400) == start + dt.timedelta(days=400)
    assert ALWAYS.working_minutes(sh("2025-01-01 00:00"), sh("2027-01-01 00:00")) == 730 * 1440
    assert ALWAYS.end_of_working_day(start) == sh("2026-02-19 00:00")  # the end of Feb 18
    assert ALWAYS.missing_years(ts(start), ts(start) + 10 * 366 * 86400) == []


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        ("2026-01-05 23:00", 120, "2026-01-06 01:00"),  # the night spans midnight
        ("2026-01-05 21:00", 60, "2026-01-05 23:00"),
        ("2026-01-05 05:00", 60, "2026-01-05 23:00"),  # Monday 05:00 belongs to Sunday night: off
        ("2026-01-06 05:30", 30, "2026-01-06 06:00"),  # Monday's night ends Tuesday 06:00
        ("2026-01-09 22:00", 480, "2026-01-10 06:00"),  # Friday's night ends Saturday 06:00
        ("2026-01-09 22:00", 481, "2026-01-12 22:01"),
        ("2026-01-10 12:00", 0, "2026-01-12 22:00"),
    ],
)
def test_overnight_periods(start: str, minutes: int, expected: str) -> None:
    assert NIGHTS.deadline(sh(start), minutes) == sh(expected)


def test_overnight_counts_and_working_days() -> None:
    assert NIGHTS.working_minutes(sh("2026-01-05 00:00"), sh("2026-01-12 00:00")) == 5 * 480
    assert NIGHTS.working_minutes(sh("2026-01-05 23:30"), sh("2026-01-06 00:30")) == 60
    assert NIGHTS.is_working(ts(sh("2026-01-10 05:59")))  # Saturday morning: Friday's night
    assert not NIGHTS.is_working(ts(sh("2026-01-11 23:00")))  # Sunday night: no period
    # a working day's end is the end of its last period, next morning
    assert NIGHTS.end_of_working_day(sh("2026-01-05 10:00")) == sh("2026-01-07 06:00")
    assert NIGHTS.end_of_working_day(sh("2026-01-09 10:00")) == sh("2026-01-13 06:00")


def test_overnight_and_daytime_periods_merge() -> None:
    # 20:00-24:00 and 00:00-04:00 of the next day are one contiguous stretch
    calendar = compile_calendar(
        CalendarSpec(time_zone="Asia/Shanghai", periods={0: ((20 * 60, 1440),), 1: ((0, 4 * 60),)})
    )
    assert calendar.deadline(sh("2026-01-05 23:00"), 120) == sh("2026-01-06 01:00")
    assert calendar.working_minutes(sh("2026-01-05 00:00"), sh("2026-01-07 00:00")) == 8 * 60


def test_berlin_office_across_the_march_change() -> None:
    office = compile_calendar(
        CalendarSpec(time_zone="Europe/Berlin", periods=dict.fromkeys(range(5), ((9 * 60, 17 * 60),)))
    )
    # clocks go forward on Sunday 2026-03-29; Friday 16:00 CET + 2 h -> Monday 10:00 CEST
    deadline = office.deadline(berlin("2026-03-27 16:00"), 120)
    assert deadline == berlin("2026-03-30 10:00")
    assert deadline.utcoffset() == dt.timedelta(hours=2)
    assert deadline.astimezone(dt.UTC) == dt.datetime(2026, 3, 30, 8, 0, tzinfo=dt.UTC)
    assert office.working_minutes(berlin("2026-03-27 00:00"), berlin("2026-03-31 00:00")) == 2 * 480
    # and back on Sunday 2026-10-25
    assert office.deadline(berlin("2026-10-23 16:30"), 60) == berlin("2026-10-26 09:30")


def test_berlin_nights_and_days_have_their_real_length() -> None:
    nights = compile_calendar(
        CalendarSpec(time_zone="Europe/Berlin", periods=dict.fromkeys(range(7), ((22 * 60, 6 * 60),)))
    )
    # Saturday 22:00 CET -> Sunday 06:00 CEST is 7 real hours; in October it is 9
    assert nights.working_minutes(berlin("2026-03-28 12:00"), berlin("2026-03-29 12:00")) == 7 * 60
    assert nights.working_minutes(berlin("2026-10-24 12:00"), berlin("2026-10-25 12:00")) == 9 * 60
    assert nights.deadline(berlin("2026-03-28 22:00"), 7 * 60) == berlin("2026-03-29 06:00")
    always = compile_calendar(CalendarSpec(time_zone="Europe/Berlin", periods=_periods(ALWAYS_PERIODS)))
    assert always.working_minutes(berlin("2026-03-29 00:00"), berlin("2026-03-30 00:00")) == 23 * 60
    assert always.working_minutes(berlin("2026-10-25 00:00"), berlin("2026-10-26 00:00")) == 25 * 60


# -- end of working day --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2026-01-09 16:00", 1, "2026-01-12 17:30"),  # Friday -> Monday
        ("2026-01-05 07:00", 1, "2026-01-06 17:30"),  # the day after the start's date, whatever the hour
        ("2026-01-10 10:00", 1, "2026-01-12 17:30"),  # reported on a Saturday
        ("2026-01-05 10:00", 3, "2026-01-08 17:30"),
        ("2026-04-03 16:00", 1, "2026-04-07 17:30"),  # Friday before Qingming (Apr 4-6)
        ("2026-04-30 16:00", 1, "2026-05-06 17:30"),  # before Labour Day (May 1-5)
        ("2026-02-13 16:00", 1, "2026-02-14 17:30"),  # Friday before Spring Festival: make-up Saturday
        ("2026-02-13 16:00", 2, "2026-02-24 17:30"),
        ("2026-09-30 16:00", 1, "2026-10-08 17:30"),  # before National Day
        ("2025-12-31 16:00", 1, "2026-01-04 17:30"),  # make-up Sunday
    ],
)
def test_end_of_working_day(start: str, days: int, expected: str) -> None:
    assert CN.end_of_working_day(sh(start), days) == sh(expected)


def test_end_of_working_day_needs_a_day() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        CN.end_of_working_day(sh("2026-01-05 10:00"), 0)


# -- missing holiday years, errors ----------------------------------------------------------------


def test_missing_years() -> None:
    assert 2027 not in SPEC.covered_years
    assert CN.missing_years(ts(sh("2025-03-01 10:00")), ts(sh("2026-12-31 10:00"))) == []
    assert CN.missing_years(ts(sh("2026-12-01 10:00")), ts(sh("2027-02-01 10:00"))) == [2027]
    assert CN.missing_years(ts(sh("2028-02-01 10:00")), ts(sh("2026-12-01 10:00"))) == [2027, 2028]
    # a year boundary is local: 2026-12-31 20:00 in Shanghai is still 2026
    assert CN.missing_years(ts(sh("2026-12-31 20:00")), ts(sh("2026-12-31 23:59"))) == []
    assert NIGHTS.missing_years(ts(sh("2031-01-01 10:00")), ts(sh("2032-01-01 10:00"))) == []


def test_spec_without_working_time_is_refused() -> None:
    with pytest.raises(CalendarError):
        compile_calendar(CalendarSpec(time_zone="Asia/Shanghai", periods={}))
    with pytest.raises(CalendarError):
        compile_calendar(CalendarSpec(time_zone="Asia/Shanghai", periods={0: ()}))


def test_naive_datetimes_and_negative_spans_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        CN.deadline(dt.datetime(2026, 1, 5, 10, 0), 10)  # naive: the point of the test
    with pytest.raises(ValueError, match="negative"):
        CN.deadline_ts(ts(sh("2026-01-05 10:00")), -1)


def test_makeup_workday_uses_the_makeup_weekday_periods() -> None:
    spec = CalendarSpec(
        time_zone="Asia/Shanghai",
        periods={0: ((9 * 60, 10 * 60),), 1: ((14 * 60, 15 * 60),), 2: ((14 * 60, 15 * 60),)},
        workdays=frozenset({dt.date(2026, 1, 10)}),  # a Saturday
    )
    assert compile_calendar(spec).deadline(sh("2026-01-10 00:00"), 0) == sh("2026-01-10 09:00")
    tuesday_like = compile_calendar(
        CalendarSpec(time_zone=spec.time_zone, periods=spec.periods, workdays=spec.workdays, makeup_weekday=1)
    )
    assert tuesday_like.deadline(sh("2026-01-10 00:00"), 0) == sh("2026-01-10 14:00")
    # a make-up weekday without periods falls back to the first weekday that has some
    no_monday = CalendarSpec(
        time_zone="Asia/Shanghai", periods={3: ((7 * 60, 8 * 60),)}, workdays=spec.workdays
    )
    assert compile_calendar(no_monday).deadline(sh("2026-01-10 00:00"), 0) == sh("2026-01-10 07:00")


# -- parse_periods / format_periods ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:30-12:00, 13:30-17:30", ((510, 720), (810, 1050))),
        ("08:30-12:00，13:30-17:30", ((510, 720), (810, 1050))),  # full-width comma
        ("13:30-17:30；08:30-12:00", ((510, 720), (810, 1050))),  # full-width semicolon, any order
        ("08:30–12:00", ((510, 720),)),  # en dash
        ("8:30-12:00", ((510, 720),)),
        ("00:00-24:00", ((0, 1440),)),
        ("18:00-24:00", ((1080, 1440),)),
        ("22:00-06:00", ((1320, 360),)),  # overnight, kept as written
        ("08:00-12:00, 12:00-13:00", ((480, 720), (720, 780))),  # touching is not overlapping
        ("", ()),
        (" , ", ()),
    ],
)
def test_parse_periods_good(text: str, expected: tuple[Period, ...]) -> None:
    assert parse_periods(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "garbage",
        "08:30",
        "8-12",
        "08:30-12:00, 11:00-14:00",  # overlapping
        "08:00-18:00, 09:00-10:00",  # contained
        "24:00-08:00",  # a period cannot start at the end of the day
        "08:00-08:00",  # empty
        "08:60-09:00",
        "25:00-26:00",
        "08:30-24:01",
        "08:3-09:00",
        "08：30-12:00",  # full-width colon
        "-08:00-09:00",
        "ab:cd-12:00",
    ],
)
def test_parse_periods_bad(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message is the bad part, checked below
        parse_periods(text)


def test_parse_periods_names_the_bad_part() -> None:
    with pytest.raises(ValueError, match=r"^xx-12:00$"):
        parse_periods("08:00-09:00, xx-12:00")
    with pytest.raises(ValueError, match="11:00"):
        parse_periods("08:30-12:00, 11:00-14:00")


def test_format_periods_round_trip() -> None:
    periods = parse_periods("08:30-12:00，13:30-17:30, 22:00-06:00")
    assert format_periods(periods) == "08:30-12:00, 13:30-17:30, 22:00-06:00"
    assert parse_periods(format_periods(periods)) == periods
    assert format_periods(parse_periods("00:00-24:00")) == "00:00-24:00"


# -- properties ----------------------------------------------------------------------------------

RANGE_START = ts(sh("2025-01-01 00:00"))
RANGE_END = ts(sh("2027-01-01 00:00"))
instants = st.integers(min_value=RANGE_START, max_value=RANGE_END)
spans = st.integers(min_value=0, max_value=30 * 450)
CALENDARS = {"cn-workday": CN, "24x7": ALWAYS, "nights": NIGHTS}
calendars = st.sampled_from(sorted(CALENDARS))


@settings(max_examples=300, deadline=None)
@given(name=calendars, start=instants, minutes=spans)
def test_round_trip(name: str, start: int, minutes: int) -> None:
    calendar = CALENDARS[name]
    deadline = calendar.deadline_ts(start, minutes * 60)
    assert calendar.working_seconds(start, deadline) == minutes * 60
    moment = calendar.to_datetime(start)
    assert calendar.working_minutes(moment, calendar.deadline(moment, minutes)) == minutes


@settings(max_examples=200, deadline=None)
@given(name=calendars, start=instants, a=spans, b=spans)
def test_monotonic_in_minutes(name: str, start: int, a: int, b: int) -> None:
    calendar = CALENDARS[name]
    low, high = sorted((a, b))
    assert calendar.deadline_ts(start, low * 60) <= calendar.deadline_ts(start, high * 60)
    if low < high:
        assert calendar.deadline_ts(start, low * 60) < calendar.deadline_ts(start, high * 60)


@settings(max_examples=300, deadline=None)
@given(name=calendars, start=instants, minutes=st.integers(min_value=1, max_value=30 * 450))
def test_deadline_ends_working_time(name: str, start: int, minutes: int) -> None:
    """The second before a deadline is working time: never in a break, on a holiday or off hours."""
    calendar = CALENDARS[name]
    deadline = calendar.deadline_ts(start, minutes * 60)
    assert deadline > start
    assert calendar.is_working(deadline - 1)
    if name == "cn-workday":
        local = calendar.to_datetime(deadline - 1)
        assert local.date() not in SPEC.holidays
        assert local.weekday() < 5 or local.date() in SPEC.workdays
        clock = local.time()
        assert dt.time(8, 30) <= clock < dt.time(12) or dt.time(13, 30) <= clock < dt.time(17, 30)


@settings(max_examples=300, deadline=None)
@given(name=calendars, start=instants)
def test_zero_minutes_is_the_next_working_moment(name: str, start: int) -> None:
    calendar = CALENDARS[name]
    moment = calendar.deadline_ts(start, 0)
    assert moment >= start
    assert calendar.is_working(moment)
    assert calendar.working_seconds(start, moment) == 0


@settings(max_examples=300, deadline=None)
@given(name=calendars, points=st.lists(instants, min_size=3, max_size=3))
def test_working_seconds_additive(name: str, points: list[int]) -> None:
    calendar = CALENDARS[name]
    a, b, c = sorted(points)
    assert calendar.working_seconds(a, c) == calendar.working_seconds(a, b) + calendar.working_seconds(b, c)
    assert calendar.working_seconds(c, a) == 0


@settings(max_examples=200, deadline=None)
@given(start=instants, length=st.integers(min_value=0, max_value=40 * 86400))
def test_working_seconds_match_a_naive_day_by_day_count(start: int, length: int) -> None:
    assert CN.working_seconds(start, start + length) == _naive_seconds(SPEC, start, start + length)


def _naive_seconds(spec: CalendarSpec, start: int, end: int) -> int:
    """Reference: walk the local dates and intersect [start, end) with each of their periods."""
    tz = ZoneInfo(spec.time_zone)
    day = dt.datetime.fromtimestamp(start, tz=tz).date() - dt.timedelta(days=1)
    last = dt.datetime.fromtimestamp(end, tz=tz).date()
    total = 0
    while day <= last:
        if day in spec.holidays:
            periods: tuple[Period, ...] = ()
        elif day in spec.workdays:
            periods = spec.periods.get(spec.makeup_weekday, ())
        else:
            periods = spec.periods.get(day.weekday(), ())
        midnight = dt.datetime(day.year, day.month, day.day, tzinfo=tz)
        for s, e in periods:
            p_start = ts(midnight + dt.timedelta(minutes=s))
            p_end = ts(midnight + dt.timedelta(minutes=e if e > s else e + 1440))
            total += max(0, min(end, p_end) - max(start, p_start))
        day += dt.timedelta(days=1)
    return total


def test_compiled_calendar_is_a_compiled_calendar() -> None:
    assert isinstance(CN, CompiledCalendar)
    assert CN.spec is SPEC
