"""Every read of maintenance plans, scoped to the actor: portal users see their own customer's plans."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.choices import Perm
from weibao.accounts.permissions import has_perm, is_portal_user
from weibao.core.errors import NotFound, PermissionDenied
from weibao.customers.models import Customer
from weibao.fieldservice.choices import CheckResult, OrderStatus
from weibao.fieldservice.models import ChecklistItem, WorkOrder
from weibao.maintenance.choices import OccurrenceStatus
from weibao.maintenance.ical import Event, all_day
from weibao.maintenance.models import CalendarFeed, MaintenancePlan, Occurrence
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


# --------------------------------------------------------------------------- calendar feeds


def feed_hash(*, raw: str) -> str:
    """How a feed token is stored and looked up: its SHA-256 hex digest."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 180


def feed_list(*, actor: Any) -> QuerySet[CalendarFeed]:
    """The feeds the actor created, still valid."""
    return CalendarFeed.objects.filter(created_by_id=actor.pk, revoked_at__isnull=True).select_related(
        "customer"
    )


def feed_calendar(*, raw_token: str) -> tuple[str, list[Event]]:
    """The feed's name and events for a token (no sign-in: the token is the secret); 404 otherwise."""
    feed = (
        CalendarFeed.objects.select_related("user", "customer")
        .filter(key_hash=feed_hash(raw=raw_token), revoked_at__isnull=True)
        .first()
    )
    if feed is None or (feed.user is not None and not feed.user.is_active):
        raise NotFound(_("Calendar feed not found."), code="feed_not_found")
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > timedelta(minutes=10):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    start, end = now - timedelta(days=FEED_PAST_DAYS), now + timedelta(days=FEED_FUTURE_DAYS)
    orders = WorkOrder.objects.filter(planned_start__gte=start, planned_start__lte=end).exclude(
        status=OrderStatus.CANCELLED
    )
    calls = Occurrence.objects.filter(
        due_on__gte=start.date(), due_on__lte=end.date(), work_order__isnull=True
    ).exclude(status=OccurrenceStatus.CANCELLED)
    if feed.user is not None:
        orders = orders.filter(engineers=feed.user)
        calls = calls.filter(routine__assignees=feed.user)
        name = _("Weibao: work of %(name)s") % {"name": feed.user}
    else:
        assert feed.customer is not None
        orders = orders.filter(customer=feed.customer)
        calls = calls.filter(plan__customer=feed.customer)
        name = _("Weibao: visits at %(customer)s") % {"customer": feed.customer.name}
    base = settings.WEIBAO_BASE_URL
    events = [
        Event(
            uid=f"wo-{order.number}@weibao",
            summary=f"{order.label} {order.title}",
            start=order.planned_start,
            end=order.planned_end,
            description=f"{order.customer.name}\n{order.get_kind_display()} · {order.get_status_display()}",
            location=(order.site.address or order.site.name) if order.site else "",
            url=f"{base}/workorders/{order.number}/",
        )
        for order in orders.select_related("customer", "site").distinct().order_by("planned_start")
    ]
    for call in calls.select_related("routine", "plan", "plan__customer").distinct().order_by("due_on"):
        first, after = all_day(call.due_on)
        events.append(
            Event(
                uid=f"plan-{call.pk}@weibao",
                summary=f"{call.routine.title}（{call.plan.customer.name}）",
                start=first,
                end=after,
                description=call.plan.title,
            )
        )
    return str(name), events


def feed_customers(*, actor: Any) -> list[Any]:
    """Customers the actor may publish a calendar feed for (plan or customer managers)."""
    if not (has_perm(user=actor, perm=Perm.PLAN_MANAGE) or has_perm(user=actor, perm=Perm.CUSTOMER_MANAGE)):
        return []
    return list(Customer.objects.filter(is_active=True).order_by("name"))
