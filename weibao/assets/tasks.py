"""Celery tasks of the installed base: take ids, call a service, safe to run twice (DESIGN.md rule 6)."""

from __future__ import annotations

from celery import shared_task

from weibao.assets.services import item_import_apply, item_import_check


@shared_task(name="weibao.assets.tasks.import_check", acks_late=True, max_retries=0)
def import_check_task(import_id: int) -> str | None:
    """Check an uploaded sheet row by row; a second run finds the job no longer ``checking``."""
    job = item_import_check(import_id=import_id)
    return job.status if job else None


@shared_task(name="weibao.assets.tasks.import_apply", acks_late=True, max_retries=0)
def import_apply_task(import_id: int) -> str | None:
    """Write a confirmed import in one transaction; a second run finds it no longer ``importing``."""
    job = item_import_apply(import_id=import_id)
    return job.status if job else None
