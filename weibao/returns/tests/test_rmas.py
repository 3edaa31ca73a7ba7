"""Returns and exchanges (RMA-1): a request linked to ticket, item and supplier, its analysis (root
cause, responsibility), the status flow with its timeline, the outcome; pages, API, permissions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from tests.json_api import JsonApi
from weibao.accounts.tests.conftest import _english  # noqa: F401
from weibao.accounts.tests.factories import staff_user
from weibao.assets.services import item_create, supplier_create
from weibao.core.errors import Conflict, PermissionDenied, ValidationFailed
from weibao.customers.tests.factories import CustomerFactory
from weibao.returns.choices import RmaStatus
from weibao.returns.models import Rma
from weibao.returns.services import rma_analyse, rma_create, rma_transition
from weibao.tickets.tests.factories import Cast, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager() -> Any:
    return staff_user(role_codes=["service_manager"])


@pytest.fixture
def agent() -> Any:
    return staff_user(role_codes=["agent"])


@pytest.fixture
def printer(manager: Any) -> Any:
    customer = CustomerFactory.create(name="示范医院")
    vendor = supplier_create(actor=manager, name="爱普生")
    return item_create(
        actor=manager, customer_id=customer.pk,
        values={"kind": "terminal", "code": "PRN-1", "name": "票据打印机", "supplier_id": vendor.pk},
    )  # fmt: skip


def test_a_return_runs_from_request_to_an_exchange(manager: Any, agent: Any, printer: Any) -> None:
    rma = rma_create(
        actor=agent, customer_id=printer.customer_id, item_id=printer.pk, reason="打印头反复卡纸"
    )
    assert (
        rma.label.startswith("RMA-") and rma.goods == "PRN-1 票据打印机" and rma.supplier == printer.supplier
    )
    with pytest.raises(PermissionDenied):
        rma_transition(actor=agent, rma_id=rma.pk, action="approve")
    rma_transition(actor=manager, rma_id=rma.pk, action="approve", version=1)
    with pytest.raises(Conflict) as stale:
        rma_analyse(actor=manager, rma_id=rma.pk, changes={"root_cause": "x"}, version=1)
    assert stale.value.code == "stale_version"
    rma_analyse(
        actor=manager, rma_id=rma.pk, version=2,
        changes={
            "root_cause": "打印头批次缺陷",
            "responsible_department": "供应商",
            "responsible_person": "李经理",
        },
    )  # fmt: skip
    rma_transition(actor=manager, rma_id=rma.pk, action="send", shipping_reference="SF1234567")
    with pytest.raises(Conflict):
        rma_transition(actor=manager, rma_id=rma.pk, action="close", outcome="exchange")
    rma_transition(actor=manager, rma_id=rma.pk, action="receive")
    with pytest.raises(ValidationFailed) as no_outcome:
        rma_transition(actor=manager, rma_id=rma.pk, action="close")
    assert no_outcome.value.field == "outcome"
    closed = rma_transition(actor=manager, rma_id=rma.pk, action="close", outcome="exchange", note="换新机")
    assert closed.status == RmaStatus.CLOSED and closed.outcome == "exchange"
    assert [e.to_status for e in closed.events.all()] == [
        "requested", "approved", "approved", "sent", "received", "closed",
    ]  # fmt: skip


def test_refunds_need_an_amount_rejections_a_reason_and_links_the_customer(
    manager: Any, agent: Any, printer: Any
) -> None:
    rma = rma_create(
        actor=agent, customer_id=printer.customer_id, goods="色带 ×10", quantity=10, reason="型号不符"
    )
    with pytest.raises(ValidationFailed):
        rma_transition(actor=manager, rma_id=rma.pk, action="reject")
    rma_transition(actor=manager, rma_id=rma.pk, action="approve")
    with pytest.raises(ValidationFailed) as amount:
        rma_transition(actor=manager, rma_id=rma.pk, action="close", outcome="refund")
    assert amount.value.field == "refund_amount"
    refunded = rma_transition(
        actor=manager, rma_id=rma.pk, action="close", outcome="refund", refund_amount="350"
    )
    assert refunded.refund_amount == Decimal("350.00")
    other = CustomerFactory.create()
    with pytest.raises(ValidationFailed):
        rma_create(actor=agent, customer_id=other.pk, item_id=printer.pk, reason="x")
    with pytest.raises(IntegrityError):
        Rma.objects.filter(pk=rma.pk).update(outcome="")


def test_returns_on_the_pages_from_a_ticket_and_on_the_items_history(manager: Any, printer: Any) -> None:
    cast = Cast()
    ticket = make_ticket(customer=printer.customer, cast=cast)
    ticket.items.add(printer)
    client = Client()
    client.force_login(manager)
    form = client.get(reverse("returns:create"), {"ticket": ticket.number}).content.decode()
    assert 'data-testid="rma-form"' in form and "PRN-1" in form
    created = client.post(
        reverse("returns:create") + f"?ticket={ticket.number}",
        {
            "ticket": ticket.number,
            "customer": printer.customer_id,
            "item": printer.pk,
            "quantity": 1,
            "reason": "卡纸",
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    rma = Rma.objects.get()
    assert rma.ticket == ticket
    bad = client.post(reverse("returns:action", args=[rma.number, "reject"]), {"version": rma.version})
    assert bad.status_code == 400 and 'data-testid="error-note"' in bad.content.decode()
    assert client.post(reverse("returns:action", args=[rma.number, "approve"]), {}).status_code == 302
    page = client.get(reverse("returns:detail", args=[rma.number])).content.decode()
    assert "Approved" in page and 'data-testid="action-send"' in page
    history = client.get(reverse("assets:detail", args=[printer.pk])).content.decode()
    assert rma.label in history
    assert "RMA" in client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()


def test_the_api_and_who_may_do_what(manager: Any, agent: Any, printer: Any) -> None:
    created = JsonApi(agent).post(
        "/rmas", {"customer_id": printer.customer_id, "item_id": printer.pk, "reason": "坏"}
    )
    assert created.status_code == 201
    rma_id = created.json()["id"]
    assert JsonApi(agent).post(f"/rmas/{rma_id}/approve", {}).status_code == 403
    api = JsonApi(manager)
    assert api.post(f"/rmas/{rma_id}/approve", {}).json()["status"] == "approved"
    assert api.post(f"/rmas/{rma_id}/receive", {}).status_code == 409
    patched = api.send("patch", f"/rmas/{rma_id}", {"root_cause": "运输损坏", "version": 2})
    assert patched.status_code == 200 and patched.json()["root_cause"] == "运输损坏"
    assert len(api.get(f"/rmas/{rma_id}/events").json()) == 3
    assert api.get("/rmas", item_id=printer.pk).json()[0]["id"] == rma_id
    for role, may in [
        ("finance", False),
        ("support_engineer", False),
        ("project_manager", True),
        ("admin", True),
    ]:
        client = JsonApi(staff_user(role_codes=[role]))
        assert client.get("/rmas").status_code == 200
        assert (
            client.send("patch", f"/rmas/{rma_id}", {"responsible_person": role}).status_code == 200
        ) is may
    assert JsonApi(staff_user(role_codes=[])).get("/rmas").status_code == 403


def test_demo_returns_load_once() -> None:
    import io

    from django.core.management import call_command

    call_command("load_demo_data", stdout=io.StringIO())
    call_command("load_demo_items", stdout=io.StringIO())
    call_command("load_demo_returns", stdout=io.StringIO())
    again = io.StringIO()
    call_command("load_demo_returns", stdout=again)
    assert "0 created" in again.getvalue()
    assert Rma.objects.get().status == RmaStatus.SENT
