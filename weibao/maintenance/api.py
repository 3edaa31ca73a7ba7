"""API router: /maintenance-plans, /plan-adjustments, /occurrences and /calendar-feeds.
Thin handlers: scope and rules live in the selectors and services."""

# No ``from __future__ import annotations``: ninja resolves Query[...] parameter types at import.

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from weibao.core.api_auth import API_AUTH
from weibao.maintenance import selectors, services
from weibao.maintenance.choices import AdjustmentStatus, OccurrenceStatus, PlanStatus, RoutineKind

router = Router(auth=API_AUTH, tags=["maintenance plans"])


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


class RoutineOut(Schema):
    id: int
    kind: RoutineKind
    title: str
    rrule: str
    starts_on: date
    ends_on: date
    time_of_day: time
    duration_minutes: int
    remind_days_before: int
    checklist: list[str]
    assignee_ids: list[int] = Field(default_factory=list)
    is_active: bool

    @staticmethod
    def resolve_assignee_ids(obj: Any) -> list[int]:
        return sorted(u.pk for u in obj.assignees.all())


class PlanOut(Schema):
    id: int
    customer_id: int
    system_id: int | None
    year: int
    title: str
    goals: str
    scope: str
    budget: Decimal
    responsible_id: int
    status: PlanStatus
    approved_at: datetime | None
    generated_until: date | None
    version: int
    routines: list[RoutineOut] = Field(default_factory=list)

    @staticmethod
    def resolve_routines(obj: Any) -> list[Any]:
        return list(obj.routines.all())


class PlanIn(_In):
    customer_id: int
    year: int
    title: str
    responsible_id: int
    system_id: int | None = None
    site_id: int | None = None
    goals: str = ""
    scope: str = ""
    budget: Decimal = Decimal(0)


class RoutineIn(_In):
    kind: RoutineKind
    title: str
    assignee_ids: list[int]
    rrule: str = Field(default="", description="RFC 5545 RRULE; empty: the kind's usual rhythm")
    starts_on: date | None = None
    ends_on: date | None = None
    time_of_day: time = time(9, 0)
    duration_minutes: int = 120
    checklist: list[str] = Field(default_factory=list)
    remind_days_before: int = 3


class AdjustmentIn(_In):
    changes: dict[str, Any] = Field(
        description='e.g. {"budget": "150000", "routines": {"12": {"rrule": "FREQ=MONTHLY"}}}'
    )
    reason: str


class AdjustmentOut(Schema):
    id: int
    plan_id: int
    changes: dict[str, Any]
    reason: str
    status: AdjustmentStatus
    requested_at: datetime
    decided_at: datetime | None
    decision_note: str


class DecisionIn(_In):
    approve: bool
    note: str = ""


class OccurrenceOut(Schema):
    id: int
    routine_id: int
    rule_date: date
    due_on: date
    status: OccurrenceStatus
    overdue: bool = False
    work_order_number: int | None = None
    outcome: str

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return bool(obj.is_overdue)

    @staticmethod
    def resolve_work_order_number(obj: Any) -> int | None:
        return obj.work_order.number if obj.work_order_id else None


class RescheduleIn(_In):
    to_date: date
    reason: str


class CompleteIn(_In):
    outcome: str


class RoutineFiguresOut(Schema):
    title: str
    kind: str
    due: int
    done: int
    overdue: int
    upcoming: int
    completion: float | None


class ReportOut(Schema):
    due: int
    done: int
    overdue: int
    completion: float | None
    issues: int
    routines: list[RoutineFiguresOut]
    replace: list[str] = Field(default_factory=list, description="Checklist items flagged for replacement")

    @staticmethod
    def resolve_replace(obj: Any) -> list[str]:
        return [f"{item.order.label}: {item.label}" for item in obj.replace]


class FeedIn(_In):
    customer_id: int | None = Field(default=None, description="Empty: the caller's own work")


class FeedOut(Schema):
    id: int
    prefix: str
    customer_id: int | None
    user_id: int | None
    created_at: datetime


class FeedCreatedOut(FeedOut):
    url: str = Field(description="The secret address; shown only in this answer")


class PlanListQuery(Schema):
    year: int | None = None
    status: PlanStatus | None = None


READ = {frozenset({401, 403, 422}): ErrorOut}
ONE = {frozenset({401, 403, 404}): ErrorOut}
WRITE = {frozenset({400, 401, 403, 404, 409, 422}): ErrorOut}


def _plan(request: HttpRequest, plan_id: int) -> Any:
    return selectors.plan_get(actor=request.user, plan_id=plan_id)


@router.get("/maintenance-plans", response={200: list[PlanOut], **READ}, url_name="plan_list")
def list_plans(request: HttpRequest, filters: Query[PlanListQuery]) -> Any:
    plans = selectors.plan_list(actor=request.user, year=filters.year, status=filters.status or "")
    return list(plans.prefetch_related("routines__assignees"))


@router.post("/maintenance-plans", response={201: PlanOut, **WRITE}, url_name="plan_create")
def create_plan(request: HttpRequest, payload: PlanIn) -> Any:
    plan = services.plan_create(actor=request.user, fields=services.PlanFields(**payload.model_dump()))
    return Status(201, _plan(request, plan.pk))


