"""Customer pages: permissions, list filters and query count, forms with errors beside fields."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from weibao.accounts.models import User
from weibao.accounts.tests.factories import UserFactory, staff_user
from weibao.customers.models import Contact, Customer, DeliveredSystem, Site
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


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pm() -> Client:
    return signed_in(staff_user(role_codes=["project_manager"], username="pm"))


@pytest.fixture
def agent() -> Client:
    return signed_in(staff_user(role_codes=["agent"], username="agent"))


class TestAccess:
    def test_anonymous_redirected(self, client: Client) -> None:
        response = client.get(reverse("customers:list"))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    def test_view_without_customer_view_is_403(self) -> None:
        client = signed_in(staff_user(role_codes=[]))
        assert client.get(reverse("customers:list")).status_code == 403

    def test_portal_user_is_403(self) -> None:
        customer = CustomerFactory.create()
        client = signed_in(portal_user(customer=customer))
        assert client.get(reverse("customers:list")).status_code == 403
        assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 403

    def test_agent_reads_but_cannot_change(self, agent: Client) -> None:
        customer = CustomerFactory.create()
        assert agent.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
        assert agent.get(reverse("customers:edit", args=[customer.pk])).status_code == 403
        response = agent.post(reverse("customers:create"), {"code": "x", "name": "x"})
        assert response.status_code == 403
        assert Customer.objects.count() == 1

    def test_unknown_customer_404(self, agent: Client) -> None:
        assert agent.get(reverse("customers:detail", args=[999999])).status_code == 404


class TestList:
    def test_search_region_and_pagination(self, agent: Client) -> None:
        for i in range(30):
            CustomerFactory.create(name=f"医院{i:02d}", region="上海" if i % 2 else "北京")
        response = agent.get(reverse("customers:list"))
        assert response.status_code == 200
        page = response.context["page"]
        assert page.paginator.count == 30
        assert len(page.object_list) == 25
        response = agent.get(reverse("customers:list"), {"region": "北京", "page": "1"})
        assert response.context["page"].paginator.count == 15
        response = agent.get(reverse("customers:list"), {"q": "医院07"})
        assert [c.name for c in response.context["page"].object_list] == ["医院07"]

    def test_query_count(self, agent: Client, django_assert_max_num_queries: Any) -> None:
        for _ in range(25):
            customer = CustomerFactory.create()
            SiteFactory.create(customer=customer)
            ContactFactory.create(customer=customer)
            DeliveredSystemFactory.create(customer=customer)
        # session + user + roles + regions + count + page (+ savepoints / messages)
        with django_assert_max_num_queries(10):
            response = agent.get(reverse("customers:list"))
        assert len(response.context["page"].object_list) == 25


class TestDetail:
    def test_shows_everything(self, agent: Client, django_assert_max_num_queries: Any) -> None:
        customer = CustomerFactory.create(name="仁济医院")
        site = SiteFactory.create(customer=customer, name="东院")
        system = DeliveredSystemFactory.create(customer=customer, site=site, name="HIS")
        SystemModuleFactory.create(system=system, name="门诊挂号")
        portal_user(customer=customer, username="renji.portal")
        with django_assert_max_num_queries(12):
            response = agent.get(reverse("customers:detail", args=[customer.pk]))
        content = response.content.decode()
        for text in ("仁济医院", "东院", "HIS", "门诊挂号", "renji.portal"):
            assert text in content


class TestForms:
    def test_create_customer(self, pm: Client) -> None:
        response = pm.post(
            reverse("customers:create"), {"code": "renji", "name": "仁济医院", "region": "上海"}
        )
        customer = Customer.objects.get(code="renji")
        assert response.status_code == 302
        assert response["Location"] == reverse("customers:detail", args=[customer.pk])

    def test_service_error_beside_field(self, pm: Client) -> None:
        CustomerFactory.create(code="renji")
        response = pm.post(reverse("customers:create"), {"code": "RENJI", "name": "仁济医院"})
        assert response.status_code == 200
        assert response.context["form"].errors["code"]
        assert b"is-invalid" in response.content
        assert Customer.objects.count() == 1

    def test_edit_customer(self, pm: Client) -> None:
        customer = CustomerFactory.create(code="a")
        assert pm.get(reverse("customers:edit", args=[customer.pk])).status_code == 200
        response = pm.post(
            reverse("customers:edit", args=[customer.pk]),
            {"code": "a", "name": "新名字", "email_domains": "a.example.cn", "is_active": "on"},
        )
        assert response.status_code == 302
        customer.refresh_from_db()
        assert (customer.name, customer.email_domains) == ("新名字", "a.example.cn")

    def test_sites(self, pm: Client) -> None:
        customer = CustomerFactory.create()
        url = reverse("customers:site_create", args=[customer.pk])
        assert pm.get(url).status_code == 200
        response = pm.post(url, {"name": "西院", "distance_class": "remote", "is_active": "on"})
        assert response.status_code == 302
        site = Site.objects.get()
        response = pm.post(url, {"name": "西院", "distance_class": "local"})
        assert response.context["form"].errors["name"]
        edit = reverse("customers:site_edit", args=[site.pk])
        assert pm.get(edit).status_code == 200
        pm.post(edit, {"name": "西院", "distance_class": "within_200km"})
        site.refresh_from_db()
        assert (site.distance_class, site.is_active) == ("within_200km", False)

    def test_contact_with_portal_login(self, pm: Client) -> None:
        customer = CustomerFactory.create()
        url = reverse("customers:contact_create", args=[customer.pk])
        assert pm.get(url).status_code == 200
        response = pm.post(
            url, {"name": "王主任", "create_login": "on", "portal_username": "", "is_active": "on"}
        )
        assert response.context["form"].errors["portal_username"]
        response = pm.post(
            url,
            {"name": "王主任", "create_login": "on", "portal_username": "wang", "portal_password": "123"},
        )
        assert response.context["form"].errors["portal_password"]
        assert not Contact.objects.exists()
        response = pm.post(
            url,
            {"name": "王主任", "create_login": "on", "portal_username": "wang", "portal_password": STRONG},
        )
        assert response.status_code == 302
        contact = Contact.objects.get()
        assert contact.user is not None
        assert contact.user.username == "wang"

    def test_contact_edit_link_and_unlink(self, pm: Client) -> None:
        contact = ContactFactory.create()
        loose = UserFactory.create(kind="customer", username="loose")
        url = reverse("customers:contact_edit", args=[contact.pk])
        response = pm.get(url)
        assert b"loose" in response.content
        pm.post(url, {"name": contact.name, "link_user": loose.pk, "is_active": "on"})
        contact.refresh_from_db()
        assert contact.user == loose
        assert pm.get(url).status_code == 200
        pm.post(url, {"name": contact.name, "unlink_user": "on", "is_active": "on"})
        contact.refresh_from_db()
        assert contact.user is None

    def test_contact_site_from_other_customer_is_not_offered(self, pm: Client) -> None:
        customer = CustomerFactory.create()
        foreign = SiteFactory.create()
        response = pm.post(
            reverse("customers:contact_create", args=[customer.pk]), {"name": "x", "site": foreign.pk}
        )
        assert response.context["form"].errors["site"]
        assert not Contact.objects.exists()

    def test_system_with_modules(self, pm: Client) -> None:
        customer = CustomerFactory.create()
        site = SiteFactory.create(customer=customer)
        manager = staff_user(role_codes=["project_manager"])
        url = reverse("customers:system_create", args=[customer.pk])
        assert pm.get(url).status_code == 200
        data = {
            "name": "HIS",
            "version": "5.0",
            "site": site.pk,
            "project_manager": manager.pk,
            "go_live_date": "2024-01-01",
            "warranty_end": "2027-01-01",
            "is_active": "on",
            "modules-TOTAL_FORMS": "3",
            "modules-INITIAL_FORMS": "0",
            "modules-0-name": "门诊挂号",
            "modules-0-version": "5.0.1",
            "modules-1-name": "住院",
            "modules-2-name": "",
        }
        response = pm.post(url, data)
        assert response.status_code == 302
        system = DeliveredSystem.objects.get()
        assert sorted(m.name for m in system.modules.all()) == ["住院", "门诊挂号"]
        edit = reverse("customers:system_edit", args=[system.pk])
        assert "门诊挂号".encode() in pm.get(edit).content
        data.update({"modules-INITIAL_FORMS": "2", "modules-0-DELETE": "on", "warranty_end": "2023-01-01"})
        response = pm.post(edit, data)
        assert response.context["form"].errors["warranty_end"]
        data["warranty_end"] = "2028-01-01"
        response = pm.post(edit, data)
        assert response.status_code == 302
        assert [m.name for m in system.modules.filter(is_active=True)] == ["住院"]


def test_date_inputs_render_iso_in_chinese(pm: Client) -> None:
    """``<input type=date>`` needs YYYY-MM-DD whatever the active locale's date format is."""
    system = DeliveredSystemFactory.create(go_live_date="2024-01-31")
    response = pm.get(reverse("customers:system_edit", args=[system.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert 'value="2024-01-31"' in response.content.decode()


def test_create_forms_have_no_active_switch(pm: Client) -> None:
    customer = CustomerFactory.create()
    for name in ("site_create", "contact_create", "system_create"):
        form = pm.get(reverse(f"customers:{name}", args=[customer.pk])).context["form"]
        assert "is_active" not in form.fields
