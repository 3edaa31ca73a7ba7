"""Reads of task runs, for administrators only."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.core.errors import PermissionDenied
from weibao.core.pagination import Page, keyset_paginate
from weibao.jobs.models import RunState, TaskRun
from weibao.jobs.permissions import can_view_jobs

MAX_PAGE_SIZE = 100


def _require(actor: Any) -> None:
    if not can_view_jobs(user=actor):
        raise PermissionDenied(_("You may not see background jobs."))


def run_list(*, actor: Any, state: str = "", name: str = "") -> QuerySet[TaskRun]:
    """Task runs, newest first, optionally of one state or task."""
    _require(actor)
    qs = TaskRun.objects.all()
    if state:
        qs = qs.filter(state=state)
    if name:
        qs = qs.filter(name=name)
    return qs.order_by("-started_at", "-id")


def run_page(
    *, actor: Any, state: str = "", name: str = "", cursor: str | None = None, limit: int = 50
) -> Page[TaskRun]:
    return keyset_paginate(
        queryset=run_list(actor=actor, state=state, name=name),
        sort_field="started_at",
        descending=True,
        cursor=cursor,
        limit=max(1, min(limit, MAX_PAGE_SIZE)),
    )


def run_summary(*, actor: Any, since: datetime | None = None) -> list[dict[str, Any]]:
    """Per task over the last day: runs, failures, the last start and the last failure."""
    _require(actor)
    since = since or timezone.now() - timedelta(days=1)
    rows = (
        TaskRun.objects.filter(started_at__gte=since)
        .values("name")
        .annotate(
            runs=Count("id"),
            failures=Count("id", filter=Q(state=RunState.FAILED)),
            last_started=Max("started_at"),
            last_failed=Max("started_at", filter=Q(state=RunState.FAILED)),
        )
        .order_by("-failures", "name")
    )
    return list(rows)
