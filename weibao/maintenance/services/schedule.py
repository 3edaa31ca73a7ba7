"""Generating the routines' work (PLN-2): occurrences on working days of the customer's calendar for a
horizon ahead, visits as planned work orders, reminders before, done/overdue, reschedules with history.

Generation is idempotent: an occurrence is unique per (routine, rule date), so a run that repeats (the
nightly beat, an activation, an adjustment) creates only what is missing. A date the rule gives that
is not a working day moves forward to the next one - never into a holiday, and make-up workdays (调休)
count as working days.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import rrulestr
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from weibao.accounts.choices import Perm, UserKind
from weibao.calendars.engine import CalendarError, CompiledCalendar
from weibao.calendars.selectors import compiled_calendars, default_calendar
from weibao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weibao.fieldservice.choices import OrderKind, OrderStatus
from weibao.fieldservice.services import OrderPlan, work_order_reschedule, work_orders_plan_many
from weibao.maintenance.choices import VISIT_KINDS, OccurrenceStatus, PlanEventKind, PlanStatus
from weibao.maintenance.models import MaintenancePlan, Occurrence, OccurrenceChange, PlanEvent, Routine
from weibao.maintenance.permissions import can_complete_occurrence, can_manage_plans
from weibao.notifications.choices import Channel, NotificationKind, NotificationLevel, NotifyEvent
from weibao.notifications.models import NotificationPreference
from weibao.notifications.services import (
    DeliveryDraft,
    NotificationDraft,
    delivery_queue,
    notification_send_many,
)

PLANNER_USERNAME = "weibao-planner"
#: The generator plans work orders and nothing else, whatever roles an administrator gives the account.
PLANNER_PERMS = frozenset({Perm.WORKORDER_MANAGE.value})
DEFAULT_HORIZON_DAYS = 60
CHUNK = 2000


def planner_actor() -> Any:
    """The system account generated work orders are recorded under."""
    user, created = get_user_model().objects.get_or_create(
        username=PLANNER_USERNAME,
        defaults={"kind": UserKind.STAFF, "first_name": "维保计划", "is_active": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user._weibao_perms = PLANNER_PERMS  # type: ignore[attr-defined]
    return user


@dataclass
class GenerateResult:
    plans: int = 0
    occurrences: int = 0
    work_orders: int = 0


def _calendar_for(
    plan: MaintenancePlan, calendars: dict[int, CompiledCalendar], fallback: CompiledCalendar
) -> CompiledCalendar:
    calendar_id = (plan.site.calendar_id if plan.site else None) or plan.customer.calendar_id
    return calendars.get(calendar_id or 0, fallback)


def rule_dates(*, routine: Routine, start: date, end: date) -> list[date]:
    """The dates the routine's rule gives within [start, end] and the routine's own range."""
    first, last = max(start, routine.starts_on), min(end, routine.ends_on)
    if last < first:
        return []
    rule = rrulestr(routine.rrule, dtstart=datetime.combine(routine.starts_on, time.min))
    return [
        d.date()
        for d in rule.between(datetime.combine(first, time.min), datetime.combine(last, time.min), inc=True)
    ]


def plans_generate(
    *, today: date | None = None, horizon_days: int = DEFAULT_HORIZON_DAYS, plan_ids: list[int] | None = None
) -> GenerateResult:
    """Schedule what active plans' routines need from ``today`` to ``today + horizon_days``."""
    today = today or timezone.localdate()
    end = today + timedelta(days=horizon_days)
    plans = MaintenancePlan.objects.filter(status=PlanStatus.ACTIVE).select_related(
        "customer", "site", "system"
    )
    if plan_ids is not None:
        plans = plans.filter(pk__in=plan_ids)
    plans_by_id = {p.pk: p for p in plans}
    result = GenerateResult(plans=len(plans_by_id))
    if not plans_by_id:
        return result
    calendar_ids = {
        c
        for p in plans_by_id.values()
        for c in (p.customer.calendar_id, p.site.calendar_id if p.site else None)
        if c
    }
    calendars = compiled_calendars(calendar_ids=calendar_ids)
    fallback = compiled_calendars(calendar_ids={default_calendar().pk})[default_calendar().pk]
    routines = list(
        Routine.objects.filter(plan_id__in=plans_by_id, is_active=True)
        .prefetch_related("assignees")
        .order_by("pk")
    )
    existing: dict[int, set[date]] = defaultdict(set)
    for routine_id, rule_date in Occurrence.objects.filter(
        routine__in=routines, rule_date__gte=today, rule_date__lte=end
    ).values_list("routine_id", "rule_date"):
        existing[routine_id].add(rule_date)
    wanted: list[tuple[Routine, date, date]] = []
    for routine in routines:
        plan = plans_by_id[routine.plan_id]
        calendar = _calendar_for(plan, calendars, fallback)
        for rule_date in rule_dates(routine=routine, start=today, end=end):
            if rule_date in existing[routine.pk]:
                continue
            try:
                due = calendar.working_day_on_or_after(rule_date)
            except CalendarError:
                due = rule_date  # a calendar with no working time: keep the date rather than lose the work
            wanted.append((routine, rule_date, due))
    actor = planner_actor()
    for start in range(0, len(wanted), CHUNK):
        created, orders = _create(chunk=wanted[start : start + CHUNK], plans=plans_by_id, actor=actor)
        result.occurrences += created
        result.work_orders += orders
    MaintenancePlan.objects.filter(pk__in=plans_by_id).update(generated_until=end)
    return result


