"""Maintenance plans (PLN-1, PLN-4): draw up, approve, activate, close; routines while drafting;
adjustments of an approved plan that apply only when approved, and tell those affected."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from dateutil.rrule import rrulestr
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.choices import Perm
from weibao.accounts.models import User
from weibao.accounts.permissions import has_perm, is_staff_user
from weibao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weibao.customers.models import Customer, DeliveredSystem, Site
from weibao.maintenance.choices import (
    DEFAULT_RULES,
    AdjustmentStatus,
    OccurrenceStatus,
    PlanEventKind,
    PlanStatus,
    RoutineKind,
)
from weibao.maintenance.models import MaintenancePlan, Occurrence, PlanAdjustment, PlanEvent, Routine
from weibao.maintenance.permissions import can_approve_plans, can_manage_plans
from weibao.notifications.choices import NotificationKind, NotificationLevel
from weibao.notifications.services import NotificationDraft, notification_send_many

TEXT_MAX = 5000
ADJUSTABLE = ("goals", "scope", "budget")


def _text(value: str | None, *, field: str, required: bool = False, max_length: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(_("This field is required."), code="required", field=field)
    if len(value) > max_length:
        raise ValidationFailed(
            _("At most %(n)s characters.") % {"n": max_length}, code="too_long", field=field
        )
    return value


def _money(value: Any, *, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ValidationFailed(_("Give an amount."), code="invalid", field=field) from exc
    if amount < 0 or amount > Decimal("9999999999.99"):
        raise ValidationFailed(_("Give an amount."), code="invalid", field=field)
    return amount


def _event(
    *, plan: MaintenancePlan, actor: Any, kind: str, changes: dict[str, Any] | None = None, note: str = ""
) -> None:
    PlanEvent.objects.create(
        plan=plan,
        actor=actor if getattr(actor, "pk", None) else None,
        kind=kind,
        changes=changes or {},
        note=note,
    )


def _lock(*, plan_id: int, version: int | None = None) -> MaintenancePlan:
    plan = MaintenancePlan.objects.select_for_update().filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("Plan not found."), code="plan_not_found")
    if version is not None and version != plan.version:
        raise Conflict(
            _("Someone else changed this plan meanwhile. Reload and try again."), code="stale_version"
        )
    return plan


def _require(predicate: Any, actor: Any, message: str) -> None:
    if not predicate(user=actor):
        raise PermissionDenied(message, code="permission_denied")


def _staff(*, user_id: int | None, field: str, engineer: bool = False) -> User:
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if (
        user is None
        or not is_staff_user(user=user)
        or (engineer and not has_perm(user=user, perm=Perm.WORKORDER_WORK))
    ):
        raise ValidationFailed(_("Choose an active staff member."), code="invalid_reference", field=field)
    return user


def validate_rrule(*, rule: str, field: str = "rrule") -> str:
    """A recurrence rule dateutil understands (RFC 5545 RRULE, without DTSTART: the routine gives it)."""
    rule = (rule or "").strip().upper().removeprefix("RRULE:")
    if not rule or "DTSTART" in rule or len(rule) > 300:
        raise ValidationFailed(
            _("Give a recurrence rule such as FREQ=MONTHLY;BYMONTHDAY=10."), code="invalid", field=field
        )
    try:
        rrulestr(rule, dtstart=datetime(2026, 1, 1))  # noqa: DTZ001 - a rule over calendar dates
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(
            _("Give a recurrence rule such as FREQ=MONTHLY;BYMONTHDAY=10."), code="invalid", field=field
        ) from exc
    return rule


@dataclass(frozen=True)
class PlanFields:
    """What :func:`plan_create` needs."""

    customer_id: int
    year: int
    title: str
    responsible_id: int
    system_id: int | None = None
    site_id: int | None = None
    goals: str = ""
    scope: str = ""
    budget: Decimal | str | int = 0


def plan_create(*, actor: Any, fields: PlanFields) -> MaintenancePlan:
    """A draft plan for one customer's year."""
    _require(can_manage_plans, actor, _("You may not draw up maintenance plans."))
    customer = Customer.objects.filter(pk=fields.customer_id, is_active=True).first()
    if customer is None:
        raise ValidationFailed(_("Choose the customer."), code="required", field="customer_id")
    if not 2000 <= fields.year <= 2100:
        raise ValidationFailed(_("Give the plan's year."), code="invalid", field="year")
    system = (
        DeliveredSystem.objects.filter(pk=fields.system_id, customer=customer).first()
        if fields.system_id
        else None
    )
    if fields.system_id and system is None:
        raise ValidationFailed(
            _("The system does not belong to this customer."), code="invalid_reference", field="system_id"
        )
    site = Site.objects.filter(pk=fields.site_id, customer=customer).first() if fields.site_id else None
    if fields.site_id and site is None:
        raise ValidationFailed(
            _("The site does not belong to this customer."), code="invalid_reference", field="site_id"
        )
    responsible = _staff(user_id=fields.responsible_id, field="responsible_id")
    with transaction.atomic():
        plan = MaintenancePlan.objects.create(
            customer=customer,
            system=system,
            site=site,
            year=fields.year,
            title=_text(fields.title, field="title", required=True, max_length=200),
            goals=_text(fields.goals, field="goals"),
            scope=_text(fields.scope, field="scope"),
            budget=_money(fields.budget, field="budget"),
            responsible=responsible,
            created_by=actor,
        )
        _event(plan=plan, actor=actor, kind=PlanEventKind.CREATED)
    return plan


