"""The maintenance-plan API: draft -> routine -> approve -> activate, occurrences, adjustments, feeds."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.json_api import JsonApi
from weibao.accounts.tests.factories import staff_user
from weibao.customers.models import Customer
from weibao.maintenance import services

pytestmark = pytest.mark.django_db


def test_a_plan_by_api(hospital: Customer, manager: Any, engineer: Any) -> None:
    api = JsonApi(manager)
    created = api.post(
        "/maintenance-plans",
        {
            "customer_id": hospital.pk,
            "year": 2026,
            "title": "年度计划",
            "responsible_id": manager.pk,
            "budget": "5000",
        },
    )
    assert created.status_code == 201, created.content
    plan_id = created.json()["id"]
    bad = api.post(
        f"/maintenance-plans/{plan_id}/routines",
        {"kind": "custom", "title": "x", "assignee_ids": [engineer.pk], "rrule": "FREQ=NEVER"},
    )
    assert bad.status_code == 422 and bad.json()["field"] == "rrule"
    routine = api.post(
        f"/maintenance-plans/{plan_id}/routines",
        {"kind": "call", "title": "回访", "assignee_ids": [engineer.pk], "rrule": "FREQ=WEEKLY;BYDAY=MO"},
    )
    assert routine.status_code == 201 and routine.json()["routines"][0]["rrule"] == "FREQ=WEEKLY;BYDAY=MO"
    assert api.post(f"/maintenance-plans/{plan_id}/activate").status_code == 409  # not approved yet
    assert api.post(f"/maintenance-plans/{plan_id}/approve").json()["status"] == "approved"
    assert api.post(f"/maintenance-plans/{plan_id}/activate").json()["status"] == "active"
    services.plans_generate(plan_ids=[plan_id], horizon_days=30)
    occurrences = api.get(f"/maintenance-plans/{plan_id}/occurrences").json()
    assert occurrences and all(o["status"] == "scheduled" for o in occurrences)
    done = JsonApi(engineer).post(f"/occurrences/{occurrences[0]['id']}/done", {"outcome": "运行正常"})
    assert done.status_code == 200 and done.json()["status"] == "done"

    adjustment = api.post(
        f"/maintenance-plans/{plan_id}/adjustments", {"changes": {"budget": "8000"}, "reason": "扩容"}
    )
    assert adjustment.status_code == 201
    decided = api.post(f"/plan-adjustments/{adjustment.json()['id']}/decide", {"approve": True})
    assert decided.json()["status"] == "approved"
    assert api.get(f"/maintenance-plans/{plan_id}").json()["budget"] == "8000.00"
    report = api.get(f"/maintenance-plans/{plan_id}/report").json()
    assert report["done"] == 1


def test_feeds_by_api(engineer: Any) -> None:
    api = JsonApi(engineer)
    created = api.post("/calendar-feeds", {})
    assert created.status_code == 201
    url = created.json()["url"]
    assert Client().get(url.replace("http://testserver", "")).status_code == 200
    assert [f["id"] for f in api.get("/calendar-feeds").json()] == [created.json()["id"]]
    api.post(f"/calendar-feeds/{created.json()['id']}/revoke")
    assert Client().get(url.replace("http://testserver", "")).status_code == 404
    assert JsonApi(staff_user(role_codes=["agent"])).get("/maintenance-plans").status_code == 200
