"""The demo maintenance plan ``make run`` loads."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from weibao.maintenance.models import MaintenancePlan, Occurrence


@pytest.mark.django_db
def test_the_demo_plan_loads_once_and_is_scheduled() -> None:
    call_command("load_demo_data", stdout=io.StringIO())
    call_command("load_demo_plans", stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo_plans", stdout=out)
    assert "0 created" in out.getvalue()
    plan = MaintenancePlan.objects.get()
    assert plan.status == "active" and plan.routines.count() == 3
    assert Occurrence.objects.filter(plan=plan).exists()
