"""The work-order API: the whole visit by JSON, errors as {"detail", "code", "field"}, scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.json_api import JsonApi
from weibao.accounts.tests.factories import staff_user
from weibao.customers.models import Customer
from weibao.customers.tests.factories import CustomerFactory, DeliveredSystemFactory, portal_user
from weibao.fieldservice.models import WorkOrder
from weibao.fieldservice.tests.test_services import jpeg, signature_data_url

pytestmark = pytest.mark.django_db


def test_a_remote_session_by_api(hospital: Customer, manager: Any, engineer: Any) -> None:
    system = DeliveredSystemFactory.create(
        customer=hospital, warranty_end=timezone.localdate() + timedelta(days=9)
    )
    start = timezone.now().replace(microsecond=0)
    planner, worker = JsonApi(manager), JsonApi(engineer)
    created = planner.post(
        "/work-orders",
        {
            "title": "远程排查 LIS 接口",
            "kind": "remote",
            "customer_id": hospital.pk,
            "system_id": system.pk,
            "planned_start": start.isoformat(),
            "planned_end": (start + timedelta(hours=1)).isoformat(),
            "engineer_ids": [engineer.pk],
            "checklist": ["检查接口服务"],
        },
    )
    assert created.status_code == 201, created.content
    order = created.json()
    assert order["service_type"] == "warranty" and order["status"] == "planned"
    order_id = order["id"]

    no_consent = worker.post(f"/work-orders/{order_id}/check-in", {})
    assert no_consent.status_code == 422 and no_consent.json()["field"] == "remote_consent_by"
    assert (
        worker.post(f"/work-orders/{order_id}/check-in", {"remote_consent_by": "信息科李科长"}).status_code
        == 200
    )
    item = order["checklist"][0]["id"]
    recorded = worker.post(
        f"/work-orders/{order_id}/record",
        {"work_done": "重启接口服务", "results": [{"item_id": item, "result": "ok"}], "parts": []},
    )
    assert recorded.json()["checklist"][0]["result"] == "ok"
    photo = worker.client.post(
        f"/api/v1/work-orders/{order_id}/photos",
        {"photo": _upload("a.jpg", jpeg()), "caption": "日志截图"},
        headers=worker.headers,
    )
    assert photo.status_code == 201, photo.content
    assert worker.post(f"/work-orders/{order_id}/check-out").json()["status"] == "completed"
    signed = worker.post(
        f"/work-orders/{order_id}/sign", {"signer_name": "李科长", "signature": signature_data_url()}
    )
    assert signed.json()["status"] == "signed"
    late = worker.post(f"/work-orders/{order_id}/record", {"work_done": "改写"})
    assert late.status_code == 409 and late.json()["code"] == "signed"
    assert worker.get(f"/work-orders/{order_id}/report").status_code == 404  # not produced yet (a task)

    page = planner.get("/work-orders", status="signed").json()
    assert [o["id"] for o in page["items"]] == [order_id]


def test_naive_times_and_unknown_fields_are_refused(hospital: Customer, manager: Any, engineer: Any) -> None:
    api = JsonApi(manager)
    body = {
        "title": "x",
        "customer_id": hospital.pk,
        "planned_start": "2026-12-01T09:00:00",
        "planned_end": "2026-12-01T10:00:00+08:00",
        "engineer_ids": [engineer.pk],
    }
    assert api.post("/work-orders", body).status_code == 422
    assert (
        api.post(
            "/work-orders", {**body, "planned_start": "2026-12-01T09:00:00+08:00", "colour": "red"}
        ).status_code
        == 422
    )
    assert not WorkOrder.objects.exists()


def test_scope_and_roles(hospital: Customer, manager: Any, engineer: Any) -> None:
    start = timezone.now()
    order_id = (
        JsonApi(manager)
        .post(
            "/work-orders",
            {
                "title": "巡检",
                "customer_id": hospital.pk,
                "planned_start": start.isoformat(),
                "planned_end": (start + timedelta(hours=1)).isoformat(),
                "engineer_ids": [engineer.pk],
            },
        )
        .json()["id"]
    )
    assert JsonApi(portal_user(customer=hospital)).get(f"/work-orders/{order_id}").status_code == 200
    assert (
        JsonApi(portal_user(customer=CustomerFactory.create())).get(f"/work-orders/{order_id}").status_code
        == 404
    )
    stranger = JsonApi(staff_user(role_codes=["support_engineer"]))
    assert stranger.post(f"/work-orders/{order_id}/check-in", {}).status_code == 403
    assert JsonApi(engineer).post("/work-orders", {"title": "x"}).status_code in (403, 422)


def _upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/jpeg")
