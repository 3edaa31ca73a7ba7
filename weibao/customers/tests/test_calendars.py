"""Working-calendar assignment of customers and sites: services, pages and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from weibao.accounts import services as account_services
from weibao.accounts.models import User
from weibao.accounts.tests.api_client import api_client, bearer
from weibao.accounts.tests.factories import staff_user
from weibao.calendars.builtin import ALWAYS, CN_WORKDAY
from weibao.calendars.models import Calendar
from weibao.core.errors import ValidationFailed
from weibao.customers import services
from weibao.customers.api import customers_router
from weibao.customers.models import Customer, Site
from weibao.customers.tests.factories import CustomerFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm_user() -> User:
    return staff_user(role_codes=["project_manager"], username="pm")


@pytest.fixture
def always() -> Calendar:
    return Calendar.objects.get(slug=ALWAYS)


def unknown_calendar_id() -> int:
    return (Calendar.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


class TestServices:
    def test_create_with_and_without_a_calendar(self, pm_user: User, always: Calendar) -> None:
        plain = services.customer_create(actor=pm_user, code="plain", name="普通医院")
        assert plain.calendar_id is None
        night = services.customer_create(actor=pm_user, code="night", name="夜班医院", calendar_id=always.pk)
        assert Customer.objects.get(pk=night.pk).calendar_id == always.pk
        site = services.site_create(actor=pm_user, customer_id=plain.pk, name="急诊", calendar_id=always.pk)
        assert Site.objects.get(pk=site.pk).calendar_id == always.pk

    def test_unknown_calendar_is_refused_and_nothing_written(self, pm_user: User) -> None:
        with pytest.raises(ValidationFailed) as exc:
            services.customer_create(actor=pm_user, code="x", name="x", calendar_id=unknown_calendar_id())
        assert exc.value.field == "calendar_id"
        assert not Customer.objects.filter(code="x").exists()
        customer = CustomerFactory.create()
        with pytest.raises(ValidationFailed) as exc:
            services.site_create(
                actor=pm_user, customer_id=customer.pk, name="x", calendar_id=unknown_calendar_id()
            )
        assert exc.value.field == "calendar_id"
        assert not Site.objects.filter(customer=customer).exists()

    def test_update_sets_and_clears(self, pm_user: User, always: Calendar) -> None:
        customer = CustomerFactory.create()
        site = SiteFactory.create(customer=customer)
        services.customer_update(actor=pm_user, customer_id=customer.pk, changes={"calendar_id": always.pk})
        services.site_update(actor=pm_user, site_id=site.pk, changes={"calendar_id": always.pk})
        customer.refresh_from_db()
        site.refresh_from_db()
        assert customer.calendar_id == site.calendar_id == always.pk
        services.customer_update(actor=pm_user, customer_id=customer.pk, changes={"calendar_id": None})
        services.site_update(actor=pm_user, site_id=site.pk, changes={"calendar_id": None})
        customer.refresh_from_db()
        site.refresh_from_db()
        assert customer.calendar_id is None and site.calendar_id is None

    def test_update_with_unknown_calendar_changes_nothing(self, pm_user: User, always: Calendar) -> None:
        customer = CustomerFactory.create(calendar=always, name="原名")
        with pytest.raises(ValidationFailed) as exc:
            services.customer_update(
                actor=pm_user,
                customer_id=customer.pk,
                changes={"name": "新名", "calendar_id": unknown_calendar_id()},
            )
        assert exc.value.field == "calendar_id"
        customer.refresh_from_db()
        assert (customer.name, customer.calendar_id) == ("原名", always.pk)

    def test_update_without_the_key_keeps_the_calendar(self, pm_user: User, always: Calendar) -> None:
        customer = CustomerFactory.create(calendar=always)
        services.customer_update(actor=pm_user, customer_id=customer.pk, changes={"name": "改名"})
        customer.refresh_from_db()
        assert customer.calendar_id == always.pk


class TestPages:
    @pytest.fixture
    def pm(self, pm_user: User) -> Client:
        client = Client()
        client.force_login(pm_user)
        return client

    def _customer_data(self, **overrides: Any) -> dict[str, Any]:
        return {"code": "renji", "name": "仁济医院", **overrides}

    def test_create_form_offers_calendars_with_default_empty(self, pm: Client) -> None:
        html = pm.get(reverse("customers:create")).content.decode()
        assert 'name="calendar_id"' in html
        assert "Default working calendar" in html
        assert "7x24" in html or Calendar.objects.get(slug=ALWAYS).name in html

    def test_create_with_calendar(self, pm: Client, always: Calendar) -> None:
        response = pm.post(reverse("customers:create"), self._customer_data(calendar_id=str(always.pk)))
        assert response.status_code == 302
        assert Customer.objects.get(code="renji").calendar_id == always.pk

    def test_create_with_empty_calendar_is_the_default(self, pm: Client) -> None:
        response = pm.post(reverse("customers:create"), self._customer_data(calendar_id=""))
        assert response.status_code == 302
        assert Customer.objects.get(code="renji").calendar_id is None

    def test_unknown_calendar_error_beside_the_field(self, pm: Client) -> None:
        data = self._customer_data(calendar_id=str(unknown_calendar_id()))
        response = pm.post(reverse("customers:create"), data)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-field="calendar_id"' in html and "invalid-feedback" in html
        assert not Customer.objects.filter(code="renji").exists()

    def test_edit_customer_and_site(self, pm: Client, always: Calendar) -> None:
        customer = CustomerFactory.create()
        site = SiteFactory.create(customer=customer)
        data = {"code": customer.code, "name": customer.name, "is_active": "on", "calendar_id": always.pk}
        assert pm.post(reverse("customers:edit", args=[customer.pk]), data).status_code == 302
        site_data = {
            "name": site.name,
            "distance_class": "local",
            "is_active": "on",
            "calendar_id": always.pk,
        }
        assert pm.post(reverse("customers:site_edit", args=[site.pk]), site_data).status_code == 302
        customer.refresh_from_db()
        site.refresh_from_db()
        assert customer.calendar_id == site.calendar_id == always.pk
        # The edit forms show the current choice.
        html = pm.get(reverse("customers:site_edit", args=[site.pk])).content.decode()
        assert f'<option value="{always.pk}" selected>' in html

    def test_new_site_with_calendar(self, pm: Client, always: Calendar) -> None:
        customer = CustomerFactory.create()
        data = {"name": "急诊楼", "distance_class": "local", "calendar_id": always.pk}
        assert pm.post(reverse("customers:site_create", args=[customer.pk]), data).status_code == 302
        assert Site.objects.get(customer=customer, name="急诊楼").calendar_id == always.pk

    def test_detail_shows_the_calendars(self, pm: Client, always: Calendar) -> None:
        customer = CustomerFactory.create()
        special = SiteFactory.create(customer=customer, calendar=always)
        plain = SiteFactory.create(customer=customer)
        html = pm.get(reverse("customers:detail", args=[customer.pk])).content.decode()
        assert "Default working calendar" in html
        assert always.name in html
        assert f'data-testid="site-calendar-{special.pk}">{always.name}<' in html
        assert "as the customer" in html.split(f'data-testid="site-calendar-{plain.pk}"')[1][:200]
        customer.calendar = Calendar.objects.get(slug=CN_WORKDAY)
        customer.save()
        html = pm.get(reverse("customers:detail", args=[customer.pk])).content.decode()
        assert customer.calendar.name in html.split('data-testid="customer-calendar"')[1][:300]

    def test_detail_query_count_does_not_grow_with_sites(
        self, pm: Client, always: Calendar, django_assert_max_num_queries: Any
    ) -> None:
        customer = CustomerFactory.create(calendar=always)
        for _n in range(5):
            SiteFactory.create(customer=customer, calendar=always)
        pm.get(reverse("customers:detail", args=[customer.pk]))
        with django_assert_max_num_queries(12):
            pm.get(reverse("customers:detail", args=[customer.pk]))


class TestApi:
    @pytest.fixture
    def client(self) -> Any:
        return api_client(("/customers", customers_router))

    @pytest.fixture
    def pm(self, pm_user: User) -> dict[str, Any]:
        return bearer(account_services.api_token_create(actor=pm_user, name="test")[1])

    def test_create_and_read(self, client: Any, pm: dict[str, Any], always: Calendar) -> None:
        body = {"code": "renji", "name": "仁济医院", "calendar_id": always.pk}
        response = client.post("/customers", json=body, **pm)
        assert response.status_code == 201
        assert response.json()["calendar_id"] == always.pk
        customer_id = response.json()["id"]
        assert client.get(f"/customers/{customer_id}", **pm).json()["calendar_id"] == always.pk
        plain = client.post("/customers", json={"code": "plain", "name": "x"}, **pm).json()
        assert plain["calendar_id"] is None

    def test_unknown_calendar_is_422(self, client: Any, pm: dict[str, Any]) -> None:
        body = {"code": "renji", "name": "仁济医院", "calendar_id": unknown_calendar_id()}
        response = client.post("/customers", json=body, **pm)
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_calendar"
        assert response.json()["field"] == "calendar_id"
        assert not Customer.objects.filter(code="renji").exists()

    def test_patch_semantics(self, client: Any, pm: dict[str, Any], always: Calendar) -> None:
        customer = CustomerFactory.create()
        url = f"/customers/{customer.pk}"
        assert client.patch(url, json={"calendar_id": always.pk}, **pm).json()["calendar_id"] == always.pk
        # Not sent: unchanged.
        assert client.patch(url, json={"name": "新名"}, **pm).json()["calendar_id"] == always.pk
        # Explicit null: back to the default calendar.
        assert client.patch(url, json={"calendar_id": None}, **pm).json()["calendar_id"] is None
        customer.refresh_from_db()
        assert customer.calendar_id is None

    def test_sites(self, client: Any, pm: dict[str, Any], always: Calendar) -> None:
        customer = CustomerFactory.create()
        url = f"/customers/{customer.pk}/sites"
        created = client.post(url, json={"name": "急诊楼", "calendar_id": always.pk}, **pm)
        assert created.status_code == 201
        assert created.json()["calendar_id"] == always.pk
        plain = client.post(url, json={"name": "门诊楼"}, **pm).json()
        assert plain["calendar_id"] is None
        listed = {s["name"]: s["calendar_id"] for s in client.get(url, **pm).json()}
        assert listed == {"急诊楼": always.pk, "门诊楼": None}
        bad = client.post(url, json={"name": "x", "calendar_id": unknown_calendar_id()}, **pm)
        assert bad.status_code == 422
        assert bad.json()["field"] == "calendar_id"
