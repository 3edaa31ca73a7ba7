"""The installed base across apps (issue 6): a call names items and shows who pays, the visit
planned from it inherits them, and the item's history shows both (AST-1, AST-2)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.json_api import JsonApi
from weibao.accounts.tests.conftest import _english  # noqa: F401
from weibao.accounts.tests.factories import staff_user
from weibao.assets.models import ConfigurationItem
from weibao.assets.services import item_create
from weibao.customers.tests.factories import ContactFactory, CustomerFactory, DeliveredSystemFactory
from weibao.fieldservice.models import WorkOrder
from weibao.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager() -> Any:
    return staff_user(role_codes=["project_manager"])


@pytest.fixture
def customer() -> Any:
    customer = CustomerFactory.create(name="市第一人民医院")
    DeliveredSystemFactory.create(customer=customer, name="HIS")
    return customer


def item(manager: Any, customer: Any, code: str, **values: Any) -> ConfigurationItem:
    return item_create(
        actor=manager,
        customer_id=customer.pk,
        values={"kind": "server", "code": code, "name": code, **values},
    )


def test_a_call_names_items_sees_who_pays_and_the_visit_inherits_them(manager: Any, customer: Any) -> None:
    server = item(
        manager, customer, "SRV-01", warranty_end=(timezone.localdate() + timedelta(days=30)).isoformat()
    )
    agent = staff_user(role_codes=["agent", "project_manager"])
    client = login(agent)
    preview = client.get(reverse("tickets:log_call_options"), {"customer": customer.pk, "items": [server.pk]})
    assert 'data-service-type="warranty"' in preview.content.decode()
    contact = ContactFactory.create(customer=customer)
    response = client.post(
        reverse("tickets:log_call"),
        {
            "channel": "phone", "customer": customer.pk, "contact": contact.pk, "items": [server.pk],
            "title": "服务器宕机", "urgency": 2, "impact": 2,
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = Ticket.objects.get()
    assert list(ticket.items.all()) == [server]
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert 'data-testid="ticket-items"' in page and "SRV-01" in page

    api = JsonApi(agent)
    assert api.get(f"/tickets/{ticket.pk}/items").json()["entitlement"]["service_type"] == "warranty"

    engineer = staff_user(role_codes=["support_engineer"])
    start = timezone.localtime().replace(microsecond=0) + timedelta(days=1)
    planned = client.post(
        reverse("fieldservice:create") + f"?ticket={ticket.number}",
        {
            "ticket": ticket.number, "kind": "onsite", "title": "上门", "engineers": [engineer.pk],
            "planned_start": start.strftime("%Y-%m-%dT%H:%M"),
            "planned_end": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )  # fmt: skip
    assert planned.status_code == 302, planned.content.decode()[:3000]
    order = WorkOrder.objects.get()
    assert list(order.items.all()) == [server] and order.service_type == "warranty"
    history = client.get(reverse("assets:detail", args=[server.pk])).content.decode()
    assert f"#{ticket.number}" in history and order.label in history
    assert {e["kind"] for e in api.get(f"/items/{server.pk}/history").json()} == {"ticket", "visit"}

    bad = client.post(
        reverse("fieldservice:create") + f"?ticket={ticket.number}",
        {
            "ticket": ticket.number, "kind": "onsite", "title": "x", "engineers": [engineer.pk],
            "items": "NOPE",
            "planned_start": start.strftime("%Y-%m-%dT%H:%M"),
            "planned_end": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )  # fmt: skip
    assert bad.status_code == 400 and "NOPE" in bad.content.decode()
