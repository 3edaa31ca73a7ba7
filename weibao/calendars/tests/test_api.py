"""API contract of /calendars: list, detail, deadline and working-minutes arithmetic, errors, access."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from weibao.accounts import services as account_services
from weibao.accounts.choices import UserKind
from weibao.accounts.models import Role, User
from weibao.accounts.tests.api_client import api_client, bearer
from weibao.accounts.tests.conftest import _english  # noqa: F401
from weibao.accounts.tests.factories import UserFactory, staff_user
from weibao.calendars import selectors
from weibao.calendars.api import calendars_router
from weibao.calendars.builtin import package_years

pytestmark = pytest.mark.django_db

DEADLINE = "/calendars/cn-workday/deadline"
MINUTES = "/calendars/cn-workday/working-minutes"


@pytest.fixture(autouse=True)
def _fresh_compiled_cache() -> Iterator[None]:
    selectors._compiled.clear()  # keyed by (pk, version): rolled-back tests reuse versions
    yield
    selectors._compiled.clear()


@pytest.fixture
def client() -> Any:
    return api_client(("/calendars", calendars_router))


def auth(user: User) -> dict[str, Any]:
    return bearer(account_services.api_token_create(actor=user, name="test")[1])


@pytest.fixture
def agent() -> dict[str, Any]:
    return auth(staff_user(role_codes=["agent"]))


def test_list(client: Any, agent: dict[str, Any]) -> None:
    response = client.get("/calendars", **agent)
    assert response.status_code == 200
    by_slug = {c["slug"]: c for c in response.json()}
    assert set(by_slug) == {"cn-workday", "24x7"}
    cn = by_slug["cn-workday"]
    assert cn["is_default"] is True and cn["uses_holidays"] is True and cn["time_zone"] == "Asia/Shanghai"
    assert cn["periods"] == {str(wd): "08:30-12:00, 13:30-17:30" for wd in range(5)}
    assert cn["holiday_years"] == package_years()
    assert by_slug["24x7"]["periods"] == {str(wd): "00:00-24:00" for wd in range(7)}
    assert by_slug["24x7"]["holiday_years"] == []


def test_detail_lists_the_days_of_a_year(client: Any, agent: dict[str, Any]) -> None:
    body = client.get("/calendars/cn-workday?year=2026", **agent).json()
    assert {
        "date": "2026-10-10",
        "kind": "workday",
        "name": "国庆节（调休上班）",
        "source": "package",
    } in body["days"]
    assert len(body["days"]) == 39
    assert client.get("/calendars/24x7?year=2026", **agent).json()["days"] == []


@pytest.mark.parametrize(
    ("start", "minutes", "deadline"),
    [
        ("2025-12-31T17:00:00+08:00", 60, "2026-01-04T09:00:00+08:00"),  # make-up Sunday after New Year
        ("2026-02-13T17:00:00+08:00", 60, "2026-02-14T09:00:00+08:00"),  # make-up Saturday
        ("2026-01-05T11:50:00+08:00", 10, "2026-01-05T12:00:00+08:00"),  # exactly the end of the morning
        ("2026-01-05T11:50:00+08:00", 20, "2026-01-05T13:40:00+08:00"),
        ("2026-09-30T09:00:00Z", 60, "2026-10-08T09:00:00+08:00"),  # 17:00 in Shanghai; answer in +08:00
        ("2026-01-05T07:00:00", 0, "2026-01-05T08:30:00+08:00"),  # naive: Shanghai time
    ],
)
def test_deadline(client: Any, agent: dict[str, Any], start: str, minutes: int, deadline: str) -> None:
    response = client.get(DEADLINE, query_params={"start": start, "minutes": minutes}, **agent)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["deadline"] == deadline
    assert body["calendar"] == "cn-workday" and body["minutes"] == minutes
    assert body["missing_holiday_years"] == []
    assert dt.datetime.fromisoformat(body["start"]) == _aware(start)


def _aware(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_naive_start_is_read_in_the_calendar_zone(client: Any, agent: dict[str, Any]) -> None:
    body = client.get(DEADLINE, query_params={"start": "2026-01-05T11:50:00", "minutes": 20}, **agent).json()
    assert body["start"] == "2026-01-05T11:50:00+08:00"
    assert body["deadline"] == "2026-01-05T13:40:00+08:00"
    always = client.get(
        "/calendars/24x7/deadline", query_params={"start": "2026-02-17T23:30:00", "minutes": 60}, **agent
    ).json()
    assert always["deadline"] == "2026-02-18T00:30:00+08:00"


def test_working_minutes(client: Any, agent: dict[str, Any]) -> None:
    params = {"start": "2026-02-13T00:00:00+08:00", "end": "2026-02-25T00:00:00+08:00"}
    body = client.get(MINUTES, query_params=params, **agent).json()
    assert body["minutes"] == 450 * 3  # Feb 13, make-up Feb 14, Feb 24
    assert body["missing_holiday_years"] == []
    assert client.get(MINUTES, query_params={"start": "2026-01-05T11:00:00", "end": "2026-01-05T14:00:00"},
                      **agent).json()["minutes"] == 90  # fmt: skip
    reversed_ = client.get(MINUTES, query_params={"start": params["end"], "end": params["start"]}, **agent)
    assert reversed_.json()["minutes"] == 0
    into_2031 = client.get(
        MINUTES, query_params={"start": "2030-12-01T09:00:00", "end": "2031-01-10T09:00:00"}, **agent
    ).json()
    assert into_2031["missing_holiday_years"] == [2030, 2031]


def test_missing_holiday_years_for_a_2031_deadline(client: Any, agent: dict[str, Any]) -> None:
    body = client.get(
        DEADLINE, query_params={"start": "2031-03-03T09:00:00+08:00", "minutes": 60}, **agent
    ).json()
    assert body["deadline"] == "2031-03-03T10:00:00+08:00"
    assert body["missing_holiday_years"] == [2031]
    always = client.get(
        "/calendars/24x7/deadline", query_params={"start": "2031-03-03T09:00:00", "minutes": 60}, **agent
    ).json()
    assert always["missing_holiday_years"] == []  # 24x7 follows no holidays


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        (DEADLINE, {"start": "yesterday", "minutes": 10}, "start"),
        (DEADLINE, {"start": "2026-13-01T09:00:00", "minutes": 10}, "start"),
        (DEADLINE, {"minutes": 10}, "start"),
        (DEADLINE, {"start": "2026-01-05T09:00:00", "minutes": "ten"}, "minutes"),
        (DEADLINE, {"start": "2026-01-05T09:00:00", "minutes": -1}, "minutes"),
        (DEADLINE, {"start": "2026-01-05T09:00:00", "minutes": 1_000_001}, "minutes"),
        (MINUTES, {"start": "2026-01-05T09:00:00", "end": "soon"}, "end"),
        (MINUTES, {"start": "2026-01-05T09:00:00", "end": "2090-01-05T09:00:00"}, "end"),  # > 50 years
        # far outside any ticket's life: refused instead of compiling centuries of days (or a 500)
        (DEADLINE, {"start": "0001-01-01T00:00:00", "minutes": 10}, "start"),
        (DEADLINE, {"start": "9999-12-31T00:00:00", "minutes": 10}, "start"),
        (DEADLINE, {"start": "8990-01-01T00:00:00", "minutes": 10}, "start"),
        (MINUTES, {"start": "8990-01-01T00:00:00", "end": "8990-01-02T00:00:00"}, "start"),
        (MINUTES, {"start": "1000-01-01T00:00:00", "end": "1000-01-02T00:00:00"}, "start"),
    ],
)
def test_bad_input_is_422(
    client: Any, agent: dict[str, Any], path: str, params: dict[str, Any], field: str
) -> None:
    response = client.get(path, query_params=params, **agent)
    assert response.status_code == 422, response.json()
    body = response.json()
    assert set(body) >= {"detail", "code"}
    assert body["code"] in {"validation_error", "out_of_range"}
    assert body["field"] == field


def test_minutes_at_the_limits(client: Any, agent: dict[str, Any]) -> None:
    start = "2026-01-05T09:00:00+08:00"
    assert (
        client.get(DEADLINE, query_params={"start": start, "minutes": 0}, **agent).json()["deadline"] == start
    )
    body = client.get(DEADLINE, query_params={"start": start, "minutes": 1_000_000}, **agent).json()
    assert dt.datetime.fromisoformat(body["deadline"]).year >= 2034
    assert 2027 in body["missing_holiday_years"]


def test_unknown_slug_is_404(client: Any, agent: dict[str, Any]) -> None:
    for path in [
        "/calendars/nope",
        "/calendars/nope/deadline?start=2026-01-05T09:00:00&minutes=1",
        "/calendars/nope/working-minutes?start=2026-01-05T09:00:00&end=2026-01-06T09:00:00",
    ]:
        response = client.get(path, **agent)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "path",
    ["/calendars", "/calendars/cn-workday", f"{DEADLINE}?start=2026-01-05T09:00:00&minutes=1",
     f"{MINUTES}?start=2026-01-05T09:00:00&end=2026-01-06T09:00:00"],
)  # fmt: skip
def test_anonymous_is_401(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert set(response.json()) == {"detail", "code"}


@pytest.mark.parametrize(
    "path",
    ["/calendars", "/calendars/cn-workday", f"{DEADLINE}?start=2026-01-05T09:00:00&minutes=1",
     f"{MINUTES}?start=2026-01-05T09:00:00&end=2026-01-06T09:00:00"],
)  # fmt: skip
def test_portal_user_is_403(client: Any, path: str) -> None:
    # A customer-kind user with the portal role, as customers.tests.factories.portal_user makes one;
    # built here because calendars sits below customers (import-linter layers).
    user = UserFactory.create(kind=UserKind.CUSTOMER, username="portal")
    user.roles.set(Role.objects.filter(code="portal"))
    headers = auth(user)
    response = client.get(path, **headers)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
