"""Stock pages (/inventory/): on hand per part (warehouses), a part's ledger, and the moves. Thin:
parse, call one service or selector, render; a refusal goes beside its field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from weibao.accounts.decorators import allowed_if
from weibao.core.errors import DomainError, NotFound, PermissionDenied
from weibao.core.forms import add_domain_error
from weibao.inventory import selectors, services
from weibao.inventory.forms import (
    CountForm,
    LendForm,
    LoanerForm,
    MoveForm,
    PartForm,
    ReturnForm,
    TransferForm,
)
from weibao.inventory.models import Part, StockLevel
from weibao.inventory.permissions import can_manage_stock, can_see_stock
from weibao.tickets.models import Ticket

_FIELDS = {
    "part_id": "part",
    "location_id": "location",
    "from_location_id": "from_location",
    "to_location_id": "to_location",
}
PAGE_SIZE = 100


def _try(form: Any, call: Callable[[], Any]) -> int:
    try:
        call()
    except PermissionDenied:
        raise
    except DomainError as exc:
        add_domain_error(form, exc, field_map=_FIELDS)
        return exc.status
    return 302


@allowed_if(can_see_stock)
def stock_list(request: HttpRequest) -> HttpResponse:
    """Every part with its warehouse total; ``?low=1`` only those below their minimum."""
    low = request.GET.get("low") == "1"
    parts = Paginator(selectors.on_hand(actor=request.user, below_minimum=low), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": parts,
        "low": low,
        "can_manage": can_manage_stock(user=request.user),
        "move_form": MoveForm(),
        "transfer_form": TransferForm(),
        "count_form": CountForm(),
        "part_form": PartForm(),
    }
    return render(request, "inventory/list.html", context)


@allowed_if(can_see_stock)
def part_detail(request: HttpRequest, part_id: int) -> HttpResponse:
    part = Part.objects.filter(pk=part_id).first()
    if part is None:
        raise Http404
    levels = (
        StockLevel.objects.filter(part=part)
        .select_related("location")
        .order_by("location__kind", "location__code")
    )
    moves = Paginator(selectors.part_ledger(actor=request.user, part_id=part.pk), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "inventory/part.html", {"part": part, "levels": levels, "moves": moves})


def _post(request: HttpRequest, form: Any, call: Callable[[Any], Any], done: str) -> HttpResponse:
    status = 400
    if form.is_valid():
        status = _try(form, lambda: call(form.cleaned_data))
        if status == 302:
            messages.success(request, done)
            return redirect("inventory:list")
    context = {
        "page": Paginator(selectors.on_hand(actor=request.user), PAGE_SIZE).get_page(1),
        "low": False,
        "can_manage": can_manage_stock(user=request.user),
        "move_form": MoveForm(),
        "transfer_form": TransferForm(),
        "count_form": CountForm(),
        "part_form": PartForm(),
    }
    context[
        {
            MoveForm: "move_form",
            TransferForm: "transfer_form",
            CountForm: "count_form",
            PartForm: "part_form",
        }[type(form)]
    ] = form
    return render(request, "inventory/list.html", context, status=status)


@allowed_if(can_see_stock)
def move(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("inventory:list")
    return _post(
        request,
        MoveForm(request.POST),
        lambda d: services.stock_move(
            actor=request.user,
            part_id=d["part"].pk,
            location_id=d["location"].pk,
            kind=d["kind"],
            quantity=d["quantity"],
            reference=d.get("reference") or "",
            note=d.get("note") or "",
        ),
        _("The move was recorded."),
    )


@allowed_if(can_manage_stock)
def transfer(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("inventory:list")
    return _post(
        request,
        TransferForm(request.POST),
        lambda d: services.stock_transfer(
            actor=request.user,
            part_id=d["part"].pk,
            from_location_id=d["from_location"].pk,
            to_location_id=d["to_location"].pk,
            quantity=d["quantity"],
            note=d.get("note") or "",
        ),
        _("The transfer was recorded."),
    )


@allowed_if(can_manage_stock)
def count(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("inventory:list")
    return _post(
        request,
        CountForm(request.POST),
        lambda d: services.stock_count(
            actor=request.user,
            part_id=d["part"].pk,
            location_id=d["location"].pk,
            counted=d["counted"],
            note=d.get("note") or "",
        ),
        _("The count was recorded."),
    )


@allowed_if(can_manage_stock)
def part_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("inventory:list")
    return _post(
        request,
        PartForm(request.POST),
        lambda d: services.part_create(actor=request.user, **d),
        _("The part was added to the catalogue."),
    )


# --------------------------------------------------------------------------- loaner units (备用机)


def _loaners_page(request: HttpRequest, *, status: int = 200, **forms: Any) -> HttpResponse:
    context = {
        "units": list(selectors.loaner_list(actor=request.user)),
        "recent": list(selectors.loan_list(actor=request.user)[:30]),
        "can_manage": can_manage_stock(user=request.user),
        "loaner_form": forms.get("loaner_form") or LoanerForm(),
        "lend_form": forms.get("lend_form") or LendForm(),
        "return_form": ReturnForm(),
    }
    return render(request, "inventory/loaners.html", context, status=status)


@allowed_if(can_see_stock)
def loaners(request: HttpRequest) -> HttpResponse:
    """Loaner units: where each one is, who has it until when (overdue marked), recent loans."""
    return _loaners_page(request)


@allowed_if(can_manage_stock)
def loaner_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("inventory:loaners")
    form = LoanerForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        call = lambda: services.loaner_create(  # noqa: E731
            actor=request.user,
            code=d["code"],
            name=d["name"],
            model=d.get("model") or "",
            serial_number=d.get("serial_number") or "",
            location_id=d["location"].pk if d.get("location") else None,
        )
        if _try(form, call) == 302:
            messages.success(request, _("The loaner unit was registered."))
            return redirect("inventory:loaners")
    return _loaners_page(request, status=400, loaner_form=form)


@allowed_if(can_see_stock)
def loan_lend(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("inventory:loaners")
    form = LendForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        ticket_id = None
        if d.get("ticket"):
            ticket_id = Ticket.objects.filter(number=d["ticket"]).values_list("pk", flat=True).first()
            if ticket_id is None:
                form.add_error("ticket", _("Unknown ticket."))
        if not form.errors:
            call = lambda: services.loan_lend(  # noqa: E731
                actor=request.user,
                unit_id=d["unit"].pk,
                customer_id=d["customer"].pk,
                due_on=d["due_on"],
                ticket_id=ticket_id,
                contact_name=d.get("contact_name") or "",
                note=d.get("note") or "",
            )
            status = _try(form, call)
            if status == 302:
                messages.success(request, _("The loaner unit was lent."))
                return redirect("inventory:loaners")
    return _loaners_page(request, status=400, lend_form=form)


@allowed_if(can_see_stock)
def loan_return(request: HttpRequest, loan_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("inventory:loaners")
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.loan_return(
                actor=request.user,
                loan_id=loan_id,
                condition=form.cleaned_data.get("condition") or "",
                needs_repair=bool(form.cleaned_data.get("needs_repair")),
            )
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            messages.error(request, str(exc.detail))
        else:
            messages.success(request, _("The return was recorded."))
    return redirect("inventory:loaners")


@allowed_if(can_manage_stock)
def loaner_status(request: HttpRequest, unit_id: int) -> HttpResponse:
    if request.method == "POST":
        try:
            services.loaner_set_status(
                actor=request.user, unit_id=unit_id, status=request.POST.get("status", "")
            )
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            messages.error(request, str(exc.detail))
    return redirect("inventory:loaners")