@dataclass(frozen=True)
class RoutineFields:
    """What :func:`routine_add` needs; an empty ``rrule`` takes the kind's default (``DEFAULT_RULES``)."""

    kind: str
    title: str
    assignee_ids: Sequence[int]
    rrule: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    time_of_day: time = time(9, 0)
    duration_minutes: int = 120
    checklist: Sequence[str] = field(default_factory=tuple)
    remind_days_before: int = 3


def _routine_values(*, plan: MaintenancePlan, fields: RoutineFields) -> dict[str, Any]:
    if fields.kind not in RoutineKind.values:
        raise ValidationFailed(_("Choose a valid option."), code="invalid_choice", field="kind")
    rule = validate_rrule(rule=fields.rrule or DEFAULT_RULES[RoutineKind(fields.kind)])
    starts = fields.starts_on or date(plan.year, 1, 1)
    ends = fields.ends_on or date(plan.year, 12, 31)
    if ends < starts:
        raise ValidationFailed(_("The end cannot be before the start."), code="invalid", field="ends_on")
    if not 15 <= fields.duration_minutes <= 24 * 60:
        raise ValidationFailed(_("Between 15 minutes and a day."), code="invalid", field="duration_minutes")
    if not 0 <= fields.remind_days_before <= 30:
        raise ValidationFailed(_("Between 0 and 30 days."), code="invalid", field="remind_days_before")
    assignees = [
        _staff(user_id=pk, field="assignee_ids", engineer=True) for pk in dict.fromkeys(fields.assignee_ids)
    ]
    if not assignees:
        raise ValidationFailed(_("Name at least one engineer."), code="required", field="assignee_ids")
    checklist = [
        item for item in (_text(i, field="checklist", max_length=300) for i in fields.checklist) if item
    ]
    return {
        "kind": fields.kind,
        "title": _text(fields.title, field="title", required=True, max_length=200),
        "rrule": rule,
        "starts_on": starts,
        "ends_on": ends,
        "time_of_day": fields.time_of_day,
        "duration_minutes": fields.duration_minutes,
        "checklist": checklist[:100],
        "remind_days_before": fields.remind_days_before,
        "assignees": assignees,
    }


def routine_add(*, actor: Any, plan_id: int, fields: RoutineFields) -> Routine:
    """Add a routine to a draft plan (an approved plan changes through an adjustment)."""
    _require(can_manage_plans, actor, _("You may not draw up maintenance plans."))
    with transaction.atomic():
        plan = _lock(plan_id=plan_id)
        if plan.status != PlanStatus.DRAFT:
            raise Conflict(_("An approved plan changes through an adjustment."), code="not_draft")
        values = _routine_values(plan=plan, fields=fields)
        assignees = values.pop("assignees")
        routine = Routine.objects.create(plan=plan, **values)
        routine.assignees.set(assignees)
        plan.version += 1
        plan.save(update_fields=["version"])
        _event(plan=plan, actor=actor, kind=PlanEventKind.UPDATED, changes={"routine": [None, routine.title]})
    return routine


def plan_approve(*, actor: Any, plan_id: int, version: int | None = None) -> MaintenancePlan:
    """A service manager approves a draft plan with at least one routine."""
    _require(can_approve_plans, actor, _("You may not approve maintenance plans."))
    with transaction.atomic():
        plan = _lock(plan_id=plan_id, version=version)
        if plan.status != PlanStatus.DRAFT:
            raise Conflict(_("Only a draft plan can be approved."), code="invalid_transition")
        if not plan.routines.filter(is_active=True).exists():
            raise ValidationFailed(_("Add at least one routine first."), code="no_routines", field="routines")
        plan.status, plan.approved_by, plan.approved_at = PlanStatus.APPROVED, actor, timezone.now()
        plan.version += 1
        plan.save(update_fields=["status", "approved_by", "approved_at", "version"])
        _event(plan=plan, actor=actor, kind=PlanEventKind.APPROVED)
    return plan


