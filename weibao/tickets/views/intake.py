"""Intake pages: the agent's "log a call / IM message" form and the customer's portal report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.decorators import allowed_if
from weibao.accounts.permissions import is_staff_user
from weibao.assets.services import Entitlement, entitlement_for
from weibao.core.errors import DomainError, NotFound, PermissionDenied
from weibao.core.forms import add_domain_error
from weibao.tickets import selectors, services
from weibao.tickets.choices import Priority
from weibao.tickets.forms import LogCallForm, PortalReportForm
from weibao.tickets.forms.intake import int_or_none
from weibao.tickets.permissions import actor_customer_id
from weibao.tickets.templatetags.ticket_tags import PRIORITY_COLOURS
from weibao.tickets.views._common import HtmxHttpRequest, can_log_call, can_report, signed_in

CUSTOMER_FIELDS = ("customer", "contact", "site", "system", "module", "items")


def priority_preview_data() -> dict[str, Any]:
    """The matrix and labels the priority preview (static/src/js/weibao.js) computes from."""
    return {
        "matrix": {f"{u}-{i}": p for (u, i), p in selectors.priority_matrix().items()},
        "labels": {value: str(label) for value, label in Priority.choices},
        "colours": {int(p): colour for p, colour in PRIORITY_COLOURS.items()},
        "emergency": int(Priority.CRITICAL),
    }


def _customer_fields_attrs(form: LogCallForm | PortalReportForm, url: str) -> None:
    """Changing the customer or the system reloads the dependent selects (htmx)."""
    include = ",".join(f"[name={name}]" for name in CUSTOMER_FIELDS)
    attrs = {"hx-get": url, "hx-target": "#customer-fields", "hx-swap": "outerHTML", "hx-include": include}
    for name in ("customer", "system", "items"):
        if name in form.fields:
            form.fields[name].widget.attrs.update(attrs)


def entitlement_preview(form: LogCallForm) -> Entitlement | None:
    """Who would pay for work on the chosen items (or system) today - shown to the agent at intake
    (AST-2). Reads the choices the form offers, so nothing outside the customer is considered."""
    source = form.data if form.is_bound else form.initial
    customer = form.fields["customer"].queryset.filter(pk=int_or_none(source.get("customer")) or 0).first()  # type: ignore[attr-defined]
    if customer is None:
        return None
    raw = source.getlist("items") if hasattr(source, "getlist") else source.get("items") or []
    wanted = [int(v) for v in raw if str(v).isdigit()]
    items = list(form.fields["items"].queryset.filter(pk__in=wanted).select_related("system"))  # type: ignore[attr-defined]
    system = form.fields["system"].queryset.filter(pk=int_or_none(source.get("system")) or 0).first()  # type: ignore[attr-defined]
    return entitlement_for(customer=customer, system=system, items=items, on=timezone.localdate())


def _create(request: HtmxHttpRequest, form: LogCallForm | PortalReportForm) -> tuple[Any, int]:
    """Call ticket_create; on a refusal put the message beside its field. Returns (ticket, status)."""
    try:
        ticket = services.ticket_create(actor=request.user, **form.service_kwargs())
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        add_domain_error(form, exc)
        return None, exc.status
    return ticket, 302


@allowed_if(can_log_call)
def log_call(request: HtmxHttpRequest) -> HttpResponse:
    """An agent records a phone call or a forwarded IM message as a ticket."""
    options_url = reverse("tickets:log_call_options")
    status = 200
    if request.method == "POST":
        form = LogCallForm(request.POST, request.FILES)
        if form.is_valid():
            ticket, status = _create(request, form)
            if ticket is not None:
                messages.success(request, _("Ticket #%(number)s was created.") % {"number": ticket.number})
                return redirect("tickets:detail", number=ticket.number)
        else:
            status = 400
    else:
        form = LogCallForm(initial=_initial_from_query(request))
    _customer_fields_attrs(form, options_url)
    context = {"form": form, "preview": priority_preview_data(), "entitlement": entitlement_preview(form)}
    return render(request, "tickets/log_call.html", context, status=status)


def _initial_from_query(request: HtmxHttpRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {name: request.GET[name] for name in CUSTOMER_FIELDS if request.GET.get(name)}
    if request.GET.getlist("items"):
        initial["items"] = request.GET.getlist("items")
    return initial


@allowed_if(can_log_call)
def log_call_options(request: HtmxHttpRequest) -> HttpResponse:
    """The contact/site/system/module selects for the chosen customer (and system)."""
    form = LogCallForm(initial=_initial_from_query(request))
    _customer_fields_attrs(form, reverse("tickets:log_call_options"))
    context = {"form": form, "entitlement": entitlement_preview(form)}
    return render(request, "tickets/partials/customer_fields.html", context)


@allowed_if(signed_in)
def portal_create(request: HtmxHttpRequest) -> HttpResponse:
    """A customer reports a problem (their own customer's systems only)."""
    if is_staff_user(user=request.user):
        return redirect("tickets:console")
    if not can_report(user=request.user):
        raise PermissionDenied(_("You may not report problems."))
    customer_id = actor_customer_id(actor=request.user)
    status = 200
    if request.method == "POST":
        form = PortalReportForm(request.POST, request.FILES, customer_id=customer_id)
        if form.is_valid():
            ticket, status = _create(request, form)
            if ticket is not None:
                messages.success(
                    request,
                    _("Thank you. Your report has number #%(number)s; we will get back to you.")
                    % {"number": ticket.number},
                )
                return redirect("tickets:detail", number=ticket.number)
        else:
            status = 400
    else:
        form = PortalReportForm(customer_id=customer_id, initial=_initial_from_query(request))
    _customer_fields_attrs(form, reverse("tickets:portal_options"))
    return render(request, "tickets/portal_create.html", {"form": form}, status=status)


@allowed_if(can_report)
def portal_options(request: HtmxHttpRequest) -> HttpResponse:
    """The module select for the chosen system of the customer's own systems."""
    form = PortalReportForm(
        customer_id=actor_customer_id(actor=request.user), initial=_initial_from_query(request)
    )
    _customer_fields_attrs(form, reverse("tickets:portal_options"))
    return render(request, "tickets/partials/customer_fields.html", {"form": form})
