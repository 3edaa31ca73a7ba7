"""Maintenance-plan pages and the iCalendar feeds."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from weibao.accounts.tests.factories import staff_user
from weibao.customers.models import Customer
from weibao.customers.tests.factories import CustomerFactory, portal_user
from weibao.maintenance import services
from weibao.maintenance.choices import PlanStatus, RoutineKind
from weibao.maintenance.ical import escape, fold
from weibao.maintenance.models import MaintenancePlan, Occurrence

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_plan_from_draft_to_scheduled_through_the_pages(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    client = login(manager)
    response = client.post(
        reverse("maintenance:create"),
        {
            "customer": hospital.pk,
            "year": timezone.localdate().year,
            "title": "年度维保计划",
            "responsible": manager.pk,
            "budget": "80000",
        },
    )
    assert response.status_code == 302
    plan = MaintenancePlan.objects.get()
    routine = {
        "kind": RoutineKind.INSPECTION,
        "title": "月度巡检",
        "rrule": "FREQ=WEEKLY;BYDAY=MO,TH",
        "assignees": [engineer.pk],
        "time_of_day": "09:00",
        "duration_minutes": 120,
        "remind_days_before": 3,
        "checklist": "检查服务器\n检查备份",
    }
    bad = client.post(reverse("maintenance:routine_add", args=[plan.pk]), {**routine, "rrule": "FREQ=NEVER"})
    assert bad.status_code == 422 and 'data-testid="error-rrule"' in bad.content.decode()
    assert client.post(reverse("maintenance:routine_add", args=[plan.pk]), routine).status_code == 302
    client.post(reverse("maintenance:transition", args=[plan.pk, "approve"]))
    client.post(reverse("maintenance:transition", args=[plan.pk, "activate"]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE

    services.plans_generate(plan_ids=[plan.pk], horizon_days=70)
    page = client.get(reverse("maintenance:detail", args=[plan.pk])).content.decode()
    assert page.count('data-testid="occurrence"') >= 2 and 'data-testid="execution-report"' in page

    occurrence = Occurrence.objects.filter(plan=plan).order_by("due_on").first()
    assert occurrence is not None
    target = occurrence.due_on + timedelta(days=1)
    while target.weekday() >= 5:
        target += timedelta(days=1)
    client.post(
        reverse("maintenance:occurrence_reschedule", args=[plan.pk, occurrence.pk]),
        {"to_date": target.isoformat(), "reason": "客户要求"},
    )
    occurrence.refresh_from_db()
    assert occurrence.due_on == target or occurrence.changes.count() == 0  # a holiday would be refused


def test_adjustments_through_the_pages(hospital: Customer, manager: Any, engineer: Any) -> None:
    planner = staff_user(role_codes=["project_manager"])
    plan = services.plan_create(
        actor=planner,
        fields=services.PlanFields(
            customer_id=hospital.pk, year=2026, title="计划", responsible_id=planner.pk, budget=1000
        ),
    )
    services.routine_add(
        actor=planner,
        plan_id=plan.pk,
        fields=services.RoutineFields(kind=RoutineKind.CALL, title="回访", assignee_ids=[engineer.pk]),
    )
    services.plan_approve(actor=manager, plan_id=plan.pk)
    response = login(planner).post(
        reverse("maintenance:adjustment_request", args=[plan.pk]), {"budget": "2000", "reason": "扩容"}
    )
    assert response.status_code == 302
    adjustment = plan.adjustments.get()
    assert (
        login(planner)
        .post(reverse("maintenance:adjustment_decide", args=[plan.pk, adjustment.pk, "approve"]))
        .status_code
        == 403
    )
    login(manager).post(
        reverse("maintenance:adjustment_decide", args=[plan.pk, adjustment.pk, "approve"]), {"note": "同意"}
    )
    plan.refresh_from_db()
    assert str(plan.budget) == "2000.00"


def test_portal_users_see_only_their_plans(hospital: Customer, manager: Any, engineer: Any) -> None:
    plan = services.plan_create(
        actor=manager,
        fields=services.PlanFields(
            customer_id=hospital.pk, year=2026, title="计划", responsible_id=manager.pk
        ),
    )
    assert (
        login(portal_user(customer=hospital)).get(reverse("maintenance:detail", args=[plan.pk])).status_code
        == 200
    )
    stranger = login(portal_user(customer=CustomerFactory.create()))
    assert stranger.get(reverse("maintenance:detail", args=[plan.pk])).status_code == 404


def test_an_engineers_calendar_feed(hospital: Customer, manager: Any, engineer: Any) -> None:
    plan = services.plan_create(
        actor=manager,
        fields=services.PlanFields(
            customer_id=hospital.pk, year=timezone.localdate().year, title="计划", responsible_id=manager.pk
        ),
    )
    for kind, title in ((RoutineKind.INSPECTION, "月度巡检"), (RoutineKind.CALL, "用户回访")):
        services.routine_add(
            actor=manager,
            plan_id=plan.pk,
            fields=services.RoutineFields(
                kind=kind, title=title, assignee_ids=[engineer.pk], rrule="FREQ=WEEKLY;BYDAY=MO,WE"
            ),
        )
    services.plan_approve(actor=manager, plan_id=plan.pk)
    services.plan_activate(actor=manager, plan_id=plan.pk)
    services.plans_generate(plan_ids=[plan.pk], horizon_days=20)

    page = login(engineer).post(reverse("maintenance:feeds"))
    url = re.search(r"http://testserver(/calendar/cal_[\w-]+\.ics)", page.content.decode())
    assert url is not None
    feed = Client().get(url.group(1))  # no sign-in: the token is the secret
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    text = feed.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "UID:wo-" in text and "SUMMARY:用户回访" in text.replace("\r\n ", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "DTSTART;VALUE=DATE:" in text and re.search(r"DTSTART:\d{8}T\d{6}Z", text)

    feed_row = engineer.calendar_feeds.get()
    login(engineer).post(reverse("maintenance:feed_revoke", args=[feed_row.pk]))
    assert Client().get(url.group(1)).status_code == 404


def test_a_customer_feed_is_for_its_own_portal_users(hospital: Customer, manager: Any) -> None:
    other = CustomerFactory.create()
    user = portal_user(customer=hospital)
    with pytest.raises(Exception):  # noqa: B017, PT011 - NotFound: a foreign customer is unknown to them
        services.feed_create(actor=user, customer_id=other.pk)
    feed, raw = services.feed_create(actor=user, customer_id=hospital.pk)
    assert feed.customer == hospital and raw.startswith("cal_")
    assert Client().get(f"/calendar/{raw}.ics").status_code == 200
    assert Client().get("/calendar/cal_unknown.ics").status_code == 404


def test_ical_text_escaping_and_folding() -> None:
    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "维护" * 40
    folded = fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    assert date(2026, 1, 1)  # the module's dates are plain calendar dates