def _create(
    *, chunk: list[tuple[Routine, date, date]], plans: dict[int, MaintenancePlan], actor: Any
) -> tuple[int, int]:
    """One transaction per chunk: the visits' work orders, then the occurrences pointing at them."""
    zone = timezone.get_current_timezone()
    with transaction.atomic():
        visits = [(r, rule_date, due) for r, rule_date, due in chunk if r.kind in VISIT_KINDS]
        order_plans = []
        for routine, _rule_date, due in visits:
            plan = plans[routine.plan_id]
            start = datetime.combine(due, routine.time_of_day, tzinfo=zone)
            order_plans.append(
                OrderPlan(
                    title=f"{routine.title}（{plan.customer.name}）"[:200],
                    kind=OrderKind.ONSITE,
                    customer_id=plan.customer_id,
                    site_id=plan.site_id,
                    system_id=plan.system_id,
                    planned_start=start,
                    planned_end=start + timedelta(minutes=routine.duration_minutes),
                    engineer_ids=[u.pk for u in routine.assignees.all()],
                    instructions=_("Maintenance plan %(plan)s: %(routine)s")
                    % {"plan": plan.title, "routine": routine.title},
                    checklist=list(routine.checklist),
                )
            )
        orders = work_orders_plan_many(actor=actor, plans=order_plans) if order_plans else []
        order_for = {
            (r.pk, rule_date): order for (r, rule_date, _due), order in zip(visits, orders, strict=True)
        }
        rows = [
            Occurrence(
                routine=routine,
                plan_id=routine.plan_id,
                rule_date=rule_date,
                due_on=due,
                work_order=order_for.get((routine.pk, rule_date)),
            )
            for routine, rule_date, due in chunk
        ]
        Occurrence.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows), len(orders)


# --------------------------------------------------------------------------- status, reminders, reschedules


def occurrences_sync_done() -> int:
    """Visits whose work order was signed are done (a beat job; also called by the report)."""
    signed = Occurrence.objects.filter(
        status=OccurrenceStatus.SCHEDULED, work_order__status=OrderStatus.SIGNED
    ).values_list("pk", "work_order__signed_at")
    updated = 0
    for pk, signed_at in signed:
        updated += Occurrence.objects.filter(pk=pk, status=OccurrenceStatus.SCHEDULED).update(
            status=OccurrenceStatus.DONE, done_at=signed_at
        )
    cancelled = Occurrence.objects.filter(
        status=OccurrenceStatus.SCHEDULED, work_order__status=OrderStatus.CANCELLED
    ).update(status=OccurrenceStatus.CANCELLED)
    return updated + cancelled


def occurrence_complete(*, actor: Any, occurrence_id: int, outcome: str) -> Occurrence:
    """A call was made (or a visit done without a work order): what came of it."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationFailed(_("Say what came of it."), code="required", field="outcome")
    with transaction.atomic():
        occurrence = (
            Occurrence.objects.select_for_update().select_related("routine").filter(pk=occurrence_id).first()
        )
        if occurrence is None:
            raise NotFound(_("Occurrence not found."), code="occurrence_not_found")
        assignees = set(occurrence.routine.assignees.values_list("pk", flat=True))
        if not can_complete_occurrence(user=actor, assignee_ids=assignees):
            raise PermissionDenied(_("You may not record this."), code="permission_denied")
        if occurrence.status != OccurrenceStatus.SCHEDULED:
            raise Conflict(_("This is no longer scheduled."), code="invalid_transition")
        if occurrence.work_order_id is not None:
            raise Conflict(_("A visit is done when its work order is signed."), code="has_work_order")
        occurrence.status, occurrence.done_at, occurrence.done_by = (
            OccurrenceStatus.DONE,
            timezone.now(),
            actor,
        )
        occurrence.outcome = outcome[:5000]
        occurrence.save(update_fields=["status", "done_at", "done_by", "outcome"])
    return occurrence


def occurrence_reschedule(*, actor: Any, occurrence_id: int, to_date: date, reason: str) -> Occurrence:
    """Move an occurrence to another working day; the change is kept; its work order moves with it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why."), code="required", field="reason")
    if not can_manage_plans(user=actor):
        raise PermissionDenied(_("You may not reschedule plan work."), code="permission_denied")
    with transaction.atomic():
        occurrence = (
            # of=("self",): the site is an outer join, and PostgreSQL cannot lock its nullable side.
            Occurrence.objects.select_for_update(of=("self",))
            .select_related("routine", "plan", "plan__customer", "plan__site")
            .filter(pk=occurrence_id)
            .first()
        )
        if occurrence is None:
            raise NotFound(_("Occurrence not found."), code="occurrence_not_found")
        if occurrence.status != OccurrenceStatus.SCHEDULED:
            raise Conflict(_("This is no longer scheduled."), code="invalid_transition")
        plan = occurrence.plan
        calendar_id = (
            (plan.site.calendar_id if plan.site else None)
            or plan.customer.calendar_id
            or default_calendar().pk
        )
        calendar = compiled_calendars(calendar_ids={calendar_id})[calendar_id]
        if not calendar.is_working_day(to_date):
            raise ValidationFailed(
                _("%(day)s is not a working day for this customer.") % {"day": to_date.isoformat()},
                code="not_working_day",
                field="to_date",
            )
        before = occurrence.due_on
        OccurrenceChange.objects.create(
            occurrence=occurrence, from_date=before, to_date=to_date, reason=reason[:500], changed_by=actor
        )
        occurrence.due_on = to_date
        occurrence.reminded_at = None  # the new date gets its own reminder
        occurrence.save(update_fields=["due_on", "reminded_at"])
        PlanEvent.objects.create(
            plan=plan,
            actor=actor,
            kind=PlanEventKind.RESCHEDULED,
            changes={
                "occurrence": [occurrence.pk, None],
                "due_on": [before.isoformat(), to_date.isoformat()],
            },
            note=reason[:500],
        )
        order = occurrence.work_order
        if order is not None and order.status == OrderStatus.PLANNED:
            zone = timezone.get_current_timezone()
            start = datetime.combine(to_date, occurrence.routine.time_of_day, tzinfo=zone)
            work_order_reschedule(
                actor=planner_actor(),
                order_id=order.pk,
                planned_start=start,
                planned_end=start + timedelta(minutes=occurrence.routine.duration_minutes),
                reason=reason,
            )
    return occurrence