def plan_activate(*, actor: Any, plan_id: int, version: int | None = None) -> MaintenancePlan:
    """Start an approved plan: the generator schedules its work from now on."""
    _require(can_manage_plans, actor, _("You may not draw up maintenance plans."))
    with transaction.atomic():
        plan = _lock(plan_id=plan_id, version=version)
        if plan.status != PlanStatus.APPROVED:
            raise Conflict(_("Only an approved plan can be activated."), code="invalid_transition")
        plan.status = PlanStatus.ACTIVE
        plan.version += 1
        plan.save(update_fields=["status", "version"])
        _event(plan=plan, actor=actor, kind=PlanEventKind.ACTIVATED)
        plan_pk = plan.pk
        transaction.on_commit(lambda: _queue_generation(plan_id=plan_pk))
    return plan


def _queue_generation(*, plan_id: int) -> None:
    import logging

    from weibao.maintenance.tasks import generate_plan  # the task imports the services

    try:
        generate_plan.delay(plan_id)
    except Exception:  # the nightly beat generates it anyway
        logging.getLogger(__name__).warning("could not queue generation of plan %s", plan_id, exc_info=True)


def plan_close(*, actor: Any, plan_id: int, version: int | None = None) -> MaintenancePlan:
    """End a plan: what is still scheduled is cancelled (work orders already started stay)."""
    _require(can_manage_plans, actor, _("You may not draw up maintenance plans."))
    with transaction.atomic():
        plan = _lock(plan_id=plan_id, version=version)
        if plan.status not in (PlanStatus.ACTIVE, PlanStatus.APPROVED):
            raise Conflict(_("Only an approved or active plan can be closed."), code="invalid_transition")
        cancelled = Occurrence.objects.filter(
            plan=plan, status=OccurrenceStatus.SCHEDULED, due_on__gte=timezone.localdate()
        ).update(status=OccurrenceStatus.CANCELLED)
        plan.status = PlanStatus.CLOSED
        plan.version += 1
        plan.save(update_fields=["status", "version"])
        _event(plan=plan, actor=actor, kind=PlanEventKind.CLOSED, changes={"cancelled": [None, cancelled]})
    return plan


# --------------------------------------------------------------------------- adjustments (PLN-4)


def adjustment_request(*, actor: Any, plan_id: int, changes: dict[str, Any], reason: str) -> PlanAdjustment:
    """Ask to change an approved or active plan: goals, scope, budget, and routines' recurrence,
    engineers, reminders or being active (``{"routines": {id: {...}}}``). Nothing changes until approved."""
    _require(can_manage_plans, actor, _("You may not draw up maintenance plans."))
    reason = _text(reason, field="reason", required=True, max_length=1000)
    cleaned: dict[str, Any] = {}
    for name in ADJUSTABLE:
        if name in changes:
            cleaned[name] = (
                str(_money(changes[name], field=name))
                if name == "budget"
                else _text(changes[name], field=name)
            )
    with transaction.atomic():
        plan = _lock(plan_id=plan_id)
        if plan.status not in (PlanStatus.APPROVED, PlanStatus.ACTIVE):
            raise Conflict(
                _("Only an approved or active plan is adjusted; edit a draft directly."),
                code="invalid_transition",
            )
        routines = {r.pk: r for r in plan.routines.all()}
        routine_changes: dict[str, dict[str, Any]] = {}
        for key, values in (changes.get("routines") or {}).items():
            routine = routines.get(int(key))
            if routine is None:
                raise ValidationFailed(_("Unknown routine."), code="invalid_reference", field="routines")
            entry: dict[str, Any] = {}
            if "rrule" in values:
                entry["rrule"] = validate_rrule(rule=values["rrule"], field="routines")
            if "assignee_ids" in values:
                entry["assignee_ids"] = [
                    _staff(user_id=pk, field="routines", engineer=True).pk for pk in values["assignee_ids"]
                ]
            if "remind_days_before" in values:
                days = int(values["remind_days_before"])
                if not 0 <= days <= 30:
                    raise ValidationFailed(_("Between 0 and 30 days."), code="invalid", field="routines")
                entry["remind_days_before"] = days
            if "is_active" in values:
                entry["is_active"] = bool(values["is_active"])
            if entry:
                routine_changes[str(routine.pk)] = entry
        if routine_changes:
            cleaned["routines"] = routine_changes
        if not cleaned:
            raise ValidationFailed(_("Say what should change."), code="required", field="changes")
        adjustment = PlanAdjustment.objects.create(
            plan=plan, changes=cleaned, reason=reason, requested_by=actor
        )
        _event(plan=plan, actor=actor, kind=PlanEventKind.ADJUSTMENT_REQUESTED, changes=cleaned, note=reason)
    return adjustment


