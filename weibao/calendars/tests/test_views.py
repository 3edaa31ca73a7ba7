"""Working-calendar pages: missing-year warnings, period editing, days, imports, permissions, queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from weibao.accounts.choices import UserKind
from weibao.accounts.models import Role, User
from weibao.accounts.tests.conftest import _english, _pages_render  # noqa: F401
from weibao.accounts.tests.factories import UserFactory, staff_user
from weibao.calendars import selectors, services
from weibao.calendars.builtin import ALWAYS, CN_WORKDAY
from weibao.calendars.choices import DayKind, DaySource
from weibao.calendars.models import Calendar, CalendarDay, HolidayYear

pytestmark = pytest.mark.django_db

OFFICE = "08:30-12:00, 13:30-17:30"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager() -> Client:
    return signed_in(staff_user(role_codes=["service_manager"], username="manager"))


@pytest.fixture
def agent() -> Client:
    """Staff without ``sla.manage``: reads calendars, changes nothing."""
    return signed_in(staff_user(role_codes=["agent"], username="agent"))


def list_in_2040() -> str:
    """The list page on 1 March 2040 (signed in then: a session from today would have expired)."""
    with time_machine.travel(dt.datetime(2040, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        client = signed_in(User.objects.get(username="manager"))
        response = client.get(reverse("calendars:list"))
    assert response.status_code == 200
    return response.content.decode()


def cn() -> Calendar:
    return Calendar.objects.get(slug=CN_WORKDAY)


def detail_url(slug: str = CN_WORKDAY, year: int | None = None) -> str:
    url = reverse("calendars:detail", args=[slug])
    return f"{url}?year={year}" if year else url


def edit_data(calendar: Calendar, **overrides: Any) -> dict[str, Any]:
    periods = selectors.weekly_periods_text(calendar=calendar)
    data: dict[str, Any] = {
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "makeup_weekday": calendar.makeup_weekday,
        "uses_holidays": "on" if calendar.uses_holidays else "",
        "is_default": "on" if calendar.is_default else "",
        "description": calendar.description,
        **{f"periods_{w}": periods.get(w, "") for w in range(7)},
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != "" or k.startswith("periods_")}


def snapshot(calendar: Calendar) -> tuple[Any, ...]:
    """Everything a refused request must leave untouched."""
    calendar.refresh_from_db()
    return (
        calendar.version,
        calendar.name,
        selectors.weekly_periods_text(calendar=calendar),
        sorted(CalendarDay.objects.filter(calendar=calendar).values_list("date", "kind", "name", "source")),
        selectors.covered_years(calendar=calendar),
    )


class TestList:
    def test_warns_for_this_and_next_year_without_data(self, manager: Client) -> None:
        html = list_in_2040()
        for year in (2040, 2041):
            assert f'data-testid="missing-year-{CN_WORKDAY}-{year}"' in html
            assert f"python manage.py import_holidays --year {year}" in html
        # 7x24 does not follow holidays: nothing is missing there.
        assert f"missing-year-{ALWAYS}" not in html
        assert 'data-testid="default-badge"' in html
        assert "Monday–Friday: 08:30-12:00, 13:30-17:30" in html

    def test_covered_years_have_no_warning(self, manager: Client) -> None:
        for year in (2040, 2041):
            services.calendar_year_confirm(actor=None, calendar=cn(), year=year)
        html = list_in_2040()
        assert "missing-year-" not in html

    def test_other_calendar_warning_names_it_in_the_command(self, manager: Client) -> None:
        services.calendar_create(actor=None, slug="guangzhou", name="广州", periods={0: OFFICE})
        html = list_in_2040()
        assert "import_holidays --year 2040 --calendar guangzhou" in html

    def test_query_count_does_not_grow_with_calendars(self, manager: Client) -> None:
        manager.get(reverse("calendars:list"))  # warm the session
        with CaptureQueriesContext(connection) as few:
            manager.get(reverse("calendars:list"))
        for n in range(5):
            services.calendar_create(actor=None, slug=f"extra-{n}", name=f"Extra {n}", periods={0: OFFICE})
        with CaptureQueriesContext(connection) as many:
            response = manager.get(reverse("calendars:list"))
        assert response.content.decode().count('data-testid="calendar-extra-') == 5
        assert len(many.captured_queries) == len(few.captured_queries) <= 9


class TestDetail:
    def test_shows_pattern_and_days_of_the_year(self, manager: Client) -> None:
        html = manager.get(detail_url(year=2025)).content.decode()
        assert OFFICE in html
        assert 'data-testid="day-2025-10-01"' in html  # National Day, from the package
        assert 'data-testid="day-2025-09-28"' in html  # a make-up workday (Sunday)
        assert "Make-up workday" in html
        assert 'data-testid="year-missing"' not in html
        assert 'data-testid="day-form"' in html

    def test_year_without_data_warns(self, manager: Client) -> None:
        html = manager.get(detail_url(year=2041)).content.decode()
        assert 'data-testid="year-missing"' in html
        assert "python manage.py import_holidays --year 2041" in html
        assert 'data-testid="confirm-year"' in html

    def test_default_year_is_this_year(self, manager: Client) -> None:
        with time_machine.travel(dt.datetime(2025, 5, 1, 4, tzinfo=dt.UTC), tick=False):
            client = signed_in(User.objects.get(username="manager"))
            html = client.get(detail_url()).content.decode()
        assert 'data-testid="day-2025-05-01"' in html

    def test_htmx_year_switch_answers_the_fragment(self, manager: Client) -> None:
        response = manager.get(detail_url(year=2024), HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html and 'id="calendar-year"' in html
        assert 'data-testid="day-2024-10-01"' in html

    def test_edit_link_fills_the_day_form(self, manager: Client) -> None:
        html = manager.get(detail_url(year=2025) + "&day=2025-10-01").content.decode()
        assert 'value="2025-10-01"' in html

    def test_unknown_slug_is_404(self, manager: Client) -> None:
        assert manager.get(detail_url("nope")).status_code == 404

    def test_query_count(self, manager: Client, django_assert_max_num_queries: Any) -> None:
        manager.get(detail_url(year=2025))
        with django_assert_max_num_queries(8):
            response = manager.get(detail_url(year=2025))
        assert response.status_code == 200


class TestEdit:
    def test_create_calendar(self, manager: Client) -> None:
        data = {
            "name": "夜班",
            "slug": "night",
            "time_zone": "Asia/Shanghai",
            "makeup_weekday": "0",
            "uses_holidays": "on",
            "periods_0": "22:00-06:00",
        }
        response = manager.post(reverse("calendars:create"), data)
        assert response.status_code == 302
        assert response["Location"] == detail_url("night")
        night = Calendar.objects.get(slug="night")
        assert selectors.weekly_periods_text(calendar=night) == {0: "22:00-06:00"}

    def test_create_refuses_a_taken_slug_beside_the_field(self, manager: Client) -> None:
        data = {"name": "x", "slug": CN_WORKDAY, "time_zone": "Asia/Shanghai", "makeup_weekday": "0"}
        data["periods_0"] = OFFICE
        response = manager.post(reverse("calendars:create"), data)
        assert response.status_code == 422
        assert 'data-testid="error-slug"' in response.content.decode()
        assert Calendar.objects.count() == 2

    def test_edit_periods(self, manager: Client) -> None:
        calendar = cn()
        version = calendar.version
        data = edit_data(calendar, periods_5="09:00-12:00", name="工作日")
        response = manager.post(reverse("calendars:edit", args=[CN_WORKDAY]), data)
        assert response.status_code == 302
        calendar.refresh_from_db()
        assert calendar.name == "工作日"
        assert calendar.version > version
        assert selectors.weekly_periods_text(calendar=calendar)[5] == "09:00-12:00"

    def test_bad_period_shows_the_error_beside_the_field_and_writes_nothing(self, manager: Client) -> None:
        calendar = cn()
        before = snapshot(calendar)
        data = edit_data(calendar, periods_1="08:30-25:00", name="changed")
        response = manager.post(reverse("calendars:edit", args=[CN_WORKDAY]), data)
        assert response.status_code == 422
        html = response.content.decode()
        assert 'data-testid="error-periods_1"' in html
        assert "08:30-25:00 is not a valid period" in html
        assert snapshot(calendar) == before

    def test_unknown_time_zone_beside_the_field(self, manager: Client) -> None:
        calendar = cn()
        before = snapshot(calendar)
        data = edit_data(calendar, time_zone="Mars/Olympus")
        response = manager.post(reverse("calendars:edit", args=[CN_WORKDAY]), data)
        assert response.status_code == 422
        assert 'data-testid="error-time_zone"' in response.content.decode()
        assert snapshot(calendar) == before

    def test_edit_form_shows_current_periods(self, manager: Client) -> None:
        html = manager.get(reverse("calendars:edit", args=[CN_WORKDAY])).content.decode()
        assert f'value="{OFFICE}"' in html
        assert 'name="slug"' not in html


class TestDays:
    def test_add_and_change_a_day(self, manager: Client) -> None:
        url = reverse("calendars:day_save", args=[CN_WORKDAY])
        data = {"date": "2025-06-03", "kind": DayKind.HOLIDAY, "name": "院庆", "year": "2025"}
        response = manager.post(url, data)
        assert response.status_code == 302
        assert response["Location"] == detail_url(year=2025)
        day = CalendarDay.objects.get(calendar=cn(), date=dt.date(2025, 6, 3))
        assert (day.kind, day.name, day.source) == (DayKind.HOLIDAY, "院庆", DaySource.MANUAL)
        manager.post(url, {**data, "kind": DayKind.WORKDAY, "name": "补班"})
        day.refresh_from_db()
        assert (day.kind, day.name) == (DayKind.WORKDAY, "补班")

    def test_invalid_day_shows_errors_and_writes_nothing(self, manager: Client) -> None:
        before = snapshot(cn())
        url = reverse("calendars:day_save", args=[CN_WORKDAY])
        response = manager.post(url, {"date": "2025-06-03", "kind": "weekend", "name": "", "year": "2025"})
        assert response.status_code == 400
        html = response.content.decode()
        assert 'data-testid="error-kind"' in html and 'data-testid="error-name"' in html
        assert snapshot(cn()) == before

    def test_delete_a_day(self, manager: Client) -> None:
        calendar = cn()
        assert CalendarDay.objects.filter(calendar=calendar, date=dt.date(2025, 10, 1)).exists()
        response = manager.post(reverse("calendars:day_delete", args=[CN_WORKDAY]), {"date": "2025-10-01"})
        assert response.status_code == 302
        assert not CalendarDay.objects.filter(calendar=calendar, date=dt.date(2025, 10, 1)).exists()

    def test_confirm_year(self, manager: Client) -> None:
        response = manager.post(reverse("calendars:confirm_year", args=[CN_WORKDAY]), {"year": "2041"})
        assert response.status_code == 302
        assert HolidayYear.objects.filter(calendar=cn(), year=2041, source=DaySource.MANUAL).exists()
        assert 'data-testid="year-missing"' not in manager.get(detail_url(year=2041)).content.decode()


GOOD_CSV = "date,kind,name\n2041-01-01,holiday,元旦\n2041-02-02,班,春节调休\n".encode()
GOOD_ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20411001\r\n"
    "DTEND;VALUE=DATE:20411004\r\nSUMMARY:国庆节\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()


class TestImports:
    def _upload(self, client: Client, content: bytes, name: str) -> Any:
        upload = SimpleUploadedFile(name, content, content_type="text/csv")
        return client.post(
            reverse("calendars:import_file", args=[CN_WORKDAY]), {"file": upload, "year": "2041"}
        )

    def test_good_csv(self, manager: Client) -> None:
        response = self._upload(manager, GOOD_CSV, "2041.csv")
        assert response.status_code == 302
        days = CalendarDay.objects.filter(calendar=cn(), date__year=2041).order_by("date")
        assert [(d.date.isoformat(), d.kind, d.source) for d in days] == [
            ("2041-01-01", DayKind.HOLIDAY, DaySource.FILE),
            ("2041-02-02", DayKind.WORKDAY, DaySource.FILE),
        ]
        assert 2041 in selectors.covered_years(calendar=cn())

    def test_good_ics(self, manager: Client) -> None:
        assert self._upload(manager, GOOD_ICS, "2041.ics").status_code == 302
        assert CalendarDay.objects.filter(calendar=cn(), date__year=2041).count() == 3

    def test_bad_file_shows_the_errors_and_writes_nothing(self, manager: Client) -> None:
        before = snapshot(cn())
        bad = "2041-01-01,holiday,元旦\n2041-13-01,holiday,x\n2041-01-02,weekend,y\n".encode()
        response = self._upload(manager, bad, "bad.csv")
        assert response.status_code == 422
        html = response.content.decode()
        assert 'data-testid="error-file"' in html
        assert "Line 2" in html and "Line 3" in html
        assert snapshot(cn()) == before

    def test_file_over_1_mb_is_refused(self, manager: Client) -> None:
        before = snapshot(cn())
        response = self._upload(manager, b"#" * (1024 * 1024 + 10), "huge.csv")
        assert response.status_code == 422
        assert "larger than 1 MB" in response.content.decode()
        assert snapshot(cn()) == before

    def test_refresh_from_package(self, manager: Client) -> None:
        calendar = cn()
        CalendarDay.objects.filter(calendar=calendar, date__year=2025).delete()
        services.calendar_day_set(
            actor=None, calendar=calendar, date=dt.date(2025, 10, 1), kind=DayKind.HOLIDAY, name="手工"
        )
        response = manager.post(reverse("calendars:import_package", args=[CN_WORKDAY]), {"year": "2025"})
        assert response.status_code == 302
        assert CalendarDay.objects.filter(calendar=calendar, date__year=2025).count() > 10
        # The manual edit survives the refresh.
        assert CalendarDay.objects.get(calendar=calendar, date=dt.date(2025, 10, 1)).name == "手工"

    def test_refresh_a_year_the_package_lacks(self, manager: Client) -> None:
        before = snapshot(cn())
        url = reverse("calendars:import_package", args=[CN_WORKDAY])
        response = manager.post(url, {"year": "2041"}, follow=True)
        assert "has no data for 2041" in response.content.decode()
        assert snapshot(cn()) == before


class TestPermissions:
    def test_staff_without_sla_manage_reads_only(self, agent: Client) -> None:
        html = agent.get(reverse("calendars:list")).content.decode()
        assert 'data-testid="calendar-table"' in html
        assert 'data-testid="new-calendar"' not in html and 'data-testid="edit-cn-workday"' not in html
        html = agent.get(detail_url(year=2025)).content.decode()
        assert 'data-testid="day-2025-10-01"' in html
        for marker in ("day-form", "file-form", "refresh-package", "delete-2025-10-01", "edit-calendar"):
            assert f'data-testid="{marker}"' not in html
        assert 'data-testid="nav-calendars"' not in html

    def test_staff_without_sla_manage_gets_403_on_every_change(self, agent: Client) -> None:
        calendar = cn()
        before = snapshot(calendar)
        file = SimpleUploadedFile("a.csv", GOOD_CSV)
        new = {"name": "x", "slug": "x", "time_zone": "UTC", "periods_0": OFFICE}
        day = {"date": "2025-06-03", "kind": "holiday", "name": "x"}
        posts = [
            (reverse("calendars:create"), new),
            (reverse("calendars:edit", args=[CN_WORKDAY]), edit_data(calendar, name="changed")),
            (reverse("calendars:day_save", args=[CN_WORKDAY]), day),
            (reverse("calendars:day_delete", args=[CN_WORKDAY]), {"date": "2025-10-01"}),
            (reverse("calendars:import_package", args=[CN_WORKDAY]), {"year": "2025"}),
            (reverse("calendars:confirm_year", args=[CN_WORKDAY]), {"year": "2041"}),
            (reverse("calendars:import_file", args=[CN_WORKDAY]), {"file": file}),
        ]
        for url, data in posts:
            assert agent.post(url, data).status_code == 403, url
        assert agent.get(reverse("calendars:edit", args=[CN_WORKDAY])).status_code == 403
        assert agent.get(reverse("calendars:create")).status_code == 403
        assert snapshot(calendar) == before
        assert Calendar.objects.count() == 2

    def test_portal_user_is_refused(self) -> None:
        user = UserFactory.create(kind=UserKind.CUSTOMER, username="portal")
        user.roles.set(Role.objects.filter(code="portal"))
        client = signed_in(user)
        assert client.get(reverse("calendars:list")).status_code == 403
        assert client.get(detail_url()).status_code in {403, 404}
        before = snapshot(cn())
        response = client.post(reverse("calendars:day_delete", args=[CN_WORKDAY]), {"date": "2025-10-01"})
        assert response.status_code in {403, 404}
        assert snapshot(cn()) == before

    def test_anonymous_is_sent_to_sign_in(self, client: Client) -> None:
        response = client.get(reverse("calendars:list"))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    def test_manager_sees_the_nav_entry(self, manager: Client) -> None:
        assert 'data-testid="nav-calendars"' in manager.get(reverse("calendars:list")).content.decode()

    def test_actions_need_post(self, manager: Client) -> None:
        assert manager.get(reverse("calendars:confirm_year", args=[CN_WORKDAY])).status_code == 405
