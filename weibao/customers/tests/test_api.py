"""API contract of /customers and /systems: 401 anonymous, 403 wrong role, 404 foreign, 422 bad field."""

from __future__ import annotations

from typing import Any

import pytest

from weibao.accounts import services as account_services
from weibao.accounts.models import User
from weibao.accounts.tests.api_client import api_client, bearer
from weibao.accounts.tests.factories import staff_user
from weibao.customers.api import customers_router, systems_router
from weibao.customers.models import Contact, Customer, Site
from weibao.customers.tests.factories import (
    ContactFactory,
    CustomerFactory,
    DeliveredSystemFactory,
    SiteFactory,
    SystemModuleFactory,
    portal_user,
)

pytestmark = pytest.mark.django_db

STRONG = "Str0ng-Passw0rd-维保"


@pytest.fixture
def client() -> Any:
    return api_client(("/customers", customers_router), ("/systems", systems_router))


def auth(user: User) -> dict[str, Any]:
    return bearer(account_services.api_token_create(actor=user, name="test")[1])


@pytest.fixture
def pm() -> dict[str, Any]:
    return auth(staff_user(role_codes=["project_manager"]))


@pytest.fixture
def agent() -> dict[str, Any]:
    return auth(staff_user(role_codes=["agent"]))


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/customers"), ("post", "/customers"), ("get", "/customers/1"), ("get", "/customers/1/sites"),
     ("get", "/systems/1")],
)  # fmt: skip
def test_anonymous_is_401(client: Any, method: str, path: str) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == 401
    assert response.json() == {
        "detail": response.json()["detail"],
        "code": "not_authenticated",
    }


class TestCustomers:
    def test_list_filters(self, client: Any, agent: dict[str, Any]) -> None:
        a = CustomerFactory.create(name="仁济医院", region="上海")
        SiteFactory.create(customer=a)
        CustomerFactory.create(name="协和医院", region="北京")
        body = client.get("/customers?region=上海", **agent).json()
        assert body["count"] == 1
        assert body["items"][0]["name"] == "仁济医院"
        assert body["items"][0]["site_count"] == 1
        assert client.get("/customers?q=协和", **agent).json()["count"] == 1

    def test_list_query_count(
        self, client: Any, agent: dict[str, Any], django_assert_max_num_queries: Any
    ) -> None:
        for _ in range(30):
            customer = CustomerFactory.create()
            SiteFactory.create(customer=customer)
            DeliveredSystemFactory.create(customer=customer)
        # token lookup + last_used + roles + count + page
        with django_assert_max_num_queries(6):
            body = client.get("/customers?limit=30", **agent).json()
        assert len(body["items"]) == 30

    def test_staff_without_customer_view_is_403(self, client: Any) -> None:
        headers = auth(staff_user(role_codes=[]))
        response = client.get("/customers", **headers)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"

    def test_create_needs_manage(self, client: Any, agent: dict[str, Any], pm: dict[str, Any]) -> None:
        response = client.post("/customers", json={"code": "renji", "name": "仁济医院"}, **agent)
        assert response.status_code == 403
        assert not Customer.objects.exists()
        response = client.post("/customers", json={"code": "renji", "name": "仁济医院"}, **pm)
        assert response.status_code == 201
        assert response.json()["code"] == "renji"
        assert response.json()["created_at"].endswith(("Z", "+00:00"))

    def test_create_bad_field_is_422(self, client: Any, pm: dict[str, Any]) -> None:
        response = client.post("/customers", json={"code": "bad code", "name": "x"}, **pm)
        assert response.status_code == 422
        assert response.json()["field"] == "code"
        assert response.json()["code"] == "invalid_code"
        response = client.post("/customers", json={"code": "ok"}, **pm)
        assert response.status_code == 422
        assert response.json()["field"] == "name"
        assert not Customer.objects.exists()

    def test_get_and_patch(self, client: Any, pm: dict[str, Any]) -> None:
        customer = CustomerFactory.create(name="旧名", phone="123")
        assert client.get(f"/customers/{customer.pk}", **pm).json()["name"] == "旧名"
        response = client.patch(f"/customers/{customer.pk}", json={"name": "新名"}, **pm)
        assert response.status_code == 200
        assert response.json()["name"] == "新名"
        assert response.json()["phone"] == "123"

    def test_unknown_customer_404(self, client: Any, pm: dict[str, Any]) -> None:
        assert client.get("/customers/999999", **pm).status_code == 404
        assert client.patch("/customers/999999", json={"name": "x"}, **pm).status_code == 404


class TestPortalScope:
    @pytest.fixture
    def world(self) -> dict[str, Any]:
        a, b = CustomerFactory.create(), CustomerFactory.create()
        system_b = DeliveredSystemFactory.create(customer=b)
        system_a = DeliveredSystemFactory.create(customer=a)
        return {
            "a": a,
            "b": b,
            "system_a": system_a,
            "system_b": system_b,
            "auth": auth(portal_user(customer=a)),
        }

    def test_list_only_own(self, client: Any, world: dict[str, Any]) -> None:
        body = client.get("/customers", **world["auth"]).json()
        assert [c["id"] for c in body["items"]] == [world["a"].pk]

    @pytest.mark.parametrize(
        "path",
        [
            "/customers/{b}",
            "/customers/{b}/sites",
            "/customers/{b}/contacts",
            "/customers/{b}/systems",
            "/systems/{system_b}",
        ],
    )
    def test_foreign_is_404(self, client: Any, world: dict[str, Any], path: str) -> None:
        url = path.format(b=world["b"].pk, system_b=world["system_b"].pk)
        response = client.get(url, **world["auth"])
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    def test_own_is_readable(self, client: Any, world: dict[str, Any]) -> None:
        assert client.get(f"/customers/{world['a'].pk}", **world["auth"]).status_code == 200
        assert client.get(f"/systems/{world['system_a'].pk}", **world["auth"]).status_code == 200

    def test_writes_forbidden_and_foreign_writes_404(self, client: Any, world: dict[str, Any]) -> None:
        own = client.post(f"/customers/{world['a'].pk}/sites", json={"name": "x"}, **world["auth"])
        assert own.status_code == 403
        foreign = client.post(f"/customers/{world['b'].pk}/sites", json={"name": "x"}, **world["auth"])
        assert foreign.status_code == 404
        assert (
            client.patch(f"/customers/{world['b'].pk}", json={"name": "x"}, **world["auth"]).status_code
            == 404
        )
        assert not Site.objects.exists()


class TestNested:
    def test_sites(self, client: Any, pm: dict[str, Any]) -> None:
        customer = CustomerFactory.create()
        response = client.post(
            f"/customers/{customer.pk}/sites", json={"name": "东院", "distance_class": "remote"}, **pm
        )
        assert response.status_code == 201
        assert response.json()["distance_class"] == "remote"
        response = client.post(
            f"/customers/{customer.pk}/sites", json={"name": "x", "distance_class": "moon"}, **pm
        )
        assert response.status_code == 422
        assert response.json()["field"] == "distance_class"
        assert [s["name"] for s in client.get(f"/customers/{customer.pk}/sites", **pm).json()] == ["东院"]

    def test_contacts_with_portal_login(self, client: Any, pm: dict[str, Any]) -> None:
        customer = CustomerFactory.create()
        payload = {"name": "李主任", "portal_login": {"username": "li", "password": STRONG}}
        response = client.post(f"/customers/{customer.pk}/contacts", json=payload, **pm)
        assert response.status_code == 201
        assert response.json()["portal_username"] == "li"
        payload = {"name": "张", "portal_login": {"username": "li", "password": STRONG}}
        response = client.post(f"/customers/{customer.pk}/contacts", json=payload, **pm)
        assert response.status_code == 422
        assert response.json()["field"] == "portal_username"
        assert Contact.objects.count() == 1
        listed = client.get(f"/customers/{customer.pk}/contacts", **pm).json()
        assert [c["name"] for c in listed] == ["李主任"]

    def test_systems_with_modules(self, client: Any, pm: dict[str, Any]) -> None:
        customer = CustomerFactory.create()
        payload = {
            "name": "HIS",
            "version": "5",
            "go_live_date": "2024-01-01",
            "warranty_end": "2027-01-01",
            "modules": [{"name": "门诊", "version": "5.1"}],
        }
        response = client.post(f"/customers/{customer.pk}/systems", json=payload, **pm)
        assert response.status_code == 201
        system = response.json()
        assert system["modules"][0]["name"] == "门诊"
        assert system["warranty_end"] == "2027-01-01"
        got = client.get(f"/systems/{system['id']}", **pm).json()
        assert got == system
        response = client.patch(
            f"/systems/{system['id']}", json={"modules": [{"name": "住院", "version": "1"}]}, **pm
        )
        assert {(m["name"], m["is_active"]) for m in response.json()["modules"]} == {
            ("门诊", False),
            ("住院", True),
        }
        response = client.patch(f"/systems/{system['id']}", json={"warranty_end": "2020-01-01"}, **pm)
        assert response.status_code == 422
        assert response.json()["field"] == "warranty_end"

    def test_bad_date_is_422(self, client: Any, pm: dict[str, Any]) -> None:
        customer = CustomerFactory.create()
        response = client.post(
            f"/customers/{customer.pk}/systems", json={"name": "x", "go_live_date": "soon"}, **pm
        )
        assert response.status_code == 422
        assert response.json()["field"] == "go_live_date"

    def test_system_list_query_count(
        self, client: Any, pm: dict[str, Any], django_assert_max_num_queries: Any
    ) -> None:
        customer = CustomerFactory.create()
        for _ in range(10):
            SystemModuleFactory.create(
                system=DeliveredSystemFactory.create(
                    customer=customer, site=SiteFactory.create(customer=customer)
                )
            )
        with django_assert_max_num_queries(6):
            assert len(client.get(f"/customers/{customer.pk}/systems", **pm).json()) == 10

    def test_contact_list_query_count(
        self, client: Any, pm: dict[str, Any], django_assert_max_num_queries: Any
    ) -> None:
        customer = CustomerFactory.create()
        for _ in range(5):
            portal_user(customer=customer)
            ContactFactory.create(customer=customer)
        with django_assert_max_num_queries(5):
            assert len(client.get(f"/customers/{customer.pk}/contacts", **pm).json()) == 10
