"""Every read of maintenance plans, scoped to the actor: portal users see their own customer's plans."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.permissions import is_portal_user
from weibao.core.errors import NotFound, PermissionDenied
from weibao.fieldservice.choices import CheckResult
from weibao.fieldservice.models import ChecklistItem
from weibao.maintenance.choices import OccurrenceStatus
from weibao.maintenance.models import MaintenancePlan, Occurrence
from weibao.maintenance.permissions import can_see_plans


def _scoped(actor: Any) -> QuerySet[MaintenancePlan]:
    if not can_see_plans(user=actor):
        raise PermissionDenied(_("You may not see maintenance plans."))
    qs = MaintenancePlan.objects.all()
    if is_portal_user(user=actor):
        contact = getattr(actor, "contact", None)
        qs = qs.filter(customer_id=contact.customer_id) if contact is not None else qs.none()
    return qs


def plan_list(*, actor: Any, year: int | None = None, status: str = "") -> QuerySet[MaintenancePlan]:
    qs = _scoped(actor).select_related("customer", "system", "responsible")
    if year is not None:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-year", "customer__name", "id")


def plan_get(*, actor: Any, plan_id: int) -> MaintenancePlan:
    plan = (
        _scoped(actor)
        .select_related("customer", "system", "site", "responsible", "approved_by")
        .prefetch_related("routines__assignees", "adjustments")
        .filter(pk=plan_id)
        .first()
    )
    if plan is None:
        raise NotFound(_("Plan not found."), code="plan_not_found")
    return plan


def plan_occurrences(*, actor: Any, plan_id: int) -> QuerySet[Occurrence]:
    plan_get(actor=actor, plan_id=plan_id)
    return (
        Occurrence.objects.filter(plan_id=plan_id)
        .select_related("routine", "work_order")
        .prefetch_related("changes")
        .order_by("due_on", "id")
    )


@dataclass
class RoutineFigures:
    title: str
    kind: str
    due: int = 0
    done: int = 0
    overdue: int = 0
    upcoming: int = 0

    @property
    def completion(self) -> float | None:
        return round(100 * self.done / self.due, 1) if self.due else None


@dataclass
class ExecutionReport:
    """PLN-3: how much of the plan was done, what was found, which equipment should be replaced."""

    routines: list[RoutineFigures] = field(default_factory=list)
    findings: list[tuple[Any, str]] = field(default_factory=list)
    replace: list[ChecklistItem] = field(default_factory=list)
    issues: int = 0

    @property
    def due(self) -> int:
        return sum(r.due for r in self.routines)

    @property
    def done(self) -> int:
        return sum(r.done for r in self.routines)

    @property
    def overdue(self) -> int:
        return sum(r.overdue for r in self.routines)

    @property
    def completion(self) -> float | None:
        return round(100 * self.done / self.due, 1) if self.due else None


def plan_report(*, actor: Any, plan_id: int) -> ExecutionReport:
    """The plan's execution report: completion per routine (of what was due by today), findings and
    issues from its visits' work orders, and equipment flagged for replacement."""
    plan = plan_get(actor=actor, plan_id=plan_id)
    today = timezone.localdate()
    report = ExecutionReport()
    figures = {r.pk: RoutineFigures(title=r.title, kind=r.get_kind_display()) for r in plan.routines.all()}
    for routine_id, status, due_on in Occurrence.objects.filter(plan=plan).values_list(
        "routine_id", "status", "due_on"
    ):
        row = figures[routine_id]
        if status == OccurrenceStatus.CANCELLED:
            continue
        if status == OccurrenceStatus.DONE:
            row.due += 1
            row.done += 1
        elif due_on < today:
            row.due += 1
            row.overdue += 1
        else:
            row.upcoming += 1
    report.routines = list(figures.values())
    orders = Occurrence.objects.filter(plan=plan, work_order__isnull=False).values_list(
        "work_order_id", flat=True
    )
    items = ChecklistItem.objects.filter(order_id__in=orders).select_related("order")
    report.issues = items.filter(result=CheckResult.ISSUE).count()
    report.replace = list(items.filter(flag_replacement=True).order_by("order__checked_out_at"))
    report.findings = [
        (o.work_order, o.work_order.findings if o.work_order else "")
        for o in Occurrence.objects.filter(plan=plan, work_order__isnull=False)
        .exclude(work_order__findings="")
        .select_related("work_order")
        .order_by("due_on")
    ]
    return report