@router.get("/maintenance-plans/{int:plan_id}", response={200: PlanOut, **ONE}, url_name="plan")
def get_plan(request: HttpRequest, plan_id: int) -> Any:
    return _plan(request, plan_id)


@router.post(
    "/maintenance-plans/{int:plan_id}/routines", response={201: PlanOut, **WRITE}, url_name="plan_routine"
)
def add_routine(request: HttpRequest, plan_id: int, payload: RoutineIn) -> Any:
    services.routine_add(
        actor=request.user, plan_id=plan_id, fields=services.RoutineFields(**payload.model_dump())
    )
    return Status(201, _plan(request, plan_id))


@router.post(
    "/maintenance-plans/{int:plan_id}/approve", response={200: PlanOut, **WRITE}, url_name="plan_approve"
)
def approve(request: HttpRequest, plan_id: int) -> Any:
    services.plan_approve(actor=request.user, plan_id=plan_id)
    return _plan(request, plan_id)


@router.post(
    "/maintenance-plans/{int:plan_id}/activate", response={200: PlanOut, **WRITE}, url_name="plan_activate"
)
def activate(request: HttpRequest, plan_id: int) -> Any:
    services.plan_activate(actor=request.user, plan_id=plan_id)
    return _plan(request, plan_id)


@router.post(
    "/maintenance-plans/{int:plan_id}/close", response={200: PlanOut, **WRITE}, url_name="plan_close"
)
def close(request: HttpRequest, plan_id: int) -> Any:
    services.plan_close(actor=request.user, plan_id=plan_id)
    return _plan(request, plan_id)


@router.post(
    "/maintenance-plans/{int:plan_id}/adjustments",
    response={201: AdjustmentOut, **WRITE},
    url_name="plan_adjustment",
)
def request_adjustment(request: HttpRequest, plan_id: int, payload: AdjustmentIn) -> Any:
    """Ask for a change of an approved plan; it applies only once approved."""
    return Status(
        201, services.adjustment_request(actor=request.user, plan_id=plan_id, **payload.model_dump())
    )


@router.post(
    "/plan-adjustments/{int:adjustment_id}/decide",
    response={200: AdjustmentOut, **WRITE},
    url_name="adjustment_decide",
)
def decide(request: HttpRequest, adjustment_id: int, payload: DecisionIn) -> Any:
    return services.adjustment_decide(actor=request.user, adjustment_id=adjustment_id, **payload.model_dump())


@router.get(
    "/maintenance-plans/{int:plan_id}/occurrences",
    response={200: list[OccurrenceOut], **ONE},
    url_name="plan_occurrences",
)
def occurrences(request: HttpRequest, plan_id: int) -> Any:
    """The plan's scheduled work by date (``overdue`` when still scheduled and past)."""
    return list(selectors.plan_occurrences(actor=request.user, plan_id=plan_id))


@router.post(
    "/occurrences/{int:occurrence_id}/reschedule",
    response={200: OccurrenceOut, **WRITE},
    url_name="occurrence_reschedule",
)
def reschedule(request: HttpRequest, occurrence_id: int, payload: RescheduleIn) -> Any:
    return services.occurrence_reschedule(
        actor=request.user, occurrence_id=occurrence_id, **payload.model_dump()
    )


@router.post(
    "/occurrences/{int:occurrence_id}/done",
    response={200: OccurrenceOut, **WRITE},
    url_name="occurrence_done",
)
def complete(request: HttpRequest, occurrence_id: int, payload: CompleteIn) -> Any:
    return services.occurrence_complete(
        actor=request.user, occurrence_id=occurrence_id, outcome=payload.outcome
    )


@router.get(
    "/maintenance-plans/{int:plan_id}/report", response={200: ReportOut, **ONE}, url_name="plan_report"
)
def report(request: HttpRequest, plan_id: int) -> Any:
    """The execution report: completion of what was due, issues, equipment flagged for replacement."""
    return selectors.plan_report(actor=request.user, plan_id=plan_id)


@router.get("/calendar-feeds", response={200: list[FeedOut], **READ}, url_name="feed_list")
def list_feeds(request: HttpRequest) -> Any:
    return list(selectors.feed_list(actor=request.user))


@router.post("/calendar-feeds", response={201: FeedCreatedOut, **WRITE}, url_name="feed_create")
def create_feed(request: HttpRequest, payload: FeedIn) -> Any:
    """A secret iCalendar address: the caller's work, or a customer's visits and calls."""
    feed, raw = services.feed_create(actor=request.user, customer_id=payload.customer_id)
    return Status(
        201,
        {**FeedOut.from_orm(feed).dict(), "url": request.build_absolute_uri(f"/calendar/{raw}.ics")},
    )


@router.post("/calendar-feeds/{int:feed_id}/revoke", response={200: FeedOut, **WRITE}, url_name="feed_revoke")
def revoke_feed(request: HttpRequest, feed_id: int) -> Any:
    return services.feed_revoke(actor=request.user, feed_id=feed_id)
