"""Parse holiday files (CSV or iCalendar) for sites that cannot upgrade the chinesecalendar package.

CSV: one day per line, ``date,kind,name`` with a header row allowed; ``kind`` is ``holiday``/``休`` or
``workday``/``班``/``补班``. iCalendar: all-day VEVENTs (a DTEND is exclusive, so multi-day events
cover every day); an event is a make-up workday when its SUMMARY or CATEGORIES says 班 / workday,
otherwise a holiday. Both parsers return every bad line so the import can refuse the whole file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from weibao.calendars.choices import DayKind

_HOLIDAY_WORDS = {"holiday", "休", "假", "休息", "节假日"}
_WORKDAY_WORDS = {"workday", "班", "补班", "上班", "调休上班", "工作日"}
MAX_DAYS = 2000  # a file is a few years of one calendar; refuse anything absurd


@dataclass(frozen=True)
class ParsedDay:
    date: dt.date
    kind: str
    name: str


@dataclass
class ParseResult:
    days: list[ParsedDay]
    errors: list[str]


def parse_holiday_file(*, content: bytes, filename: str) -> ParseResult:
    text = _decode(content)
    if filename.lower().endswith((".ics", ".ical", ".ifb")) or text.lstrip().startswith("BEGIN:VCALENDAR"):
        return parse_ics(text)
    return parse_csv(text)


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("utf-8", errors="replace")


def _kind_of(word: str) -> str | None:
    word = word.strip().lower()
    if word in _HOLIDAY_WORDS:
        return DayKind.HOLIDAY
    if word in _WORKDAY_WORDS:
        return DayKind.WORKDAY
    return None


def parse_csv(text: str) -> ParseResult:
    days: list[ParsedDay] = []
    errors: list[str] = []
    seen: set[dt.date] = set()
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or row[0].strip().startswith("#"):
            continue
        if number == 1 and row[0].strip().lower() in {"date", "日期"}:
            continue
        if len(row) < 2:
            errors.append(_("Line %(n)d: expected date,kind,name.") % {"n": number})
            continue
        try:
            day = dt.date.fromisoformat(row[0].strip())
        except ValueError:
            errors.append(
                _("Line %(n)d: %(value)s is not a date (YYYY-MM-DD).") % {"n": number, "value": row[0]}
            )
            continue
        kind = _kind_of(row[1])
        if kind is None:
            errors.append(
                _("Line %(n)d: kind must be holiday/休 or workday/班, not %(value)s.")
                % {"n": number, "value": row[1]}
            )
            continue
        if day in seen:
            errors.append(_("Line %(n)d: %(date)s appears twice.") % {"n": number, "date": day.isoformat()})
            continue
        seen.add(day)
        name = (row[2].strip() if len(row) > 2 else "")[:100] or str(
            _("Holiday") if kind == DayKind.HOLIDAY else _("Make-up workday")
        )
        days.append(ParsedDay(day, kind, name))
    if len(days) > MAX_DAYS:
        errors.append(_("The file has more than %(n)d days.") % {"n": MAX_DAYS})
    return ParseResult(days, errors)


def _unfold(text: str) -> list[str]:
    lines: list[str] = []
    for raw in text.splitlines():
        if raw[:1] in {" ", "\t"} and lines:
            lines[-1] += raw[1:]
        else:
            lines.append(raw)
    return lines


def _ics_unescape(value: str) -> str:
    return (
        value.replace("\\n", " ")
        .replace("\\N", " ")
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\\\", "\\")
    )


def _ics_date(value: str) -> dt.date:
    return dt.date(int(value[0:4]), int(value[4:6]), int(value[6:8]))


def parse_ics(text: str) -> ParseResult:
    days: list[ParsedDay] = []
    errors: list[str] = []
    seen: dict[dt.date, str] = {}
    event: dict[str, str] | None = None
    for number, line in enumerate(_unfold(text), start=1):
        name, _sep, value = line.partition(":")
        key = name.split(";", 1)[0].upper()
        if key == "BEGIN" and value.upper() == "VEVENT":
            event = {"line": str(number)}
        elif key == "END" and value.upper() == "VEVENT" and event is not None:
            _ics_event(event, days, errors, seen)
            event = None
        elif event is not None and key in {"DTSTART", "DTEND", "SUMMARY", "CATEGORIES"}:
            event[key] = value.strip()
    if len(days) > MAX_DAYS:
        errors.append(_("The file has more than %(n)d days.") % {"n": MAX_DAYS})
    return ParseResult(days, errors)


def _ics_event(
    event: dict[str, str], days: list[ParsedDay], errors: list[str], seen: dict[dt.date, str]
) -> None:
    number = int(event["line"])
    try:
        start = _ics_date(event["DTSTART"])
        end = _ics_date(event["DTEND"]) if "DTEND" in event else start + dt.timedelta(days=1)
    except (KeyError, ValueError):
        errors.append(_("Event at line %(n)d: no valid all-day DTSTART/DTEND.") % {"n": number})
        return
    if end <= start or (end - start).days > 31:
        errors.append(
            _("Event at line %(n)d: the dates are out of order or span more than 31 days.") % {"n": number}
        )
        return
    summary = _ics_unescape(event.get("SUMMARY", "")).strip()
    marker = f"{summary} {event.get('CATEGORIES', '')}".lower()
    kind = DayKind.WORKDAY if ("班" in marker or "workday" in marker) else DayKind.HOLIDAY
    name = summary[:100] or str(_("Holiday") if kind == DayKind.HOLIDAY else _("Make-up workday"))
    day = start
    while day < end:
        if day in seen:
            errors.append(
                _("Event at line %(n)d: %(date)s appears twice.") % {"n": number, "date": day.isoformat()}
            )
        else:
            seen[day] = kind
            days.append(ParsedDay(day, kind, name))
        day += dt.timedelta(days=1)
