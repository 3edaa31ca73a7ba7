"""Pages of returns and exchanges (/returns/): the list, a new request (also from a ticket), and an
RMA's page with its analysis, the actions its status allows and the timeline."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from weibao.accounts.decorators import allowed_if
from weibao.core.errors import DomainError, NotFound, PermissionDenied
from weibao.core.forms import add_domain_error
from weibao.customers.models import Customer
from weibao.returns import selectors, services
from weibao.returns.choices import TRANSITIONS, RmaAction, RmaStatus
from weibao.returns.forms import AnalysisForm, RmaFilterForm, RmaForm, TransitionForm
from weibao.returns.models import Rma
from weibao.returns.permissions import can_manage_rmas, can_see_rmas
from weibao.tickets.models import Ticket


@allowed_if(can_see_rmas)
def rma_list(request: HttpRequest) -> HttpResponse:
    form = RmaFilterForm(request.GET or None)
    status, q = "", ""
    if form.is_valid():
        status, q = form.cleaned_data.get("status") or "", form.cleaned_data.get("q") or ""
    rmas = selectors.rma_list(actor=request.user, status=status, q=q)[:200]
    return render(request, "returns/list.html", {"form": form, "rmas": rmas})


@allowed_if(can_see_rmas)
def rma_create(request: HttpRequest) -> HttpResponse:
    """A new return: ``?ticket=<number>`` takes the ticket's customer and first item."""
    ticket = None
    raw = request.GET.get("ticket") or request.POST.get("ticket") or ""
    if raw:
        ticket = (
            Ticket.objects.select_related("customer").filter(number=int(raw) if raw.isdigit() else 0).first()
        )
        if ticket is None:
            raise Http404
    raw_customer = request.POST.get("customer") or request.GET.get("customer") or ""
    customer = ticket.customer if ticket else (
        Customer.objects.filter(pk=int(raw_customer)).first() if raw_customer.isdigit() else None
    )  # fmt: skip
    initial: dict[str, Any] = {}
    if ticket is not None:
        first_item = ticket.items.order_by("code").first()
        initial = {"item": first_item.pk if first_item else None, "reason": ticket.title}
    form = RmaForm(request.POST or None, initial=initial, customer=customer)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                rma = services.rma_create(
                    actor=request.user, customer_id=d["customer"].pk, goods=d.get("goods") or "",
                    reason=d["reason"], quantity=d["quantity"], ticket_id=ticket.pk if ticket else None,
                    item_id=d["item"].pk if d.get("item") else None,
                    supplier_id=d["supplier"].pk if d.get("supplier") else None,
                )  # fmt: skip
            except (NotFound, PermissionDenied):
                raise
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("%(rma)s was requested.") % {"rma": rma.label})
                return redirect("returns:detail", rma.number)
    return render(
        request, "returns/form.html", {"form": form, "ticket": ticket, "customer": customer}, status=status
    )


def _status_label(value: str) -> str:
    return str(RmaStatus(value).label) if value in RmaStatus.values else ""


def _detail(request: HttpRequest, rma: Rma, *, status: int = 200, **forms: Any) -> HttpResponse:
    allowed = [a for a, (sources, _target) in TRANSITIONS.items() if rma.status in sources]
    context = {
        "rma": rma,
        "events": [
            (event, _status_label(event.from_status), _status_label(event.to_status))
            for event in selectors.rma_events(rma=rma)
        ],
        "can_manage": can_manage_rmas(user=request.user),
        "actions": [(a, RmaAction(a).label) for a in allowed],
        "analysis_form": forms.get("analysis_form")
        or AnalysisForm(
            initial={
                "root_cause": rma.root_cause,
                "responsible_department": rma.responsible_department,
                "responsible_person": rma.responsible_person,
                "supplier": rma.supplier_id,
                "version": rma.version,
            }
        ),
        "transition_form": forms.get("transition_form") or TransitionForm(initial={"version": rma.version}),
    }
    return render(request, "returns/detail.html", context, status=status)


@allowed_if(can_see_rmas)
def rma_detail(request: HttpRequest, number: int) -> HttpResponse:
    return _detail(request, selectors.rma_get(actor=request.user, number=number))


@allowed_if(can_manage_rmas)
def rma_analyse(request: HttpRequest, number: int) -> HttpResponse:
    rma = selectors.rma_get(actor=request.user, number=number)
    if request.method != "POST":
        return redirect("returns:detail", number)
    form = AnalysisForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        changes = {k: d.get(k) or "" for k in ("root_cause", "responsible_department", "responsible_person")}
        changes["supplier_id"] = d["supplier"].pk if d.get("supplier") else None
        try:
            services.rma_analyse(actor=request.user, rma_id=rma.pk, changes=changes, version=d.get("version"))
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("returns:detail", number)
    return _detail(request, rma, status=400, analysis_form=form)


@allowed_if(can_manage_rmas)
def rma_action(request: HttpRequest, number: int, action: str) -> HttpResponse:
    rma = selectors.rma_get(actor=request.user, number=number)
    if request.method != "POST" or action not in TRANSITIONS:
        raise Http404
    form = TransitionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.rma_transition(
                actor=request.user, rma_id=rma.pk, action=action, note=d.get("note") or "",
                shipping_reference=d.get("shipping_reference") or "", outcome=d.get("outcome") or "",
                refund_amount=d.get("refund_amount"), version=d.get("version"),
            )  # fmt: skip
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("returns:detail", number)
    return _detail(request, rma, status=400, transition_form=form)
