"""Celery tasks for maintenance plans: take ids, call a service, safe to run twice (DESIGN.md rule 6)."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from weibao.maintenance.services import occurrences_remind, occurrences_sync_done, plans_generate


@shared_task(name="weibao.maintenance.tasks.generate_plans", acks_late=True, max_retries=0)
def generate_plans() -> dict[str, int]:
    """Nightly: schedule the next 60 days of every active plan (idempotent), then mark signed visits done."""
    result = plans_generate()
    occurrences_sync_done()
    return asdict(result)


@shared_task(name="weibao.maintenance.tasks.generate_plan", acks_late=True, max_retries=0)
def generate_plan(plan_id: int) -> dict[str, int]:
    """One plan, right after it was activated or adjusted."""
    return asdict(plans_generate(plan_ids=[plan_id]))


@shared_task(name="weibao.maintenance.tasks.remind_occurrences", acks_late=True, max_retries=0)
def remind_occurrences() -> int:
    """Morning: remind engineers and contacts of work due within each routine's reminder days."""
    occurrences_sync_done()
    return occurrences_remind()
