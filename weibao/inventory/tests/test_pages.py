"""Stock pages and API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.json_api import JsonApi
from weibao.accounts.tests.conftest import _english  # noqa: F401
from weibao.accounts.tests.factories import staff_user
from weibao.inventory.choices import LocationKind
from weibao.inventory.models import Location, Part, StockLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeper() -> Any:
    return staff_user(role_codes=["service_manager"])


@pytest.fixture
def warehouse() -> Location:
    return Location.objects.create(code="main", name="总仓", kind=LocationKind.WAREHOUSE)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_part_is_added_received_and_issued_on_the_pages(keeper: Any, warehouse: Location) -> None:
    client = login(keeper)
    assert (
        client.post(
            reverse("inventory:part_create"), {"code": "RL1", "name": "搓纸轮", "unit": "个", "min_stock": 2}
        ).status_code
        == 302
    )
    part = Part.objects.get(code="RL1")
    move = {"kind": "receive", "part": part.pk, "location": warehouse.pk, "quantity": 5}
    assert client.post(reverse("inventory:move"), move).status_code == 302
    too_many = client.post(reverse("inventory:move"), {**move, "kind": "issue", "quantity": 9})
    assert too_many.status_code == 409 and "Only 5" in too_many.content.decode()
    assert StockLevel.objects.get(part=part).on_hand == 5

    page = client.get(reverse("inventory:list")).content.decode()
    assert 'data-testid="stock-part"' in page and "5 个" in page
    ledger = client.get(reverse("inventory:part", args=[part.pk])).content.decode()
    assert "+5" in ledger


def test_agents_do_not_see_stock(warehouse: Location) -> None:
    assert login(staff_user(role_codes=["agent"])).get(reverse("inventory:list")).status_code == 403


def test_stock_api(keeper: Any, warehouse: Location) -> None:
    api = JsonApi(keeper)
    part = api.post("/parts", {"code": "PSU-1", "name": "冗余电源", "min_stock": 1})
    assert part.status_code == 201 and part.json()["on_hand"] == 0
    part_id = part.json()["id"]
    assert (
        api.post(
            "/stock/moves",
            {"part_id": part_id, "location_id": warehouse.pk, "kind": "receive", "quantity": 3},
        ).status_code
        == 201
    )
    refused = api.post(
        "/stock/moves", {"part_id": part_id, "location_id": warehouse.pk, "kind": "issue", "quantity": 4}
    )
    assert refused.status_code == 409 and refused.json()["code"] == "insufficient_stock"
    assert [p["on_hand"] for p in api.get("/stock").json() if p["id"] == part_id] == [3]
    assert len(api.get(f"/parts/{part_id}/ledger").json()) == 1
    assert JsonApi(staff_user(role_codes=["agent"])).get("/stock").status_code == 403
