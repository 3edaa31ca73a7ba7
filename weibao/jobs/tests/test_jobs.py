"""Task runs are recorded from Celery's own signals and shown to administrators (issue 4)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from celery import shared_task
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.json_api import JsonApi
from weibao.accounts.tests.factories import staff_user
from weibao.jobs.models import RunState, TaskRun
from weibao.jobs.services import runs_prune

pytestmark = pytest.mark.django_db


@shared_task(name="weibao.jobs.tests.add")
def add(a: int, b: int) -> int:
    return a + b


@shared_task(name="weibao.jobs.tests.explode")
def explode(ticket_id: int) -> None:
    raise RuntimeError(f"ticket {ticket_id} broke the job")


def test_a_run_is_recorded_with_its_arguments_result_and_time() -> None:
    assert add.apply(args=(2, 3)).get() == 5
    run = TaskRun.objects.get(name="weibao.jobs.tests.add")
    assert run.state == RunState.SUCCEEDED and run.args == "2, 3" and run.result == "5"
    assert run.finished_at is not None and run.runtime_ms is not None


def test_a_failure_keeps_its_traceback() -> None:
    explode.apply(args=(42,))
    run = TaskRun.objects.get(name="weibao.jobs.tests.explode")
    assert run.state == RunState.FAILED
    assert "RuntimeError" in run.error and "ticket 42 broke the job" in run.error


def test_the_jobs_page_summarises_and_lists_failures() -> None:
    add.apply(args=(1, 1))
    explode.apply(args=(7,))
    client = Client()
    client.force_login(staff_user(role_codes=["admin"]))
    html = client.get(reverse("jobs:list")).content.decode()
    assert html.count('data-testid="job-task"') == 2 and "weibao.jobs.tests.explode" in html
    failed = client.get(reverse("jobs:list"), {"state": "failed"}).content.decode()
    assert failed.count('data-testid="job-run"') == 1 and "broke the job" in failed


def test_the_api_lists_runs_for_administrators_only() -> None:
    explode.apply(args=(1,))
    runs = JsonApi(staff_user(role_codes=["admin"])).get("/jobs/runs", state="failed").json()
    assert [r["name"] for r in runs["items"]] == ["weibao.jobs.tests.explode"]
    assert JsonApi(staff_user(role_codes=["agent"])).get("/jobs/runs").status_code == 403


def test_old_runs_are_pruned(settings: Any) -> None:
    settings.JOBS_KEEP_DAYS = 7
    add.apply(args=(1, 2))
    old = TaskRun.objects.create(task_id="x", name="old", started_at=timezone.now() - timedelta(days=8))
    assert runs_prune() == 1
    assert not TaskRun.objects.filter(pk=old.pk).exists() and TaskRun.objects.count() == 1
