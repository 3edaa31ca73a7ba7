"""Reads of SLA policies, targets and contracts, and the rules that pick them for a ticket (SLA-2)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
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
    """The policy of the customer's contract in force on ``on`` (the newest if several), else the default.

    One query for both, as plain SQL (every ticket created asks; the ORM's version with ``Exists`` and two
    ``Subquery`` annotations cost more to compile than to run): each policy joined to the customer's
    contracts in force, the policies from a contract ranked before the default.
    """
    policies = SlaPolicy._meta.db_table
    contracts = ServiceContract._meta.db_table
    sql = (
        f"SELECT p.* FROM {policies} p LEFT JOIN {contracts} c ON c.policy_id = p.id "  # noqa: S608
        "AND c.customer_id = %s AND c.is_active AND c.starts_on <= %s "
        "AND (c.ends_on IS NULL OR c.ends_on >= %s) "
        "WHERE (c.id IS NOT NULL AND p.is_active) OR p.is_default "
        "ORDER BY (c.id IS NULL), c.starts_on DESC, c.id DESC LIMIT 1"
    )
    found = list(SlaPolicy.objects.raw(sql, [customer_id, on, on]))
    return found[0] if found else default_policy()


@dataclass(frozen=True)
class PolicyConfig:
    """A policy's targets (calendars not loaded: see ``ticket_calendars``) and active escalation rules."""

    targets: tuple[SlaTarget, ...]
    rules: tuple[EscalationRule, ...]


_configs: dict[int, tuple[int, PolicyConfig]] = {}
_configs_lock = threading.Lock()


def policy_config(*, policy: SlaPolicy) -> PolicyConfig:
    """The policy's targets and rules at the policy row's version, cached per process.

    Every write to a policy's targets or rules bumps ``SlaPolicy.version`` (``sla.services._bump``; the
    Django admin is read-only), so the version on the row the caller just read tells whether the cached
    copy is current — no time-based expiry, no stale targets. Two queries the first time per version.
    """
    cached = _configs.get(policy.pk)
    if cached is not None and cached[0] == policy.version:
        return cached[1]
    config = PolicyConfig(
        targets=tuple(SlaTarget.objects.filter(policy_id=policy.pk).order_by("pk")),
        rules=tuple(escalation_rules(policy_id=policy.pk)),
    )
    with _configs_lock:
        _configs[policy.pk] = (policy.version, config)
    return config


def ticket_calendars(
    *, site_calendar_id: int | None, customer_calendar_id: int | None, other_ids: Iterable[int | None] = ()
) -> tuple[Calendar, dict[int, Calendar]]:
    """The ticket's working calendar (the site's, else the customer's, else the default; SLA-3) and the
    calendars ``other_ids`` name (the targets' own), with one query."""
    wanted = {pk for pk in (site_calendar_id, customer_calendar_id, *other_ids) if pk}
    rows = list(Calendar.objects.filter(Q(pk__in=wanted) | Q(is_default=True)))
    by_id = {calendar.pk: calendar for calendar in rows}
    for calendar_id in (site_calendar_id, customer_calendar_id):
        if calendar_id and calendar_id in by_id:
            return by_id[calendar_id], by_id
    default = next((c for c in rows if c.is_default), None) or default_calendar()
    return default, by_id


def policy_targets(*, policy: SlaPolicy, priority: int, distance_class: str) -> dict[str, SlaTarget]:
    """kind -> target for a priority; a row for the site's distance class overrides the general row."""
    chosen: dict[str, SlaTarget] = {}
    for target in policy_config(policy=policy).targets:
        if target.priority != priority:
            continue
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


def target_budget(
    *,
    target: SlaTarget,
    fallback_calendar: Calendar,
    start: dt.datetime,
    calendars: dict[int, Calendar] | None = None,
) -> Budget:
    """Working seconds a target allows. "End of the n-th next working day" becomes the working time
    from the start to that moment, so pauses shift it like any other target.

    ``calendars`` (from ``ticket_calendars``) holds the target's own calendar if it names one; without
    it the target's calendar is loaded.
    """
    if target.calendar_id is None:
        calendar = fallback_calendar
    elif calendars is not None and target.calendar_id in calendars:
        calendar = calendars[target.calendar_id]
    else:
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
