"""Every write to SLA policies, their targets and escalation rules, and service contracts (SLA-1, 2, 5).

Each public function is keyword-only, needs ``sla.manage``, validates everything before the first write,
runs in one transaction and records an audit event. A change of a policy, a target or a rule bumps the
policy's ``version``: tickets' clocks record the policy, and the version says their targets changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from weibao.accounts.events import audit_record
from weibao.accounts.models import Role
from weibao.calendars.models import Calendar
from weibao.core.errors import NotFound, PermissionDenied, ValidationFailed
from weibao.core.validation import validate_unique_code
from weibao.customers.choices import DistanceClass
from weibao.customers.models import Customer
from weibao.sla.choices import EscalationTrigger, Priority, TargetKind, TargetMode
from weibao.sla.models import EscalationRule, ServiceContract, SlaPolicy, SlaTarget
from weibao.sla.permissions import can_manage_sla

MAX_DAYS = 60


def _require_manager(actor: Any) -> None:
    if not can_manage_sla(user=actor):
        raise PermissionDenied(_("You need the permission to manage service levels."))


def _bump(policy_id: int) -> None:
    SlaPolicy.objects.filter(pk=policy_id).update(version=F("version") + 1)


def _policy(policy_id: int) -> SlaPolicy:
    policy = SlaPolicy.objects.filter(pk=policy_id).first()
    if policy is None:
        raise NotFound(_("No SLA policy with this id."))
    return policy


def _text(value: str | None, *, field: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(_("This field is required."), code="required", field=field)
    if len(text) > max_length:
        raise ValidationFailed(
            _("At most %(n)s characters.") % {"n": max_length}, code="too_long", field=field
        )
    return text


# --------------------------------------------------------------------------- policies


def _policy_fields(
    *,
    policy_id: int | None,
    code: str,
    name: str,
    description: str,
    is_default: bool,
) -> dict[str, Any]:
    code = validate_unique_code(
        value=code, taken=SlaPolicy.objects.filter(code=(code or "").strip()), exclude_pk=policy_id
    )
    name = _text(name, field="name", max_length=100)
    defaults = SlaPolicy.objects.filter(is_default=True)
    if policy_id is not None:
        defaults = defaults.exclude(pk=policy_id)
    if is_default and defaults.exists():
        raise ValidationFailed(
            _("Another policy is the default; clear its default flag first."),
            code="default_taken",
            field="is_default",
        )
    return {"code": code, "name": name, "description": (description or "").strip()}


def policy_create(
    *,
    actor: Any,
    code: str,
    name: str,
    description: str = "",
    is_default: bool = False,
    pause_on_customer: bool = True,
    pause_on_third_party: bool = True,
    pause_on_other: bool = False,
    is_active: bool = True,
) -> SlaPolicy:
    """Create a policy (without targets yet: a ticket under it gets no clocks until targets are set)."""
    _require_manager(actor)
    fields = _policy_fields(
        policy_id=None, code=code, name=name, description=description, is_default=is_default
    )
    with transaction.atomic():
        policy = SlaPolicy.objects.create(
            **fields,
            is_default=bool(is_default),
            pause_on_customer=bool(pause_on_customer),
            pause_on_third_party=bool(pause_on_third_party),
            pause_on_other=bool(pause_on_other),
            is_active=bool(is_active),
        )
        audit_record(actor=actor, action="sla_policy.create", target=policy, changes=fields)
    return policy


def policy_update(
    *,
    actor: Any,
    policy_id: int,
    code: str,
    name: str,
    description: str = "",
    is_default: bool = False,
    pause_on_customer: bool = True,
    pause_on_third_party: bool = True,
    pause_on_other: bool = False,
    is_active: bool = True,
) -> SlaPolicy:
    """Change a policy's name, flags and pause rules; bumps its version when anything changed."""
    _require_manager(actor)
    policy = _policy(policy_id)
    fields = _policy_fields(
        policy_id=policy.pk, code=code, name=name, description=description, is_default=is_default
    )
    if is_default and not is_active:
        raise ValidationFailed(
            _("The default policy must be active."), code="default_inactive", field="is_active"
        )
    fields.update(
        is_default=bool(is_default),
        pause_on_customer=bool(pause_on_customer),
        pause_on_third_party=bool(pause_on_third_party),
        pause_on_other=bool(pause_on_other),
        is_active=bool(is_active),
    )
    changes = {k: [getattr(policy, k), v] for k, v in fields.items() if getattr(policy, k) != v}
    if not changes:
        return policy
    with transaction.atomic():
        for key, value in fields.items():
            setattr(policy, key, value)
        policy.version += 1
        policy.save()
        audit_record(actor=actor, action="sla_policy.update", target=policy, changes=changes)
    return policy


# --------------------------------------------------------------------------- targets


def target_set(
    *,
    actor: Any,
    policy_id: int,
    priority: int,
    kind: str,
    distance_class: str = "",
    mode: str,
    minutes: int | None = None,
    days: int | None = None,
    calendar_id: int | None = None,
) -> SlaTarget:
    """Create or replace the target of a policy for a priority, a kind and (optionally) a distance class."""
    _require_manager(actor)
    policy = _policy(policy_id)
    if priority not in Priority.values:
        raise ValidationFailed(_("Choose a priority."), code="invalid_choice", field="priority")
    if kind not in TargetKind.values:
        raise ValidationFailed(_("Choose a target."), code="invalid_choice", field="kind")
    distance_class = distance_class or ""
    if distance_class and distance_class not in DistanceClass.values:
        raise ValidationFailed(_("Choose a distance class."), code="invalid_choice", field="distance_class")
    if mode == TargetMode.MINUTES:
        if minutes is None or minutes < 1:
            raise ValidationFailed(
                _("Enter the working minutes (at least 1)."), code="required", field="minutes"
            )
        days = None
    elif mode == TargetMode.DAY_END:
        if days is None or not 1 <= days <= MAX_DAYS:
            raise ValidationFailed(
                _("Enter a number of working days from 1 to %(n)s.") % {"n": MAX_DAYS},
                code="out_of_range",
                field="days",
            )
        minutes = None
    else:
        raise ValidationFailed(_("Choose a mode."), code="invalid_choice", field="mode")
    calendar = None
    if calendar_id is not None:
        calendar = Calendar.objects.filter(pk=calendar_id).first()
        if calendar is None:
            raise ValidationFailed(_("Unknown calendar."), code="invalid_reference", field="calendar_id")
    values = {"mode": mode, "minutes": minutes, "days": days, "calendar": calendar}
    with transaction.atomic():
        target, created = SlaTarget.objects.update_or_create(
            policy=policy, priority=priority, kind=kind, distance_class=distance_class, defaults=values
        )
        _bump(policy.pk)
        audit_record(
            actor=actor,
            action="sla_target.create" if created else "sla_target.update",
            target=target,
            changes={**values, "calendar": calendar.slug if calendar else None},
        )
    return target


def _delete_audited(*, actor: Any, obj: SlaTarget | EscalationRule, action: str) -> None:
    """Delete a policy's target or rule with its audit event, and bump the policy's version."""
    with transaction.atomic():
        audit_record(actor=actor, action=action, target=obj)
        policy_id = obj.policy_id
        obj.delete()
        _bump(policy_id)


def target_delete(*, actor: Any, target_id: int) -> None:
    """Remove a target: tickets of that priority get no clock of that kind from now on."""
    _require_manager(actor)
    target = SlaTarget.objects.filter(pk=target_id).first()
    if target is None:
        raise NotFound(_("No SLA target with this id."))
    _delete_audited(actor=actor, obj=target, action="sla_target.delete")


# --------------------------------------------------------------------------- escalation rules


def escalation_rule_save(
    *,
    actor: Any,
    policy_id: int,
    rule_id: int | None = None,
    kind: str = "",
    trigger: str,
    value: int,
    notify_assignee: bool = False,
    notify_team: bool = False,
    notify_superior: bool = False,
    notify_role_id: int | None = None,
    is_active: bool = True,
) -> EscalationRule:
    """Create or change a rule: at a share of a target elapsed (1-99 %), or minutes after the breach."""
    _require_manager(actor)
    policy = _policy(policy_id)
    rule = None
    if rule_id is not None:
        rule = EscalationRule.objects.filter(pk=rule_id, policy=policy).first()
        if rule is None:
            raise NotFound(_("No escalation rule with this id."))
    if kind and kind not in TargetKind.values:
        raise ValidationFailed(_("Choose a target."), code="invalid_choice", field="kind")
    if trigger == EscalationTrigger.PERCENT:
        if value is None or not 1 <= value <= 99:
            raise ValidationFailed(_("Enter a percentage from 1 to 99."), code="out_of_range", field="value")
    elif trigger == EscalationTrigger.AFTER_BREACH:
        if value is None or value < 0:
            raise ValidationFailed(
                _("Enter the minutes after the breach (0 or more)."), code="out_of_range", field="value"
            )
    else:
        raise ValidationFailed(_("Choose a trigger."), code="invalid_choice", field="trigger")
    role = None
    if notify_role_id is not None:
        role = Role.objects.filter(pk=notify_role_id).first()
        if role is None:
            raise ValidationFailed(_("Unknown role."), code="invalid_reference", field="notify_role_id")
    if not (notify_assignee or notify_team or notify_superior or role):
        raise ValidationFailed(
            _("Choose at least one recipient."), code="no_recipient", field="notify_assignee"
        )
    values = {
        "kind": kind or "",
        "trigger": trigger,
        "value": value,
        "notify_assignee": bool(notify_assignee),
        "notify_team": bool(notify_team),
        "notify_superior": bool(notify_superior),
        "notify_role": role,
        "is_active": bool(is_active),
    }
    with transaction.atomic():
        if rule is None:
            rule = EscalationRule.objects.create(policy=policy, **values)
            action = "escalation_rule.create"
        else:
            for key, val in values.items():
                setattr(rule, key, val)
            rule.save()
            action = "escalation_rule.update"
        _bump(policy.pk)
        audit_record(
            actor=actor,
            action=action,
            target=rule,
            changes={**values, "notify_role": role.code if role else None},
        )
    return rule


def escalation_rule_delete(*, actor: Any, rule_id: int) -> None:
    """Remove a rule; alerts it already sent stay recorded on the clocks (their rule link clears)."""
    _require_manager(actor)
    rule = EscalationRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("No escalation rule with this id."))
    _delete_audited(actor=actor, obj=rule, action="escalation_rule.delete")


# --------------------------------------------------------------------------- contracts


def contract_save(
    *,
    actor: Any,
    contract_id: int | None = None,
    customer_id: int,
    number: str,
    name: str,
    policy_id: int,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    is_active: bool = True,
    notes: str = "",
) -> ServiceContract:
    """Create or change a customer's service contract; its policy applies to the customer's new tickets."""
    _require_manager(actor)
    contract = None
    if contract_id is not None:
        contract = ServiceContract.objects.filter(pk=contract_id).first()
        if contract is None:
            raise NotFound(_("No service contract with this id."))
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise ValidationFailed(_("Choose a customer."), code="invalid_reference", field="customer_id")
    number = _text(number, field="number", max_length=64)
    same_number = ServiceContract.objects.filter(number=number)
    if contract_id is not None:
        same_number = same_number.exclude(pk=contract_id)
    if same_number.exists():
        raise ValidationFailed(_("Another contract has this number."), code="number_taken", field="number")
    name = _text(name, field="name", max_length=200)
    policy = SlaPolicy.objects.filter(pk=policy_id).first()
    if policy is None:
        raise ValidationFailed(_("Choose an SLA policy."), code="invalid_reference", field="policy_id")
    if starts_on is None:
        raise ValidationFailed(_("Enter the start date."), code="required", field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise ValidationFailed(
            _("The contract cannot end before it starts."), code="ends_before_start", field="ends_on"
        )
    values = {
        "customer": customer,
        "number": number,
        "name": name,
        "policy": policy,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "is_active": bool(is_active),
        "notes": (notes or "").strip(),
    }
    with transaction.atomic():
        if contract is None:
            contract = ServiceContract.objects.create(**values)
            action = "service_contract.create"
        else:
            for key, val in values.items():
                setattr(contract, key, val)
            contract.save()
            action = "service_contract.update"
        audit_record(
            actor=actor,
            action=action,
            target=contract,
            changes={**values, "customer": customer.pk, "policy": policy.code},
        )
    return contract
