"""Reads of SLA policies, targets and contracts, and the rules that pick them for a ticket (SLA-2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from weibao.calendars.engine import CompiledCalendar
from weibao.calendars.models import Calendar
from weibao.calendars.selectors import compiled_calendar, default_calendar
from weibao.core.errors import NotFound, PermissionDenied
from weibao.sla.choices import TargetMode
from weibao.sla.models import EscalationRule, ServiceContract, SlaPolicy, SlaTarget

# Re-exported: interfaces that already import the selectors ask these too.
from weibao.sla.permissions import can_manage_sla as can_manage_sla
from weibao.sla.permissions import can_view_policies
from weibao.sla.permissions import can_view_sla_reports as can_view_sla_reports


def _require_staff(actor: Any) -> None:
    if actor is not None and not can_view_policies(user=actor):
        raise PermissionDenied(_("Only staff can see SLA policies."))


def policy_list(*, actor: Any) -> QuerySet[SlaPolicy]:
    _require_staff(actor)
    return SlaPolicy.objects.prefetch_related(
        Prefetch("targets", queryset=SlaTarget.objects.select_related("calendar")),
        Prefetch("escalation_rules", queryset=EscalationRule.objects.select_related("notify_role")),
    )


def policy_get(*, actor: Any, policy_id: int) -> SlaPolicy:
    _require_staff(actor)
    policy = policy_list(actor=actor).filter(pk=policy_id).first()
    if policy is None:
        raise NotFound(_("No SLA policy with this id."))
    return policy


def contract_list(*, actor: Any, customer_id: int | None = None) -> QuerySet[ServiceContract]:
    _require_staff(actor)
    contracts = ServiceContract.objects.select_related("customer", "policy")
    return contracts.filter(customer_id=customer_id) if customer_id else contracts


def default_policy() -> SlaPolicy:
    policy = SlaPolicy.objects.filter(is_default=True).first() or SlaPolicy.objects.order_by("pk").first()
    if policy is None:
        raise NotFound(_("No SLA policy is configured."))
    return policy


def policy_for_customer(*, customer_id: int, on: dt.date) -> SlaPolicy:
    """The policy of the customer's contract in force on ``on`` (the newest if several), else the default."""
    contract = (
        ServiceContract.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=on),
            customer_id=customer_id,
            is_active=True,
            starts_on__lte=on,
            policy__is_active=True,
        )
        .select_related("policy")
        .order_by("-starts_on", "-pk")
        .first()
    )
    return contract.policy if contract is not None else default_policy()


def working_calendar(*, site_calendar_id: int | None, customer_calendar_id: int | None) -> Calendar:
    """The ticket's working calendar: the site's, else the customer's, else the default (SLA-3)."""
    calendar_id = site_calendar_id or customer_calendar_id
    if calendar_id:
        calendar = Calendar.objects.filter(pk=calendar_id).first()
        if calendar is not None:
            return calendar
    return default_calendar()


def policy_targets(*, policy: SlaPolicy, priority: int, distance_class: str) -> dict[str, SlaTarget]:
    """kind -> target for a priority; a row for the site's distance class overrides the general row."""
    chosen: dict[str, SlaTarget] = {}
    for target in policy.targets.filter(priority=priority).select_related("calendar"):
        if target.distance_class and target.distance_class != distance_class:
            continue
        if target.kind not in chosen or target.distance_class:
            chosen[target.kind] = target
    return chosen


@dataclass(frozen=True)
class Budget:
    """A target turned into working seconds on one compiled calendar, from a clock's start."""

    calendar: Calendar
    compiled: CompiledCalendar
    seconds: int


def target_budget(*, target: SlaTarget, fallback_calendar: Calendar, start: dt.datetime) -> Budget:
    """Working seconds a target allows. "End of the n-th next working day" becomes the working time
    from the start to that moment, so pauses shift it like any other target."""
    calendar = target.calendar or fallback_calendar
    compiled = compiled_calendar(calendar=calendar)
    if target.mode == TargetMode.DAY_END:
        start_ts = int(start.timestamp())
        end_ts = compiled.end_of_working_day_ts(start_ts, target.days or 1)
        return Budget(calendar, compiled, compiled.working_seconds(start_ts, end_ts))
    return Budget(calendar, compiled, (target.minutes or 0) * 60)


def escalation_rules(*, policy_id: int) -> list[EscalationRule]:
    return list(
        EscalationRule.objects.filter(policy_id=policy_id, is_active=True)
        .select_related("notify_role")
        .order_by("trigger", "value")
    )
