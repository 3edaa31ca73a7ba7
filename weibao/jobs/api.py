"""API router: /jobs, recent Celery task runs and failures (administrators)."""

# No ``from __future__ import annotations``: ninja resolves Query[...] parameter types at import.

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from weibao.core.api_auth import API_AUTH
from weibao.jobs import selectors
from weibao.jobs.models import RunState

router = Router(auth=API_AUTH, tags=["jobs"])


class TaskRunOut(Schema):
    id: int
    task_id: str
    name: str
    args: str
    state: RunState
    worker: str
    started_at: datetime
    finished_at: datetime | None
    runtime_ms: int | None
    result: str
    error: str


class TaskRunPageOut(Schema):
    items: list[TaskRunOut]
    next_cursor: str | None


class TaskSummaryOut(Schema):
    name: str
    runs: int
    failures: int
    last_started: datetime
    last_failed: datetime | None


class RunQuery(Schema):
    state: RunState | None = None
    name: str = ""
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=selectors.MAX_PAGE_SIZE)


class JobErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


ERRORS = {frozenset({401, 403, 422}): JobErrorOut}


@router.get("/runs", response={200: TaskRunPageOut, **ERRORS}, url_name="job_runs")
def list_runs(request: HttpRequest, filters: Query[RunQuery]) -> Any:
    """Task runs, newest first, in keyset pages; ``state=failed`` for the failures."""
    page = selectors.run_page(
        actor=request.user,
        state=filters.state or "",
        name=filters.name,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/summary", response={200: list[TaskSummaryOut], **ERRORS}, url_name="job_summary")
def summary(request: HttpRequest) -> Any:
    """Per task over the last 24 hours: runs, failures, last run, last failure."""
    return selectors.run_summary(actor=request.user)
