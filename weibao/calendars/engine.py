"""Working-time arithmetic on a compiled calendar (SLA-3): pure Python, no database.

A calendar is compiled once into sorted arrays of working intervals in UTC epoch seconds plus the
cumulative working seconds at the end of each interval. A deadline or a working-time span is then two
binary searches, which is what makes >100,000 deadline computations per second possible on one core
(docs/benchmarks.md). Interval boundaries are computed from local wall-clock times in the calendar's
time zone, so daylight-saving changes (not in China, but in other zones) are exact.

Conventions:
- A period of a weekday is ``(start_minute, end_minute)`` of local time; ``end_minute`` may be 1440
  (midnight), and ``end_minute <= start_minute`` means the period runs overnight into the next day.
- A holiday removes the periods that start on that date; a make-up workday (调休上班) works with the
  periods of ``makeup_weekday`` (Monday by default) whatever weekday it falls on.
- Times are exact to the second internally; the API counts whole minutes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

Period = tuple[int, int]

# Compiled range: generous around "now" so extension is rare; extended on demand when a span leaves it.
_DEFAULT_FIRST_YEAR = 2000
_YEARS_AHEAD = 12
_MAX_YEAR = 9000


@dataclass(frozen=True)
class CalendarSpec:
    """Everything the arithmetic needs to know about one calendar."""

    time_zone: str
    periods: Mapping[int, tuple[Period, ...]]  # weekday (0 = Monday) -> periods starting that day
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    makeup_weekday: int = 0
    covered_years: frozenset[int] = frozenset()
    uses_holidays: bool = False


@dataclass
class _Arrays:
    first_year: int
    last_year: int
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    cum: list[int] = field(default_factory=list)  # working seconds from the range start to ends[i]
    day_ordinals: list[int] = field(default_factory=list)  # working dates (local), ascending
    day_ends: list[int] = field(default_factory=list)  # end of the last period of each working date


class CalendarError(ValueError):
    """The calendar cannot answer (no working time at all, or a span beyond the supported years)."""


class CompiledCalendar:
    """A calendar's working time as sorted UTC intervals. Build with :func:`compile_calendar`."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.tz = ZoneInfo(spec.time_zone)
        if not any(spec.periods.get(weekday) for weekday in range(7)) and not spec.workdays:
            raise CalendarError("calendar has no working periods")
        this_year = dt.datetime.now(tz=self.tz).year
        self._arrays = self._build(
            min(_DEFAULT_FIRST_YEAR, *(d.year for d in spec.holidays | spec.workdays), this_year),
            max(this_year + _YEARS_AHEAD, *(d.year + 1 for d in spec.holidays | spec.workdays), this_year),
        )

    # -- building ------------------------------------------------------------------------------------

    def _day_periods(self, day: dt.date) -> tuple[Period, ...]:
        spec = self.spec
        if day in spec.holidays:
            return ()
        if day in spec.workdays:
            return spec.periods.get(spec.makeup_weekday, ()) or _first_nonempty(spec.periods)
        return spec.periods.get(day.weekday(), ())

    def _local_ts(self, day: dt.date, minute: int) -> int:
        day = day + dt.timedelta(days=minute // 1440)
        minute %= 1440
        local = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=self.tz)
        return int(local.timestamp())

    def _build(self, first_year: int, last_year: int) -> _Arrays:
        if first_year < 1 or last_year > _MAX_YEAR:
            raise CalendarError("date outside the supported years")
        arrays = _Arrays(first_year=first_year, last_year=last_year)
        starts, ends, cum = arrays.starts, arrays.ends, arrays.cum
        total = 0
        day = dt.date(first_year, 1, 1)
        last = dt.date(last_year, 12, 31)
        one = dt.timedelta(days=1)
        while day <= last:
            periods = self._day_periods(day)
            day_end = None
            for start_minute, end_minute in sorted(periods):
                end = end_minute if end_minute > start_minute else end_minute + 1440
                s, e = self._local_ts(day, start_minute), self._local_ts(day, end)
                if e <= s:
                    continue
                if starts and s <= ends[-1]:
                    # Contiguous or overlapping (24x7, overnight periods): merge into one interval.
                    if e > ends[-1]:
                        total += e - ends[-1]
                        ends[-1] = e
                        cum[-1] = total
                else:
                    starts.append(s)
                    ends.append(e)
                    total += e - s
                    cum.append(total)
                day_end = max(day_end or e, e)
            if day_end is not None:
                arrays.day_ordinals.append(day.toordinal())
                arrays.day_ends.append(day_end)
            day += one
        if not starts:
            raise CalendarError("calendar has no working time in the supported years")
        return arrays

    def _cover(self, ts: int) -> None:
        """Extend the compiled range so that ``ts`` lies well inside it."""
        arrays = self._arrays
        year = dt.datetime.fromtimestamp(ts, tz=self.tz).year
        if arrays.first_year < year < arrays.last_year - 1:
            return
        self._arrays = self._build(min(arrays.first_year, year - 1), max(arrays.last_year, year + 2))

    # -- arithmetic ----------------------------------------------------------------------------------

    def _worked_at(self, ts: int) -> int:
        """Working seconds from the range start up to instant ``ts``."""
        a = self._arrays
        i = bisect.bisect_right(a.ends, ts)
        if i >= len(a.ends):
            return a.cum[-1]
        before = a.cum[i] - (a.ends[i] - a.starts[i])
        return before + max(0, ts - a.starts[i])

    def deadline_ts(self, start: int, seconds: int) -> int:
        """The instant when ``seconds`` of working time after ``start`` have elapsed.

        A start outside working time counts from the next working moment; ``seconds == 0`` answers
        that moment. A deadline that lands exactly on the end of a period answers the end of the
        period (12:00), not the start of the next one (13:30).
        """
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        a = self._arrays
        i = bisect.bisect_right(a.ends, start)
        if i >= len(a.ends) - 1 or start < a.starts[0]:
            self._cover(start)
            a = self._arrays
            i = bisect.bisect_right(a.ends, start)
        if seconds == 0:
            return max(start, a.starts[i])
        target = a.cum[i] - (a.ends[i] - a.starts[i]) + max(0, start - a.starts[i]) + seconds
        j = bisect.bisect_left(a.cum, target, lo=i)
        if j >= len(a.cum):
            self._cover(a.ends[-1] + 366 * 86400)
            return self.deadline_ts(start, seconds)
        return a.ends[j] - (a.cum[j] - target)

    def working_seconds(self, start: int, end: int) -> int:
        """Working seconds in ``[start, end)``; zero when ``end <= start``."""
        if end <= start:
            return 0
        a = self._arrays
        if start < a.starts[0] or end >= a.ends[-1]:
            self._cover(start)
            self._cover(end)
        return self._worked_at(end) - self._worked_at(start)

    def is_working_day(self, day: dt.date) -> bool:
        """Whether ``day`` has working hours: holidays are off, make-up workdays (调休) are on."""
        return bool(self._day_periods(day))

    def working_day_on_or_after(self, day: dt.date, *, limit: int = 62) -> dt.date:
        """``day`` if it is a working day, else the next one (moving forward, never into a holiday)."""
        for offset in range(limit):
            candidate = day + dt.timedelta(days=offset)
            if self._day_periods(candidate):
                return candidate
        raise CalendarError(f"no working day within {limit} days of {day.isoformat()}")

    def next_working_moment(self, ts: int) -> int:
        return self.deadline_ts(ts, 0)

    def is_working(self, ts: int) -> bool:
        a = self._arrays
        self._cover(ts)
        a = self._arrays
        i = bisect.bisect_right(a.ends, ts)
        return i < len(a.starts) and a.starts[i] <= ts

    def end_of_working_day_ts(self, start: int, days: int = 1) -> int:
        """The end of the ``days``-th working day after the (local) date of ``start``.

        ``days=1`` is "by the end of the next working day" (SLA-1: a general fault is completed the
        next day): reported on Friday 16:00 before a normal weekend, due Monday at the end of work.
        """
        if days < 1:
            raise ValueError("days must be at least 1")
        self._cover(start)
        a = self._arrays
        local_day = dt.datetime.fromtimestamp(start, tz=self.tz).date().toordinal()
        k = bisect.bisect_right(a.day_ordinals, local_day) + days - 1
        if k >= len(a.day_ordinals):
            self._cover(a.day_ends[-1] + 366 * 86400)
            return self.end_of_working_day_ts(start, days)
        return a.day_ends[k]

    def missing_years(self, start: int, end: int) -> list[int]:
        """Years between two instants for which the calendar has no holiday data (SLA deadline warning)."""
        if not self.spec.uses_holidays:
            return []
        first = dt.datetime.fromtimestamp(min(start, end), tz=self.tz).year
        last = dt.datetime.fromtimestamp(max(start, end), tz=self.tz).year
        return [y for y in range(first, last + 1) if y not in self.spec.covered_years]

    # -- datetime front door -------------------------------------------------------------------------

    def deadline(self, start: dt.datetime, minutes: int) -> dt.datetime:
        """``minutes`` working minutes after ``start`` (aware), in the calendar's time zone."""
        return self.to_datetime(self.deadline_ts(_ts(start), minutes * 60))

    def working_minutes(self, start: dt.datetime, end: dt.datetime) -> int:
        return self.working_seconds(_ts(start), _ts(end)) // 60

    def end_of_working_day(self, start: dt.datetime, days: int = 1) -> dt.datetime:
        return self.to_datetime(self.end_of_working_day_ts(_ts(start), days))

    def to_datetime(self, ts: int) -> dt.datetime:
        return dt.datetime.fromtimestamp(ts, tz=self.tz)


