"""Celery tasks of the jobs app."""

from __future__ import annotations

from celery import shared_task

from weibao.jobs.services import runs_prune


@shared_task(name="weibao.jobs.tasks.prune_task_runs", acks_late=True, max_retries=0)
def prune_task_runs() -> int:
    """Forget task runs older than JOBS_KEEP_DAYS (beat: daily)."""
    return runs_prune()