def adjustment_decide(*, actor: Any, adjustment_id: int, approve: bool, note: str = "") -> PlanAdjustment:
    """Approve (the change applies at once, and future occurrences of changed routines are generated
    again) or reject an adjustment; the plan's responsible and the routines' engineers are told."""
    _require(can_approve_plans, actor, _("You may not approve maintenance plans."))
    note = _text(note, field="note", max_length=500)
    with transaction.atomic():
        adjustment = PlanAdjustment.objects.select_for_update().filter(pk=adjustment_id).first()
        if adjustment is None:
            raise NotFound(_("Adjustment not found."), code="adjustment_not_found")
        if adjustment.status != AdjustmentStatus.REQUESTED:
            raise Conflict(_("This adjustment was decided already."), code="decided")
        plan = _lock(plan_id=adjustment.plan_id)
        adjustment.status = AdjustmentStatus.APPROVED if approve else AdjustmentStatus.REJECTED
        adjustment.decided_by, adjustment.decided_at, adjustment.decision_note = actor, timezone.now(), note
        adjustment.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        changed_routines: list[int] = []
        if approve:
            changed_routines = _apply(plan=plan, changes=adjustment.changes)
        kind = PlanEventKind.ADJUSTMENT_APPROVED if approve else PlanEventKind.ADJUSTMENT_REJECTED
        _event(plan=plan, actor=actor, kind=kind, changes=adjustment.changes, note=note)
        _tell_affected(plan=plan, adjustment=adjustment, actor=actor)
        if changed_routines and plan.status == PlanStatus.ACTIVE:
            plan_pk = plan.pk
            transaction.on_commit(lambda: _queue_generation(plan_id=plan_pk))
    return adjustment


def _apply(*, plan: MaintenancePlan, changes: dict[str, Any]) -> list[int]:
    fields = []
    for name in ADJUSTABLE:
        if name in changes:
            setattr(plan, name, Decimal(changes[name]) if name == "budget" else changes[name])
            fields.append(name)
    plan.version += 1
    plan.save(update_fields=[*fields, "version"])
    changed: list[int] = []
    for key, values in (changes.get("routines") or {}).items():
        routine = Routine.objects.select_for_update().get(pk=int(key), plan=plan)
        for name in ("rrule", "remind_days_before", "is_active"):
            if name in values:
                setattr(routine, name, values[name])
        routine.save()
        if "assignee_ids" in values:
            routine.assignees.set(values["assignee_ids"])
        # Future occurrences not started follow the new rule: drop them, the generator makes them anew.
        if "rrule" in values or values.get("is_active") is False:
            _drop_future(routine=routine)
        changed.append(routine.pk)
    return changed


def _drop_future(*, routine: Routine) -> None:
    from weibao.fieldservice.choices import OrderStatus
    from weibao.fieldservice.models import WorkOrder

    future = Occurrence.objects.filter(
        routine=routine, status=OccurrenceStatus.SCHEDULED, due_on__gt=timezone.localdate()
    )
    order_ids = [pk for pk in future.values_list("work_order_id", flat=True) if pk]
    WorkOrder.objects.filter(pk__in=order_ids, status=OrderStatus.PLANNED).update(
        status=OrderStatus.CANCELLED
    )
    future.delete()


def _tell_affected(*, plan: MaintenancePlan, adjustment: PlanAdjustment, actor: Any) -> None:
    recipients = {plan.responsible_id, adjustment.requested_by_id}
    for routine in plan.routines.prefetch_related("assignees"):
        recipients |= {u.pk for u in routine.assignees.all()}
    recipients.discard(actor.pk)
    recipients.discard(None)
    verdict = _("approved") if adjustment.status == AdjustmentStatus.APPROVED else _("rejected")
    notification_send_many(
        drafts=[
            NotificationDraft(
                recipient_ids={pk for pk in recipients if pk},
                kind=NotificationKind.GENERIC,
                level=NotificationLevel.INFO,
                title=_("Plan adjustment %(verdict)s: %(plan)s") % {"verdict": verdict, "plan": plan.title},
                body=adjustment.reason,
                url=f"/plans/{plan.pk}/",
                dedupe_key=f"plan-adjustment:{adjustment.pk}",
            )
        ]
    )
