"""iCalendar (RFC 5545) text for the calendar feeds: escaping, line folding, events. No dependency:
the few properties a phone calendar needs are written here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

PRODID = "-//Weibao//Maintenance//ZH"


@dataclass(frozen=True)
class Event:
    uid: str
    summary: str
    start: datetime | date
    end: datetime | date
    description: str = ""
    location: str = ""
    url: str = ""
    status: str = "CONFIRMED"  # or CANCELLED / TENTATIVE


def escape(text: str) -> str:
    """TEXT values: backslash, semicolon, comma and newlines escaped (RFC 5545 3.3.11)."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (never inside a UTF-8 char)."""
    out: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def calendar(*, name: str, events: Iterable[Event]) -> str:
    """A VCALENDAR with the events, CRLF line ends, ready to serve as text/calendar."""
    stamp = f"{timezone.now().astimezone(UTC):%Y%m%dT%H%M%SZ}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{stamp}",
            _utc_when("DTSTART", event.start),
            _utc_when("DTEND", event.end),
            f"SUMMARY:{escape(event.summary)}",
            f"STATUS:{event.status}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape(event.description)}")
        if event.location:
            lines.append(f"LOCATION:{escape(event.location)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"


def _utc_when(name: str, value: datetime | date) -> str:
    if isinstance(value, datetime):
        return f"{name}:{value.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    return f"{name};VALUE=DATE:{value:%Y%m%d}"


def all_day(day: date) -> tuple[date, date]:
    """An all-day event's DTSTART and (exclusive) DTEND."""
    return day, day + timedelta(days=1)
