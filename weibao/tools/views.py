"""Pages of tools and test equipment (/tools/) and purchase requests (/tools/purchases/). Thin:
parse, call one service or selector, render; a refusal goes beside its field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.accounts.decorators import allowed_if
from weibao.core.errors import DomainError, NotFound, PermissionDenied
from weibao.core.forms import add_domain_error
from weibao.tools import selectors, services
from weibao.tools.choices import Liability, PurchaseStatus
from weibao.tools.forms import (
    CheckOutForm,
    DecideForm,
    HandOverForm,
    IncidentForm,
    PurchaseForm,
    ToolFilterForm,
    ToolForm,
)
from weibao.tools.models import Tool
from weibao.tools.permissions import can_approve_purchases, can_manage_tools, can_use_tools

_FIELDS = {"keeper_id": "keeper", "borrower_id": "borrower", "responsible_id": "responsible"}


def _try(form: Any, call: Callable[[], Any]) -> bool:
    try:
        call()
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        add_domain_error(form, exc, field_map=_FIELDS)
        return False
    return True


def _list_page(request: HttpRequest, *, status: int = 200, tool_form: ToolForm | None = None) -> HttpResponse:
    filters = ToolFilterForm(request.GET or None)
    mine, state, q = False, "", ""
    if filters.is_valid():
        mine = bool(filters.cleaned_data.get("mine"))
        state, q = filters.cleaned_data.get("status") or "", filters.cleaned_data.get("q") or ""
    context = {
        "filters": filters,
        "tools": selectors.tool_list(actor=request.user, mine=mine, status=state, q=q)[:500],
        "can_manage": can_manage_tools(user=request.user),
        "tool_form": tool_form or ToolForm(),
    }
    return render(request, "tools/list.html", context, status=status)


@allowed_if(can_use_tools)
def tool_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


@require_POST
@allowed_if(can_manage_tools)
def tool_register(request: HttpRequest) -> HttpResponse:
    form = ToolForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if _try(
            form,
            lambda: services.tool_register(
                actor=request.user,
                code=d["code"],
                name=d["name"],
                kind=d["kind"],
                model=d.get("model") or "",
                serial_number=d.get("serial_number") or "",
                value=d.get("value"),
                keeper_id=d["keeper"].pk,
                is_fixed_asset=bool(d.get("is_fixed_asset")),
                asset_number=d.get("asset_number") or "",
                purchase_date=d.get("purchase_date"),
                calibration_due=d.get("calibration_due"),
            ),
        ):
            messages.success(request, _("The tool was registered."))
            return redirect("tools:list")
    return _list_page(request, status=400, tool_form=form)


def _detail(request: HttpRequest, tool: Tool, *, status: int = 200, **forms: Any) -> HttpResponse:
    me = request.user.pk
    context = {
        "tool": tool,
        "checkouts": list(selectors.tool_checkouts(tool=tool)[:50]),
        "incidents": list(tool.incidents.all()),
        "open_checkout": tool.open_checkouts[0] if tool.open_checkouts else None,  # type: ignore[attr-defined]
        "can_manage": can_manage_tools(user=request.user),
        "is_keeper": tool.keeper_id == me,
        "checkout_form": forms.get("checkout_form") or CheckOutForm(),
        "incident_form": forms.get("incident_form") or IncidentForm(),
        "decide_form": forms.get("decide_form") or DecideForm(initial={"liability": Liability.NORMAL_WEAR}),
        "hand_over_form": forms.get("hand_over_form") or HandOverForm(),
    }
    return render(request, "tools/detail.html", context, status=status)


@allowed_if(can_use_tools)
def tool_detail(request: HttpRequest, tool_id: int) -> HttpResponse:
    return _detail(request, selectors.tool_get(actor=request.user, tool_id=tool_id))


def _responsible_id(d: dict[str, Any]) -> int | None:
    return d["responsible"].pk if d.get("responsible") else None


@require_POST
@allowed_if(can_use_tools)
def tool_action(request: HttpRequest, tool_id: int, action: str) -> HttpResponse:
    """check-out, return, incident, decide, hand-over: one form each, errors beside their fields."""
    tool = selectors.tool_get(actor=request.user, tool_id=tool_id)
    user = request.user
    if action == "return":
        open_checkout = tool.open_checkouts[0] if tool.open_checkouts else None  # type: ignore[attr-defined]
        if open_checkout is None:
            messages.error(request, _("The tool is not checked out."))
        else:
            services.tool_return(actor=user, checkout_id=open_checkout.pk)
            messages.success(request, _("The return was recorded."))
        return redirect("tools:detail", tool.pk)
    forms_by_action: dict[str, tuple[str, type[Any]]] = {
        "check-out": ("checkout_form", CheckOutForm),
        "incident": ("incident_form", IncidentForm),
        "decide": ("decide_form", DecideForm),
        "hand-over": ("hand_over_form", HandOverForm),
    }
    if action not in forms_by_action:
        raise NotFound(_("Unknown action."))
    key, form_class = forms_by_action[action]
    form = form_class(request.POST)
    raw_incident = request.POST.get("incident") or ""
    incident_id = int(raw_incident) if raw_incident.isdigit() else 0
    if action == "decide" and not tool.incidents.filter(pk=incident_id).exists():
        raise NotFound(_("Report not found."))

    def call() -> Any:
        d = form.cleaned_data
        if action == "check-out":
            return services.tool_check_out(
                actor=user, tool_id=tool.pk, borrower_id=d["borrower"].pk,
                due_back=d.get("due_back"), purpose=d.get("purpose") or "",
            )  # fmt: skip
        if action == "incident":
            return services.tool_report_incident(
                actor=user, tool_id=tool.pk, kind=d["kind"], description=d["description"]
            )
        if action == "decide":
            return services.tool_decide_incident(
                actor=user, incident_id=incident_id, liability=d["liability"],
                responsible_id=_responsible_id(d), compensation=d.get("compensation"),
                note=d.get("note") or "", back_in_service=bool(d.get("back_in_service")),
            )  # fmt: skip
        return services.tool_hand_over(actor=user, tool_id=tool.pk, keeper_id=d["keeper"].pk)

    if form.is_valid() and _try(form, call):
        messages.success(request, _("Saved."))
        return redirect("tools:detail", tool.pk)
    return _detail(request, selectors.tool_get(actor=user, tool_id=tool_id), status=400, **{key: form})


def _purchases_page(
    request: HttpRequest, *, status: int = 200, form: PurchaseForm | None = None
) -> HttpResponse:
    context = {
        "requests": selectors.purchase_list(actor=request.user)[:200],
        "form": form or PurchaseForm(),
        "can_approve": can_approve_purchases(user=request.user),
        "statuses": PurchaseStatus,
    }
    return render(request, "tools/purchases.html", context, status=status)


@allowed_if(can_use_tools)
def purchases(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PurchaseForm(request.POST)
        if form.is_valid() and _try(
            form, lambda: services.purchase_request(actor=request.user, **form.cleaned_data)
        ):
            messages.success(request, _("The purchase request was submitted."))
            return redirect("tools:purchases")
        return _purchases_page(request, status=400, form=form)
    return _purchases_page(request)


@require_POST
@allowed_if(can_approve_purchases)
def purchase_advance(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        services.purchase_advance(
            actor=request.user,
            request_id=request_id,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
        )
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("Saved."))
    return redirect("tools:purchases")
