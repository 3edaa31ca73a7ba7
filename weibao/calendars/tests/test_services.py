"""Calendar services with the database: validation before any write, version bumps, imports, permissions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from weibao.accounts.models import AuditEvent, User
from weibao.accounts.tests.conftest import _english  # noqa: F401
from weibao.accounts.tests.factories import staff_user
from weibao.calendars import selectors, services
from weibao.calendars.builtin import ALWAYS, CN_WORKDAY, package_days, package_years
from weibao.calendars.choices import DayKind, DaySource
from weibao.calendars.models import Calendar, CalendarDay, HolidayYear
from weibao.core.errors import PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
OFFICE = "08:30-12:00, 13:30-17:30"
CN_PERIODS = dict.fromkeys(range(5), OFFICE)


def sh(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture(autouse=True)
def _fresh_compiled_cache() -> Iterator[None]:
    # The per-process cache is keyed by (pk, version); a rolled-back test leaves versions that the
    # next test reaches again with different content, so every test starts with an empty cache.
    selectors._compiled.clear()
    yield
    selectors._compiled.clear()


@pytest.fixture
def admin() -> User:
    return staff_user(role_codes=["admin"], username="cal-admin")


@pytest.fixture
def agent() -> User:
    return staff_user(role_codes=["agent"], username="cal-agent")


def cn() -> Calendar:
    return Calendar.objects.get(slug=CN_WORKDAY)


def update(calendar: Calendar, actor: Any, **changes: Any) -> Calendar:
    fields: dict[str, Any] = {
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "periods": CN_PERIODS,
        "uses_holidays": calendar.uses_holidays,
        "makeup_weekday": calendar.makeup_weekday,
        "is_default": calendar.is_default,
        "description": calendar.description,
    }
    return services.calendar_update(actor=actor, calendar=calendar, **{**fields, **changes})


def snapshot(calendar: Calendar) -> tuple[Any, ...]:
    calendar.refresh_from_db()
    return (
        calendar.name,
        calendar.version,
        selectors.weekly_periods_text(calendar=calendar),
        sorted(calendar.days.values_list("date", "kind", "name", "source")),
        sorted(calendar.holiday_years.values_list("year", "source")),
    )


def test_seeded_calendars() -> None:
    calendar = cn()
    assert calendar.is_default and calendar.uses_holidays and calendar.time_zone == "Asia/Shanghai"
    assert selectors.weekly_periods_text(calendar=calendar) == CN_PERIODS
    assert selectors.covered_years(calendar=calendar) == package_years()
    assert 2026 in selectors.covered_years(calendar=calendar)
    days_2026 = list(selectors.calendar_days(calendar=calendar, year=2026).values_list("date", "kind"))
    assert days_2026 == [(day, kind) for day, kind, _name in package_days(year=2026)]
    assert (dt.date(2026, 2, 14), DayKind.WORKDAY) in days_2026
    assert calendar.days.get(date=dt.date(2026, 10, 1)).name == "国庆节"
    assert calendar.days.get(date=dt.date(2026, 10, 10)).name == "国庆节（调休上班）"
    always = Calendar.objects.get(slug=ALWAYS)
    assert not always.uses_holidays and not always.is_default and not always.days.exists()
    assert selectors.weekly_periods_text(calendar=always) == dict.fromkeys(range(7), "00:00-24:00")
    assert selectors.default_calendar() == calendar


def test_compiled_calendar_of_the_seed() -> None:
    compiled = selectors.compiled_calendar(calendar=cn())
    assert compiled.deadline(sh("2025-12-31 17:00"), 60) == sh("2026-01-04 09:00")
    assert selectors.compiled_calendar(calendar=cn()) is compiled  # cached while the version stands
    both = selectors.compiled_calendars(calendar_ids={cn().pk, Calendar.objects.get(slug=ALWAYS).pk})
    assert both[cn().pk] is compiled
    assert len(both) == 2


def test_update_changes_periods_and_recompiles(admin: User) -> None:
    calendar = cn()
    before = selectors.compiled_calendar(calendar=calendar)
    assert before.deadline(sh("2026-01-05 11:50"), 20) == sh("2026-01-05 13:40")
    version = calendar.version
    updated = update(calendar, admin, periods=dict.fromkeys(range(5), "09:00-18:00"), name="办公时间")
    assert updated.version == version + 1
    fresh = Calendar.objects.get(pk=calendar.pk)
    assert fresh.version == version + 1 and fresh.name == "办公时间"
    assert selectors.weekly_periods_text(calendar=fresh) == dict.fromkeys(range(5), "09:00-18:00")
    after = selectors.compiled_calendar(calendar=fresh)
    assert after is not before
    assert after.deadline(sh("2026-01-05 11:50"), 20) == sh("2026-01-05 12:10")
    assert after.deadline(sh("2026-01-05 17:50"), 20) == sh("2026-01-06 09:10")
    # holidays are still there
    assert after.deadline(sh("2026-09-30 17:50"), 20) == sh("2026-10-08 09:10")
    event = AuditEvent.objects.filter(action="calendar.update").get()
    assert event.actor == admin and event.target_id == str(calendar.pk)


def test_update_with_a_bad_period_writes_nothing(admin: User) -> None:
    calendar = cn()
    before = snapshot(calendar)
    with pytest.raises(ValidationFailed) as caught:
        update(calendar, admin, name="renamed", periods={0: "09:00-18:00", 3: "08:30-12:00, 11:00-14:00"})
    assert caught.value.field == "periods_3"
    assert caught.value.code == "invalid_periods"
    assert "11:00" in str(caught.value.detail)
    with pytest.raises(ValidationFailed) as caught:
        update(calendar, admin, periods={6: "garbage"})
    assert caught.value.field == "periods_6"
    with pytest.raises(ValidationFailed) as caught:
        update(calendar, admin, periods={})
    assert caught.value.code == "no_working_time"
    with pytest.raises(ValidationFailed) as caught:
        update(calendar, admin, time_zone="Mars/Olympus")
    assert caught.value.field == "time_zone"
    with pytest.raises(ValidationFailed) as caught:
        update(calendar, admin, is_default=False)
    assert caught.value.field == "is_default"
    assert snapshot(calendar) == before
    assert not AuditEvent.objects.filter(action="calendar.update").exists()


def test_day_set_and_delete(admin: User) -> None:
    calendar = cn()
    version = calendar.version
    # an ordinary Monday becomes a holiday (a manual edit), then an ordinary day again
    day = services.calendar_day_set(
        actor=admin, calendar=calendar, date=dt.date(2026, 3, 2), kind=DayKind.HOLIDAY, name="停电"
    )
    assert (day.kind, day.source, calendar.version) == (DayKind.HOLIDAY, DaySource.MANUAL, version + 1)
    compiled = selectors.compiled_calendar(calendar=calendar)
    assert compiled.deadline(sh("2026-02-27 17:00"), 60) == sh("2026-02-28 09:00")  # make-up Saturday
    assert compiled.deadline(sh("2026-02-28 17:00"), 60) == sh("2026-03-03 09:00")
    # a package holiday becomes a make-up workday
    services.calendar_day_set(
        actor=admin, calendar=calendar, date=dt.date(2026, 10, 7), kind=DayKind.WORKDAY, name="加班"
    )
    row = calendar.days.get(date=dt.date(2026, 10, 7))
    assert (row.kind, row.name, row.source) == (DayKind.WORKDAY, "加班", DaySource.MANUAL)
    assert selectors.compiled_calendar(calendar=calendar).deadline(sh("2026-09-30 17:00"), 60) == sh(
        "2026-10-07 09:00"
    )
    services.calendar_day_delete(actor=admin, calendar=calendar, date=dt.date(2026, 3, 2))
    services.calendar_day_delete(actor=admin, calendar=calendar, date=dt.date(2026, 1, 4))  # a make-up day
    assert calendar.version == version + 4
    compiled = selectors.compiled_calendar(calendar=calendar)
    assert compiled.deadline(sh("2026-02-28 17:00"), 60) == sh("2026-03-02 09:00")
    assert compiled.deadline(sh("2025-12-31 17:00"), 60) == sh("2026-01-05 09:00")
    # deleting a date without an exception changes nothing
    services.calendar_day_delete(actor=admin, calendar=calendar, date=dt.date(2026, 3, 3))
    assert Calendar.objects.get(pk=calendar.pk).version == version + 4


def test_day_set_validates(admin: User) -> None:
    calendar = cn()
    before = snapshot(calendar)
    with pytest.raises(ValidationFailed) as caught:
        services.calendar_day_set(
            actor=admin, calendar=calendar, date=dt.date(2026, 3, 2), kind="x", name="a"
        )
    assert caught.value.field == "kind"
    with pytest.raises(ValidationFailed) as caught:
        services.calendar_day_set(
            actor=admin, calendar=calendar, date=dt.date(2026, 3, 2), kind=DayKind.HOLIDAY, name="  "
        )
    assert caught.value.field == "name"
    assert snapshot(calendar) == before


def test_import_package_keeps_manual_edits(admin: User) -> None:
    calendar = cn()
    services.calendar_day_set(
        actor=admin, calendar=calendar, date=dt.date(2026, 10, 7), kind=DayKind.WORKDAY, name="加班"
    )
    services.calendar_day_delete(actor=admin, calendar=calendar, date=dt.date(2026, 1, 1))
    version = calendar.version
    written, kept = services.holidays_import_package(actor=admin, calendar=calendar, year=2026)
    assert (written, kept) == (len(package_days(year=2026)) - 1, 1)
    assert calendar.version == version + 1
    manual = calendar.days.get(date=dt.date(2026, 10, 7))
    assert (manual.kind, manual.source) == (DayKind.WORKDAY, DaySource.MANUAL)
    assert calendar.days.get(date=dt.date(2026, 1, 1)).source == DaySource.PACKAGE  # restored
    assert calendar.days.filter(date__year=2026).count() == len(package_days(year=2026))
    assert calendar.days.filter(date__year=2025).count() == len(package_days(year=2025))  # untouched
    assert calendar.holiday_years.get(year=2026).source == DaySource.PACKAGE


def test_import_package_refuses_a_year_it_lacks(admin: User) -> None:
    calendar = cn()
    before = snapshot(calendar)
    with pytest.raises(ValidationFailed) as caught:
        services.holidays_import_package(actor=admin, calendar=calendar, year=2031)
    assert (caught.value.code, caught.value.field) == ("no_holiday_data", "year")
    assert "2031" in str(caught.value.detail)
    assert snapshot(calendar) == before


GOOD_CSV = "date,kind,name\n2027-01-01,休,元旦\n2027-02-06,休,春节\n2027-02-20,班,春节调休\n"


def test_import_file(admin: User) -> None:
    calendar = cn()
    written, kept = services.holidays_import_file(
        actor=admin, calendar=calendar, content=GOOD_CSV.encode("gb18030"), filename="2027.csv"
    )
    assert (written, kept) == (3, 0)
    assert sorted(calendar.days.filter(date__year=2027).values_list("date", "kind", "source")) == [
        (dt.date(2027, 1, 1), DayKind.HOLIDAY, DaySource.FILE),
        (dt.date(2027, 2, 6), DayKind.HOLIDAY, DaySource.FILE),
        (dt.date(2027, 2, 20), DayKind.WORKDAY, DaySource.FILE),
    ]
    assert calendar.holiday_years.get(year=2027).source == DaySource.FILE
    compiled = selectors.compiled_calendar(calendar=calendar)
    assert compiled.deadline(sh("2026-12-31 17:00"), 60) == sh("2027-01-04 09:00")
    december, march = int(sh("2026-12-01 10:00").timestamp()), int(sh("2027-03-01 10:00").timestamp())
    assert compiled.missing_years(december, march) == []
    assert AuditEvent.objects.filter(action="calendar.import_file").count() == 1


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (GOOD_CSV + "2027-02-30,休,春节\n", "invalid_file"),  # one bad row among good ones
        (GOOD_CSV + "2027-01-01,班,again\n", "invalid_file"),  # a duplicate
        (b"date,kind,name\n", "empty_file"),
        (b"x" * (services.MAX_IMPORT_BYTES + 1), "file_too_large"),
    ],
)
def test_import_file_is_all_or_nothing(admin: User, content: str | bytes, code: str) -> None:
    calendar = cn()
    before = snapshot(calendar)
    raw = content.encode() if isinstance(content, str) else content
    with pytest.raises(ValidationFailed) as caught:
        services.holidays_import_file(actor=admin, calendar=calendar, content=raw, filename="2027.csv")
    assert (caught.value.code, caught.value.field) == (code, "file")
    assert snapshot(calendar) == before
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_import_ics_file(admin: User) -> None:
    content = (
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270206\r\nDTEND;VALUE=DATE:20270214\r\n"
        "SUMMARY:春节\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270220\r\nSUMMARY:春节补班\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    written, _kept = services.holidays_import_file(
        actor=admin, calendar=cn(), content=content, filename="2027.ics"
    )
    assert written == 9
    assert cn().days.get(date=dt.date(2027, 2, 20)).kind == DayKind.WORKDAY


def test_staff_without_sla_manage_changes_nothing(agent: User, admin: User) -> None:
    calendar = cn()
    before = snapshot(calendar)
    attempts = [
        lambda: update(calendar, agent, periods={0: "09:00-10:00"}),
        lambda: services.calendar_day_set(
            actor=agent, calendar=calendar, date=dt.date(2026, 3, 2), kind=DayKind.HOLIDAY, name="x"
        ),
        lambda: services.calendar_day_delete(actor=agent, calendar=calendar, date=dt.date(2026, 1, 4)),
        lambda: services.calendar_year_confirm(actor=agent, calendar=calendar, year=2027),
        lambda: services.holidays_import_package(actor=agent, calendar=calendar, year=2026),
        lambda: services.holidays_import_file(
            actor=agent, calendar=calendar, content=GOOD_CSV.encode(), filename="h.csv"
        ),
        lambda: services.calendar_create(actor=agent, slug="night", name="Night", periods={0: "22:00-06:00"}),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert snapshot(calendar) == before
    assert not Calendar.objects.filter(slug="night").exists()
    assert not AuditEvent.objects.filter(action__startswith="calendar.").exists()
    # the same changes by an administrator go through
    services.calendar_day_set(
        actor=admin, calendar=calendar, date=dt.date(2026, 3, 2), kind=DayKind.HOLIDAY, name="x"
    )
    assert snapshot(calendar) != before


def test_calendar_create(admin: User) -> None:
    created = services.calendar_create(
        actor=admin, slug="night", name="夜班", periods={0: "22:00-06:00"}, uses_holidays=False
    )
    assert created.version == 1 and not created.is_default
    compiled = selectors.compiled_calendar(calendar=created)
    assert compiled.deadline(sh("2026-01-05 23:00"), 120) == sh("2026-01-06 01:00")
    with pytest.raises(ValidationFailed) as caught:
        services.calendar_create(actor=admin, slug="night", name="again", periods={0: OFFICE})
    assert caught.value.field == "slug"
    with pytest.raises(ValidationFailed) as caught:
        services.calendar_create(actor=admin, slug="empty", name="Empty", periods={})
    assert caught.value.code == "no_working_time"
    assert not Calendar.objects.filter(slug="empty").exists()


def test_missing_holiday_years_in_november(admin: User) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 21, 10, tzinfo=SH), tick=False):
        warnings = selectors.missing_holiday_years()
        assert [(w.calendar.slug, w.year) for w in warnings] == [(CN_WORKDAY, 2027)]  # 24x7 needs none
        services.calendar_year_confirm(actor=admin, calendar=cn(), year=2027)
        assert selectors.missing_holiday_years() == []
    later = selectors.missing_holiday_years(today=dt.date(2031, 1, 5))
    assert [(w.calendar.slug, w.year) for w in later] == [(CN_WORKDAY, 2031), (CN_WORKDAY, 2032)]


def test_missing_holiday_years_cleared_by_a_file(admin: User) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 21, 10, tzinfo=SH), tick=False):
        services.holidays_import_file(
            actor=admin, calendar=cn(), content=GOOD_CSV.encode(), filename="2027.csv"
        )
        assert selectors.missing_holiday_years() == []


def test_holiday_day_rows_match_the_package_for_every_year() -> None:
    calendar = cn()
    assert calendar.days.count() == len(package_days())
    assert CalendarDay.objects.filter(calendar=calendar).exclude(source=DaySource.PACKAGE).count() == 0
