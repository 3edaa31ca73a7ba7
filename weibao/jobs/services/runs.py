"""Recording task runs. Called by Celery's signal handlers (no actor: the worker is the system)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from weibao.jobs.models import RunState, TaskRun

ARGS_MAX = 200
RESULT_MAX = 300


def _short(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def run_started(
    *, task_id: str, name: str, args: Sequence[Any], kwargs: Mapping[str, Any], worker: str = ""
) -> TaskRun:
    """A task began (its arguments are ids, DESIGN rule 6, so they are shown as they are)."""
    shown = ", ".join([*(repr(a) for a in args), *(f"{k}={v!r}" for k, v in kwargs.items())])
    return TaskRun.objects.create(
        task_id=task_id[:64], name=name[:200], args=_short(shown, ARGS_MAX), worker=worker[:200]
    )


def _latest(task_id: str) -> Any:
    return (
        TaskRun.objects.filter(task_id=task_id[:64])
        .order_by("-started_at", "-id")
        .values_list("pk", flat=True)[:1]
    )


def run_finished(*, task_id: str, state: str, result: Any, runtime_ms: int | None) -> int:
    """A task ended: SUCCESS, FAILURE or RETRY (Celery's states). Returns the rows changed."""
    mapped = {"SUCCESS": RunState.SUCCEEDED, "FAILURE": RunState.FAILED, "RETRY": RunState.RETRY}.get(
        state, RunState.FAILED if state else RunState.SUCCEEDED
    )
    fields: dict[str, Any] = {"state": mapped, "finished_at": timezone.now(), "runtime_ms": runtime_ms}
    if mapped == RunState.SUCCEEDED:
        fields["result"] = _short(repr(result), RESULT_MAX)
    return TaskRun.objects.filter(pk__in=list(_latest(task_id))).update(**fields)


def run_failed(*, task_id: str, error: str) -> int:
    """A task raised: keep the traceback (the last 4,000 characters: where it broke)."""
    return TaskRun.objects.filter(pk__in=list(_latest(task_id))).update(
        state=RunState.FAILED, error=error[-4000:]
    )


def runs_prune(*, keep_days: int | None = None) -> int:
    """Delete runs older than ``JOBS_KEEP_DAYS``; return how many."""
    days = keep_days if keep_days is not None else settings.JOBS_KEEP_DAYS
    deleted, _rows = TaskRun.objects.filter(started_at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted
