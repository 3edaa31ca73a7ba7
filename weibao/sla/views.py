"""SLA administration (permission ``sla.manage``): policies with their targets and escalation rules,
and customers' service contracts. Thin: parse, call one service or selector, render; a service's
refusal goes beside its field (``add_domain_error``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.accounts.decorators import allowed_if
from weibao.accounts.permissions import is_staff_user
from weibao.core.errors import DomainError, PermissionDenied
from weibao.core.forms import add_domain_error
from weibao.sla import selectors, services
from weibao.sla.choices import Priority, TargetKind, TargetMode
from weibao.sla.forms import ContractFilterForm, ContractForm, EscalationRuleForm, PolicyForm, TargetForm
from weibao.sla.models import SlaPolicy, SlaTarget
from weibao.sla.permissions import can_manage_sla


def can_manage(*, user: Any) -> bool:
    return is_staff_user(user=user) and can_manage_sla(user=user)


def _save(form: Any, call: Callable[[], Any]) -> int:
    """Run a service; a refusal goes beside its field. Returns the HTTP status (302 = saved)."""
    try:
        call()
    except PermissionDenied:
        raise
    except DomainError as exc:
        add_domain_error(form, exc)
        return exc.status
    return 302


def _minutes(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    if hours and mins:
        return _("%(h)sh %(m)sm") % {"h": hours, "m": mins}
    return _("%(h)sh") % {"h": hours} if hours else _("%(m)sm") % {"m": mins}


def target_text(target: SlaTarget) -> str:
    """``4h``, ``end of the 2nd working day`` (+ the fixed calendar)."""
    if target.mode == TargetMode.DAY_END:
        text = _("end of working day %(n)s") % {"n": target.days}
    else:
        text = _minutes(target.minutes or 0)
    if target.calendar_id and target.calendar is not None:
        text = f"{text} ({target.calendar.name})"
    return text


def _grid(policy: SlaPolicy) -> list[dict[str, Any]]:
    """Priority rows x target columns; each cell lists the general target and distance overrides."""
    targets = list(policy.targets.all())
    rows = []
    for priority, label in Priority.choices:
        cells = []
        for kind in TargetKind.values:
            here = [t for t in targets if t.priority == priority and t.kind == kind]
            here.sort(key=lambda t: t.distance_class)
            cells.append(
                [
                    {"target": t, "text": target_text(t), "distance": t.get_distance_class_display()}
                    for t in here
                ]
            )
        rows.append({"priority": priority, "label": label, "cells": cells})
    return rows


# --------------------------------------------------------------------------- policies


@allowed_if(can_manage)
def policy_list(request: HttpRequest) -> HttpResponse:
    policies = list(selectors.policy_list(actor=request.user))
    rows = [{"policy": p, "grid": _grid(p), "rules": len(p.escalation_rules.all())} for p in policies]
    return render(request, "sla/policy_list.html", {"rows": rows, "kinds": TargetKind.choices})


@allowed_if(can_manage)
def policy_create(request: HttpRequest) -> HttpResponse:
    form = PolicyForm(request.POST or None, initial={"pause_on_customer": True, "pause_on_third_party": True})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result: dict[str, SlaPolicy] = {}

            def call() -> None:
                result["policy"] = services.policy_create(actor=request.user, **form.service_kwargs())

            status = _save(form, call)
            if status == 302:
                messages.success(request, _("The SLA policy was created; now set its targets."))
                return redirect("sla:policy_detail", policy_id=result["policy"].pk)
    return render(request, "sla/policy_form.html", {"form": form}, status=status)


def _policy_page(
    request: HttpRequest,
    policy: SlaPolicy,
    *,
    form: PolicyForm | None = None,
    target_form: TargetForm | None = None,
    rule_form: EscalationRuleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if form is None:
        form = PolicyForm(
            initial={
                f: getattr(policy, f)
                for f in (
                    "name",
                    "code",
                    "description",
                    "is_default",
                    "pause_on_customer",
                    "pause_on_third_party",
                    "pause_on_other",
                    "is_active",
                )
            }
        )
    if target_form is None:
        editing = next((t for t in policy.targets.all() if str(t.pk) == request.GET.get("target")), None)
        initial: dict[str, Any] = {"mode": TargetMode.MINUTES}
        if editing is not None:
            initial = {
                "priority": editing.priority,
                "kind": editing.kind,
                "distance_class": editing.distance_class,
                "mode": editing.mode,
                "minutes": editing.minutes,
                "days": editing.days,
                "calendar": editing.calendar_id,
            }
        target_form = TargetForm(initial=initial, auto_id="id_target_%s")
    rules = list(policy.escalation_rules.all())
    if rule_form is None:
        rule = next((r for r in rules if str(r.pk) == request.GET.get("rule")), None)
        rule_initial: dict[str, Any] = {}
        if rule is not None:
            rule_initial = {
                "rule_id": rule.pk,
                "kind": rule.kind,
                "trigger": rule.trigger,
                "value": rule.value,
                "notify_assignee": rule.notify_assignee,
                "notify_team": rule.notify_team,
                "notify_superior": rule.notify_superior,
                "notify_role": rule.notify_role_id,
                "is_active": rule.is_active,
            }
        rule_form = EscalationRuleForm(initial=rule_initial, auto_id="id_rule_%s")
    context = {
        "policy": policy,
        "form": form,
        "grid": _grid(policy),
        "kinds": TargetKind.choices,
        "rules": rules,
        "target_form": target_form,
        "rule_form": rule_form,
        "editing_rule": rule_form["rule_id"].value() not in (None, ""),
    }
    return render(request, "sla/policy_detail.html", context, status=status)


@allowed_if(can_manage)
def policy_detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    """The policy's settings (POST saves them), its target grid and escalation rules."""
    policy = selectors.policy_get(actor=request.user, policy_id=policy_id)
    if request.method != "POST":
        return _policy_page(request, policy)
    form = PolicyForm(request.POST)
    status = 400
    if form.is_valid():
        status = _save(
            form,
            lambda: services.policy_update(actor=request.user, policy_id=policy.pk, **form.service_kwargs()),
        )
        if status == 302:
            messages.success(request, _("The SLA policy was saved."))
            return redirect("sla:policy_detail", policy_id=policy.pk)
    return _policy_page(request, policy, form=form, status=status)


