"""``import_holidays``: from the package (one year, every year) or from a CSV / iCalendar file."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from weibao.accounts.tests.conftest import _english  # noqa: F401
from weibao.calendars.builtin import package_days, package_years
from weibao.calendars.choices import DayKind, DaySource
from weibao.calendars.models import Calendar, CalendarDay, HolidayYear

pytestmark = pytest.mark.django_db


def run(*args: str, **options: object) -> str:
    out = io.StringIO()
    call_command("import_holidays", *args, stdout=out, **options)
    return out.getvalue()


def test_year_from_the_package() -> None:
    calendar = Calendar.objects.get(slug="cn-workday")
    CalendarDay.objects.filter(calendar=calendar, date__year=2026).delete()
    version = calendar.version
    output = run(year=2026)
    assert (
        output.strip()
        == f"cn-workday 2026: {len(package_days(year=2026))} days from the package, 0 manual kept"
    )
    assert calendar.days.filter(date__year=2026).count() == len(package_days(year=2026))
    calendar.refresh_from_db()
    assert calendar.version == version + 1


def test_all_years() -> None:
    output = run("--all-years")
    assert output.count("days from the package") == len(package_years())
    assert Calendar.objects.get(slug="cn-workday").days.count() == len(package_days())


def test_a_year_the_package_lacks() -> None:
    with pytest.raises(CommandError, match="2031"):
        run(year=2031)
    assert not HolidayYear.objects.filter(year=2031).exists()


def test_csv_file(tmp_path: Path) -> None:
    path = tmp_path / "2027.csv"
    path.write_bytes("日期,类型,名称\n2027-01-01,休,元旦\n2027-02-20,班,春节调休\n".encode("gb18030"))
    output = run("--file", str(path))
    assert output.strip() == "cn-workday: 2 days imported from 2027.csv, 0 manual kept"
    days = CalendarDay.objects.filter(calendar__slug="cn-workday", date__year=2027)
    assert sorted(days.values_list("date", "kind", "source")) == [
        (dt.date(2027, 1, 1), DayKind.HOLIDAY, DaySource.FILE),
        (dt.date(2027, 2, 20), DayKind.WORKDAY, DaySource.FILE),
    ]


def test_ics_file_into_another_calendar(tmp_path: Path) -> None:
    path = tmp_path / "holidays.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270206\r\nDTEND;VALUE=DATE:2027\r\n 0209\r\n"
        "SUMMARY:春节\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
    )
    output = run("--calendar", "24x7", "--file", str(path))
    assert output.strip() == "24x7: 3 days imported from holidays.ics, 0 manual kept"
    assert HolidayYear.objects.get(calendar__slug="24x7").year == 2027


def test_bad_file_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("2027-01-01,休,元旦\n2027-01-02,maybe,?\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Line 2"):
        run("--file", str(path))
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    with pytest.raises(CommandError, match="no such file"):
        run("--file", str(tmp_path / "missing.csv"))


def test_unknown_calendar_and_missing_source() -> None:
    with pytest.raises(CommandError):
        run("--calendar", "nope", year=2026)
    with pytest.raises(CommandError):
        run()