def _ts(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("aware datetime required")
    return int(moment.timestamp() // 1)


def _first_nonempty(periods: Mapping[int, tuple[Period, ...]]) -> tuple[Period, ...]:
    for weekday in range(7):
        if periods.get(weekday):
            return periods[weekday]
    return ()


def compile_calendar(spec: CalendarSpec) -> CompiledCalendar:
    return CompiledCalendar(spec)


def parse_periods(text: str) -> tuple[Period, ...]:
    """Parse ``"08:30-12:00, 13:30-17:30"`` into minute pairs; ``24:00`` is midnight at the end.

    Raises ValueError with a message naming the bad part. Overnight periods (``22:00-06:00``) are kept
    as written (end before start).
    """
    periods: list[Period] = []
    for raw in text.replace("，", ",").replace("；", ",").replace(";", ",").split(","):
        part = raw.strip()
        if not part:
            continue
        # Normalise the en dash before the check: it was replaced only after "-" was required, so
        # "08:30–12:00" (as typed by many input methods) was refused although meant to be accepted.
        dashed = part.replace("–", "-")
        if "-" not in dashed:
            raise ValueError(part)
        left, right = (p.strip() for p in dashed.split("-", 1))
        start, end = _minute_of(left, part), _minute_of(right, part)
        if start == 1440 or start == end:
            raise ValueError(part)
        periods.append((start, end))
    periods.sort()
    for (s1, e1), (s2, _e2) in itertools.pairwise(periods):
        if e1 > s1 and e1 > s2:  # overlapping daytime periods
            raise ValueError(f"{s2 // 60:02d}:{s2 % 60:02d}")
    return tuple(periods)


def _minute_of(text: str, part: str) -> int:
    hours, sep, minutes = text.partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(part)
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > 1440:
        raise ValueError(part)
    return value


def format_periods(periods: Iterable[Period]) -> str:
    return ", ".join(f"{_hhmm(s)}-{_hhmm(e)}" for s, e in periods)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