@require_POST
@allowed_if(can_manage)
def target_save(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = selectors.policy_get(actor=request.user, policy_id=policy_id)
    form = TargetForm(request.POST, auto_id="id_target_%s")
    status = 400
    if form.is_valid():
        status = _save(
            form,
            lambda: services.target_set(actor=request.user, policy_id=policy.pk, **form.service_kwargs()),
        )
        if status == 302:
            messages.success(request, _("The target was saved."))
            return redirect("sla:policy_detail", policy_id=policy.pk)
    return _policy_page(request, policy, target_form=form, status=status)


@require_POST
@allowed_if(can_manage)
def target_delete(request: HttpRequest, policy_id: int, target_id: int) -> HttpResponse:
    policy = selectors.policy_get(actor=request.user, policy_id=policy_id)
    if not any(t.pk == target_id for t in policy.targets.all()):
        raise Http404
    services.target_delete(actor=request.user, target_id=target_id)
    messages.success(request, _("The target was removed."))
    return redirect("sla:policy_detail", policy_id=policy.pk)


@require_POST
@allowed_if(can_manage)
def rule_save(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = selectors.policy_get(actor=request.user, policy_id=policy_id)
    form = EscalationRuleForm(request.POST, auto_id="id_rule_%s")
    status = 400
    if form.is_valid():
        status = _save(
            form,
            lambda: services.escalation_rule_save(
                actor=request.user, policy_id=policy.pk, **form.service_kwargs()
            ),
        )
        if status == 302:
            messages.success(request, _("The escalation rule was saved."))
            return redirect("sla:policy_detail", policy_id=policy.pk)
    return _policy_page(request, policy, rule_form=form, status=status)


@require_POST
@allowed_if(can_manage)
def rule_delete(request: HttpRequest, policy_id: int, rule_id: int) -> HttpResponse:
    policy = selectors.policy_get(actor=request.user, policy_id=policy_id)
    if not any(r.pk == rule_id for r in policy.escalation_rules.all()):
        raise Http404
    services.escalation_rule_delete(actor=request.user, rule_id=rule_id)
    messages.success(request, _("The escalation rule was removed."))
    return redirect("sla:policy_detail", policy_id=policy.pk)


# --------------------------------------------------------------------------- contracts


@allowed_if(can_manage)
def contract_list(request: HttpRequest) -> HttpResponse:
    """Service contracts, newest start first per customer; ``?customer=`` narrows to one customer."""
    customer_id = ContractFilterForm(request.GET).customer_id()
    contracts = list(selectors.contract_list(actor=request.user, customer_id=customer_id))
    return render(request, "sla/contract_list.html", {"contracts": contracts, "customer_id": customer_id})


@allowed_if(can_manage)
def contract_edit(request: HttpRequest, contract_id: int | None = None) -> HttpResponse:
    contract = None
    if contract_id is not None:
        contract = selectors.contract_list(actor=request.user).filter(pk=contract_id).first()
        if contract is None:
            raise Http404
    if request.method == "POST":
        form = ContractForm(request.POST)
        status = 400
        if form.is_valid():
            status = _save(
                form,
                lambda: services.contract_save(
                    actor=request.user, contract_id=contract_id, **form.service_kwargs()
                ),
            )
            if status == 302:
                messages.success(request, _("The service contract was saved."))
                return redirect("sla:contract_list")
    else:
        status = 200
        initial: dict[str, Any] = {"customer": request.GET.get("customer") or None, "is_active": True}
        if contract is not None:
            initial = {
                "customer": contract.customer_id,
                "number": contract.number,
                "name": contract.name,
                "policy": contract.policy_id,
                "starts_on": contract.starts_on,
                "ends_on": contract.ends_on,
                "is_active": contract.is_active,
                "notes": contract.notes,
            }
        form = ContractForm(initial=initial)
    return render(request, "sla/contract_form.html", {"form": form, "contract": contract}, status=status)