def occurrences_remind(*, today: date | None = None) -> int:
    """Remind the engineers (in the app and by email) and the customer's contacts (by email) of work
    due within each routine's reminder days; once per occurrence and date."""
    today = today or timezone.localdate()
    due = list(
        Occurrence.objects.filter(
            status=OccurrenceStatus.SCHEDULED,
            reminded_at__isnull=True,
            due_on__gte=today,
            due_on__lte=today + timedelta(days=30),
        )
        .select_related("routine", "plan", "plan__customer")
        .prefetch_related("routine__assignees", "plan__customer__contacts")
    )
    due = [o for o in due if o.due_on <= today + timedelta(days=o.routine.remind_days_before)]
    if not due:
        return 0
    engineer_ids = {u.pk for o in due for u in o.routine.assignees.all()}
    muted = dict(
        NotificationPreference.objects.filter(user_id__in=engineer_ids).values_list("user_id", "muted_email")
    )
    drafts: list[NotificationDraft] = []
    deliveries: list[DeliveryDraft] = []
    with override("zh-hans"):
        for occurrence in due:
            routine, plan = occurrence.routine, occurrence.plan
            title = _("%(routine)s on %(day)s (%(customer)s)") % {
                "routine": routine.title,
                "day": occurrence.due_on.isoformat(),
                "customer": plan.customer.name,
            }
            key = f"plan-remind:{occurrence.pk}:{occurrence.due_on.isoformat()}"
            engineers = [u for u in routine.assignees.all() if u.is_active]
            url = (
                f"/workorders/{occurrence.work_order.number}/"
                if occurrence.work_order
                else f"/plans/{plan.pk}/"
            )
            drafts.append(
                NotificationDraft(
                    recipient_ids={u.pk for u in engineers},
                    kind=NotificationKind.GENERIC,
                    level=NotificationLevel.INFO,
                    title=_("Reminder: %(what)s") % {"what": title},
                    body=plan.title,
                    url=url,
                    dedupe_key=key,
                )
            )
            recipients = [
                (f"u{u.pk}", u.email)
                for u in engineers
                if u.email and NotifyEvent.PLAN_REMINDER not in muted.get(u.pk, ())
            ]
            recipients += [
                (f"c{c.pk}", c.email) for c in plan.customer.contacts.all() if c.is_active and c.email
            ][:3]
            for tag, address in recipients:
                deliveries.append(
                    DeliveryDraft(
                        channel=Channel.EMAIL,
                        event=NotifyEvent.PLAN_REMINDER,
                        dedupe_key=f"{key}:email:{tag}",
                        subject=_("Reminder: %(what)s") % {"what": title},
                        body=_("%(title)s\n\nPlan: %(plan)s") % {"title": title, "plan": plan.title},
                        to_address=address,
                        language="zh-hans",
                        headers={"Auto-Submitted": "auto-generated"},
                    )
                )
    with transaction.atomic():
        notification_send_many(drafts=drafts)
        if deliveries:
            delivery_queue(drafts=deliveries)
        Occurrence.objects.filter(pk__in=[o.pk for o in due]).update(reminded_at=timezone.now())
    return len(due)
