"""Work-order pages with the Django test client: planning from a ticket, the engineer's visit through
the forms (check in with a location, record, photo, check out, signature), scope and refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from weibao.accounts.tests.factories import staff_user
from weibao.customers.models import Customer
from weibao.customers.tests.factories import CustomerFactory, portal_user
from weibao.fieldservice.choices import OrderStatus
from weibao.fieldservice.models import WorkOrder
from weibao.fieldservice.tests.test_services import (
    jpeg,
    order_for_ticket,
    signature_data_url,
)

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_agent_plans_a_visit_from_the_ticket(hospital: Customer, manager: Any, engineer: Any) -> None:
    order = order_for_ticket(hospital, manager, engineer)
    ticket = order.ticket
    assert ticket is not None
    client = login(manager)
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert 'data-testid="plan-visit"' in page and order.label in page

    form = client.get(reverse("fieldservice:create"), {"ticket": ticket.number}).content.decode()
    assert 'name="customer"' not in form  # the ticket's customer
    response = client.post(
        reverse("fieldservice:create"),
        {
            "ticket": ticket.number,
            "kind": "onsite",
            "title": "复查打印机",
            "planned_start": "2026-12-01T09:00",
            "planned_end": "2026-12-01T11:00",
            "engineers": [engineer.pk],
            "checklist": "打印测试页\n清洁进纸器",
        },
    )
    assert response.status_code == 302
    second = WorkOrder.objects.exclude(pk=order.pk).get()
    assert second.ticket == ticket and [i.label for i in second.checklist.all()] == [
        "打印测试页",
        "清洁进纸器",
    ]


def test_a_plan_without_engineers_is_refused_beside_the_field(hospital: Customer, manager: Any) -> None:
    response = login(manager).post(
        reverse("fieldservice:create"),
        {"kind": "onsite", "title": "x", "customer": hospital.pk, "planned_start": "2026-12-01T09:00",
         "planned_end": "2026-12-01T10:00"},
    )  # fmt: skip
    assert response.status_code == 400 and 'data-testid="error-engineers"' in response.content.decode()


def test_the_engineer_does_the_visit_through_the_pages(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    order = order_for_ticket(hospital, manager, engineer)
    client = login(engineer)
    today = client.get(reverse("fieldservice:today")).content.decode()
    assert order.label in today

    detail = client.get(reverse("fieldservice:detail", args=[order.number])).content.decode()
    assert 'data-testid="check-in"' in detail
    action = lambda name: reverse("fieldservice:action", args=[order.number, name])  # noqa: E731
    assert (
        client.post(
            action("check-in"), {"latitude": "30.5", "longitude": "117.04", "accuracy_m": "15"}
        ).status_code
        == 302
    )

    items = list(order.checklist.all())
    record = {"work_done": "重装驱动", "parts": "硒鼓, 1, TN-2260", **{f"result_{i.pk}": "ok" for i in items}}
    assert client.post(action("record"), record).status_code == 302
    upload = {"photo": _file("现场.jpg", jpeg()), "caption": "更换后"}
    assert client.post(action("photo"), upload).status_code == 302
    assert client.post(action("check-out"), record).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED and order.parts.get().serial == "TN-2260"

    sign_page = client.get(reverse("fieldservice:sign", args=[order.number])).content.decode()
    assert 'data-testid="signature-canvas"' in sign_page
    empty = client.post(
        reverse("fieldservice:sign", args=[order.number]), {"signer_name": "张主任", "signature": ""}
    )
    assert empty.status_code == 422 and 'data-testid="error-signature"' in empty.content.decode()
    signed = client.post(
        reverse("fieldservice:sign", args=[order.number]),
        {"signer_name": "张主任", "signature": signature_data_url()},
    )
    assert signed.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.SIGNED

    # Signed: the work form is gone and a late change is refused with the reason.
    detail = client.get(reverse("fieldservice:detail", args=[order.number])).content.decode()
    assert 'data-testid="record-form"' not in detail and 'data-testid="signed-by"' in detail
    late = client.post(action("record"), {"work_done": "改写"}, follow=True)
    assert "annotation" in late.content.decode()
    order.refresh_from_db()
    assert order.work_done == "重装驱动"


def test_a_bad_part_line_is_refused_beside_the_field(hospital: Customer, manager: Any, engineer: Any) -> None:
    order = order_for_ticket(hospital, manager, engineer)
    client = login(engineer)
    client.post(reverse("fieldservice:action", args=[order.number, "check-in"]), {})
    response = client.post(
        reverse("fieldservice:action", args=[order.number, "record"]), {"parts": "硒鼓, 两个"}
    )
    assert response.status_code == 400 and 'data-testid="error-parts"' in response.content.decode()


def test_who_sees_what(hospital: Customer, manager: Any, engineer: Any) -> None:
    order = order_for_ticket(hospital, manager, engineer)
    own = login(portal_user(customer=hospital))
    page = own.get(reverse("fieldservice:detail", args=[order.number]))
    assert page.status_code == 200 and 'data-testid="check-in"' not in page.content.decode()
    assert own.post(reverse("fieldservice:action", args=[order.number, "check-in"]), {}).status_code == 403

    stranger = login(portal_user(customer=CustomerFactory.create()))
    assert stranger.get(reverse("fieldservice:detail", args=[order.number])).status_code == 404

    colleague = login(staff_user(role_codes=["support_engineer"]))
    assert (
        colleague.post(reverse("fieldservice:action", args=[order.number, "check-in"]), {}).status_code == 403
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PLANNED


def _file(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_the_customer_accepts_a_quote_on_the_portal(hospital: Customer, manager: Any, engineer: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from weibao.customers.tests.factories import DeliveredSystemFactory
    from weibao.fieldservice import services
    from weibao.fieldservice.choices import FeeStatus

    expired = DeliveredSystemFactory.create(
        customer=hospital, warranty_end=timezone.localdate() - timedelta(days=3)
    )
    start = timezone.now() + timedelta(days=1)
    order = services.work_order_create(
        actor=manager,
        plan=services.OrderPlan(
            title="过保维修",
            customer_id=hospital.pk,
            system_id=expired.pk,
            planned_start=start,
            planned_end=start + timedelta(hours=1),
            engineer_ids=[engineer.pk],
        ),
    )
    services.work_order_set_charges(
        actor=manager,
        order_id=order.pk,
        lines=[services.ChargeInput(description="上门服务费", unit_price=300)],
    )
    customer = login(portal_user(customer=hospital, display_name="李科长"))
    page = customer.get(reverse("fieldservice:detail", args=[order.number])).content.decode()
    assert 'data-testid="quote-form"' in page and 'data-testid="check-in"' not in page
    response = customer.post(
        reverse("fieldservice:action", args=[order.number, "accept-quote"]), {"accepted_by": "李科长"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.fee_status == FeeStatus.ACCEPTED and order.quote_accepted_by == "李科长"

    stranger = login(portal_user(customer=CustomerFactory.create()))
    assert (
        stranger.post(
            reverse("fieldservice:action", args=[order.number, "accept-quote"]), {"accepted_by": "x"}
        ).status_code
        == 404
    )
