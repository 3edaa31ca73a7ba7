"""Work-order pages: the list, "my work today" (phone first), planning, the order page with the actions
its state and the viewer allow, the customer's signature on the engineer's screen, and downloads.
Thin: parse, call one service or selector, render; a refusal goes beside its field or in a message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.accounts.decorators import allowed_if
from weibao.accounts.permissions import is_portal_user
from weibao.core.errors import DomainError, PermissionDenied, ValidationFailed
from weibao.core.forms import add_domain_error
from weibao.core.pagination import keyset_paginate
from weibao.fieldservice import selectors, services
from weibao.fieldservice.choices import FeeStatus, OrderKind, OrderStatus, ServiceType
from weibao.fieldservice.forms import (
    AcceptQuoteForm,
    AnnotateForm,
    ChargeFormSet,
    CheckInForm,
    OrderCreateForm,
    OrderFilterForm,
    PhotoForm,
    ReasonForm,
    ReceiptForm,
    RecordForm,
    RescheduleForm,
    ReturnForm,
    SettleForm,
    SignForm,
)
from weibao.fieldservice.models import WorkOrder
from weibao.fieldservice.permissions import (
    can_act,
    can_manage_orders,
    can_see_orders,
    can_settle_fees,
    can_work_orders,
)
from weibao.fieldservice.transitions import OrderAction, allowed_from
from weibao.tickets.selectors import ticket_get_by_number

PAGE_SIZE = 50
_FIELDS = {"engineer_ids": "engineers", "customer_id": "customer", "site_id": "site", "system_id": "system"}


def _order(request: HttpRequest, number: int) -> WorkOrder:
    return selectors.work_order_get_by_number(actor=request.user, number=number)


def _try(form: Any, call: Callable[[], Any]) -> int:
    """Run a service; a refusal goes beside its field (or on the form). The status to answer."""
    try:
        call()
    except PermissionDenied:
        raise
    except DomainError as exc:
        if form is not None:
            add_domain_error(form, exc, field_map=_FIELDS)
        return exc.status
    return 302


def _actions(request: HttpRequest, order: WorkOrder) -> dict[str, bool]:
    """Which actions to offer: the viewer's right and the state table agree."""
    if is_portal_user(user=request.user):
        # The customer's own people may accept a quote (the selector already scoped the order).
        quoted = order.fee_status == FeeStatus.QUOTED and allowed_from(
            action=OrderAction.ACCEPT_QUOTE, status=order.status
        )
        return {action: action == OrderAction.ACCEPT_QUOTE and quoted for action in OrderAction.values}
    engineer_ids = {u.pk for u in order.engineers.all()}
    return {
        action: can_act(user=request.user, action=action, engineer_ids=engineer_ids)
        and allowed_from(action=action, status=order.status)
        for action in OrderAction.values
    }


@allowed_if(can_see_orders)
def work_order_list(request: HttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET or None)
    status, mine = "", False
    if form.is_valid():
        status, mine = form.cleaned_data.get("status") or "", bool(form.cleaned_data.get("mine"))
    queryset = selectors.work_order_list(
        actor=request.user, status=status, engineer_id=request.user.pk if mine else None
    ).prefetch_related("engineers")
    page = keyset_paginate(
        queryset=queryset,
        sort_field="planned_start",
        descending=False,
        cursor=request.GET.get("cursor"),
        limit=PAGE_SIZE,
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {
        "form": form,
        "orders": page.items,
        "next_cursor": page.next_cursor,
        "query": query.urlencode(),
        "can_plan": can_manage_orders(user=request.user),
    }
    return render(request, "fieldservice/list.html", context)


@allowed_if(can_work_orders)
def my_today(request: HttpRequest) -> HttpResponse:
    """The engineer's phone page: today's visits and sessions, with the next step of each."""
    orders = selectors.my_work_today(actor=request.user)
    return render(request, "fieldservice/today.html", {"orders": orders, "today": timezone.localdate()})


@allowed_if(can_manage_orders)
def work_order_create(request: HttpRequest) -> HttpResponse:
    """Plan a visit: from a ticket (``?ticket=<number>``) or on its own."""
    ticket = None
    number = request.GET.get("ticket") or request.POST.get("ticket")
    if number:
        if not str(number).isdigit():
            raise Http404
        ticket = ticket_get_by_number(actor=request.user, number=int(number))
    initial: dict[str, Any] = {}
    if ticket is not None:
        start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        initial = {
            "title": ticket.title,
            "site": ticket.site_id,
            "system": ticket.system_id,
            "planned_start": start,
            "planned_end": start + timedelta(hours=2),
        }
    form = OrderCreateForm(
        request.POST or None, initial=initial, customer=ticket.customer if ticket else None
    )
    if ticket is not None:
        del form.fields["customer"]  # the ticket's
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            created: dict[str, WorkOrder] = {}

            def call() -> None:
                plan = services.OrderPlan(ticket_id=ticket.pk if ticket else None, **form.plan_kwargs())
                created["order"] = services.work_order_create(actor=request.user, plan=plan)

            status = _try(form, call)
            if status == 302:
                messages.success(request, _("The work order was planned."))
                return redirect("fieldservice:detail", number=created["order"].number)
    return render(request, "fieldservice/form.html", {"form": form, "ticket": ticket}, status=status)


def _detail_context(request: HttpRequest, order: WorkOrder, **forms: Any) -> dict[str, Any]:
    actions = _actions(request, order)
    context: dict[str, Any] = {
        "order": order,
        "actions": actions,
        "is_portal": is_portal_user(user=request.user),
        "events": list(order.events.select_related("actor").order_by("at", "id")),
        "items": list(order.items.order_by("code")),
        "total": services.order_total(order=order) if order.service_type == ServiceType.PAID else None,
        "can_settle": can_settle_fees(user=request.user)
        and order.fee_status in (FeeStatus.ACCEPTED, FeeStatus.SETTLED)
        and order.status in (OrderStatus.COMPLETED, OrderStatus.SIGNED),
        "check_in_form": CheckInForm(initial={"version": order.version}),
        "record_form": RecordForm(order=order) if actions[OrderAction.RECORD] else None,
        "photo_form": PhotoForm(),
        "reschedule_form": RescheduleForm(
            initial={
                "planned_start": timezone.localtime(order.planned_start),
                "planned_end": timezone.localtime(order.planned_end),
                "version": order.version,
            }
        ),
        "cancel_form": ReasonForm(initial={"version": order.version}),
        "annotate_form": AnnotateForm(),
        "quote_form": AcceptQuoteForm(
            initial={
                "version": order.version,
                "accepted_by": str(request.user) if is_portal_user(user=request.user) else "",
            }
        ),
        "settle_form": SettleForm(),
        "receipt_form": ReceiptForm(),
        "return_form": ReturnForm(),
        "charges": ChargeFormSet(
            initial=[
                {
                    "description": c.description,
                    "component": c.component,
                    "warranty_end": c.warranty_end,
                    "quantity": c.quantity,
                    "unit_price": c.unit_price,
                }
                for c in order.charges.all()
            ],
            prefix="charges",
        ),
        "remote": order.kind == OrderKind.REMOTE,
    }
    context.update(forms)
    return context


@allowed_if(can_see_orders)
def work_order_detail(request: HttpRequest, number: int) -> HttpResponse:
    order = _order(request, number)
    return render(request, "fieldservice/detail.html", _detail_context(request, order))


@require_POST
@allowed_if(can_see_orders)
def work_order_action(request: HttpRequest, number: int, action: str) -> HttpResponse:
    """One POST endpoint per action; a refusal re-renders the page with the message by the form."""
    order = _order(request, number)
    handler = _HANDLERS.get(action)
    if handler is None:
        raise Http404
    form, call, done, form_key = handler(request, order)
    status = 400
    if form is None or form.is_valid():
        status = _try(form, lambda: call(form))
        if status == 302:
            messages.success(request, done)
            return redirect("fieldservice:detail", number=order.number)
    if form is None or form_key is None:
        messages.error(request, _("This could not be done; see the page for why."))
        return redirect("fieldservice:detail", number=order.number)
    order = _order(request, number)
    return render(
        request,
        "fieldservice/detail.html",
        _detail_context(request, order, **{form_key: form}),
        status=status,
    )


def _version(form: Any) -> int | None:
    return form.cleaned_data.get("version") if form is not None else None


def _h_check_in(request: HttpRequest, order: WorkOrder) -> tuple[Any, Callable[[Any], Any], str, str | None]:
    form = CheckInForm(request.POST)
    return (
        form,
        lambda f: services.work_order_check_in(
            actor=request.user,
            order_id=order.pk,
            latitude=f.cleaned_data.get("latitude"),
            longitude=f.cleaned_data.get("longitude"),
            accuracy_m=f.cleaned_data.get("accuracy_m"),
            remote_consent_by=f.cleaned_data.get("remote_consent_by") or "",
            remote_tool=f.cleaned_data.get("remote_tool") or "",
            version=_version(f),
        ),
        _("Checked in."),
        "check_in_form",
    )


def _h_record(request: HttpRequest, order: WorkOrder) -> tuple[Any, Callable[[Any], Any], str, str | None]:
    form = RecordForm(request.POST, order=order)
    return (
        form,
        lambda f: services.work_order_record(actor=request.user, order_id=order.pk, **f.service_kwargs()),
        _("The work was recorded."),
        "record_form",
    )


def _h_photo(request: HttpRequest, order: WorkOrder) -> tuple[Any, Callable[[Any], Any], str, str | None]:
    form = PhotoForm(request.POST, request.FILES)

    def call(f: Any) -> None:
        upload = f.cleaned_data["photo"]
        if upload.size > settings.ATTACHMENT_MAX_BYTES:  # refuse before reading it into memory
            raise ValidationFailed(_("The photo is too large."), code="too_large", field="photo")
        services.work_order_add_photo(
            actor=request.user,
            order_id=order.pk,
            data=upload.read(),
            filename=upload.name,
            caption=f.cleaned_data.get("caption") or "",
        )

    return form, call, _("The photo was added."), "photo_form"


def _h_check_out(request: HttpRequest, order: WorkOrder) -> tuple[Any, Callable[[Any], Any], str, str | None]:
    """Sent from the work form: what was typed is saved first, then the engineer checks out."""
    form = RecordForm(request.POST, order=order)

    def call(f: Any) -> None:
        kwargs = f.service_kwargs()
        kwargs.pop("version", None)
        services.work_order_record(actor=request.user, order_id=order.pk, **kwargs)
        services.work_order_check_out(actor=request.user, order_id=order.pk)

    return form, call, _("Checked out. Ask the customer to sign."), "record_form"


def _h_reschedule(
    request: HttpRequest, order: WorkOrder
) -> tuple[Any, Callable[[Any], Any], str, str | None]:
    form = RescheduleForm(request.POST)
    return (
        form,
        lambda f: services.work_order_reschedule(
            actor=request.user,
            order_id=order.pk,
            planned_start=f.cleaned_data["planned_start"],
            planned_end=f.cleaned_data["planned_end"],
            reason=f.cleaned_data["reason"],
            version=_version(f),
        ),
        _("The work order was rescheduled."),
        "reschedule_form",
    )


def _h_cancel(request: HttpRequest, order: WorkOrder) -> tuple[Any, Callable[[Any], Any], str, str | None]:
    form = ReasonForm(request.POST)
    return (
        form,
        lambda f: services.work_order_cancel(
            actor=request.user, order_id=order.pk, reason=f.cleaned_data["reason"], version=_version(f)
        ),
        _("The work order was cancelled."),
        "cancel_form",
    )


def _h_annotate(request: HttpRequest, order: WorkOrder) -> tuple[Any, Callable[[Any], Any], str, str | None]:
    form = AnnotateForm(request.POST)
    return (
        form,
        lambda f: services.work_order_annotate(
            actor=request.user, order_id=order.pk, text=f.cleaned_data["text"]
        ),
        _("The annotation was added."),
        "annotate_form",
    )


def _h_charges(request: HttpRequest, order: WorkOrder) -> tuple[Any, Callable[[Any], Any], str, str | None]:
    formset = ChargeFormSet(request.POST, prefix="charges")

    def call(f: Any) -> None:
        lines = [line for line in (form.line() for form in f.forms if form.is_valid()) if line is not None]
        services.work_order_set_charges(actor=request.user, order_id=order.pk, lines=lines)

    return formset, call, _("The fee schedule was saved; the customer must accept it."), "charges"


def _h_accept_quote(
    request: HttpRequest, order: WorkOrder
) -> tuple[Any, Callable[[Any], Any], str, str | None]:
    form = AcceptQuoteForm(request.POST)
    return (
        form,
        lambda f: services.work_order_accept_quote(
            actor=request.user,
            order_id=order.pk,
            accepted_by=f.cleaned_data["accepted_by"],
            version=_version(f),
        ),
        _("The customer's acceptance was recorded."),
        "quote_form",
    )


def _h_settle(request: HttpRequest, order: WorkOrder) -> tuple[Any, Callable[[Any], Any], str, str | None]:
    form = SettleForm(request.POST)
    return (
        form,
        lambda f: services.work_order_settle(
            actor=request.user, order_id=order.pk, invoice_number=f.cleaned_data.get("invoice_number") or ""
        ),
        _("The fees were settled."),
        "settle_form",
    )


def _h_receipt(request: HttpRequest, order: WorkOrder) -> tuple[Any, Callable[[Any], Any], str, str | None]:
    form = ReceiptForm(request.POST)
    return (
        form,
        lambda f: services.receipt_issue(actor=request.user, order_id=order.pk, **f.cleaned_data),
        _("The receipt was issued; give its number to the customer."),
        "receipt_form",
    )


_HANDLERS: dict[
    str, Callable[[HttpRequest, WorkOrder], tuple[Any, Callable[[Any], Any], str, str | None]]
] = {
    "check-in": _h_check_in,
    "record": _h_record,
    "photo": _h_photo,
    "check-out": _h_check_out,
    "reschedule": _h_reschedule,
    "cancel": _h_cancel,
    "annotate": _h_annotate,
    "charges": _h_charges,
    "accept-quote": _h_accept_quote,
    "settle": _h_settle,
    "receipt": _h_receipt,
}


@require_POST
@allowed_if(can_see_orders)
def receipt_return(request: HttpRequest, number: int, receipt_id: int) -> HttpResponse:
    order = _order(request, number)
    if not order.receipts.filter(pk=receipt_id).exists():
        raise Http404
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.receipt_return(actor=request.user, receipt_id=receipt_id, **form.cleaned_data)
        except PermissionDenied:
            raise
        except DomainError as exc:
            messages.error(request, str(exc.detail))
        else:
            messages.success(request, _("The return was recorded."))
    else:
        messages.error(request, _("Say who received the equipment."))
    return redirect("fieldservice:detail", number=order.number)


@allowed_if(can_see_orders)
def work_order_sign(request: HttpRequest, number: int) -> HttpResponse:
    """The customer signs on the engineer's screen: what was done, then name and signature (FLD-2)."""
    order = _order(request, number)
    if not _actions(request, order)[OrderAction.SIGN]:
        raise PermissionDenied(_("This work order cannot be signed now."))
    form = SignForm(request.POST or None, initial={"version": order.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            status = _try(
                form,
                lambda: services.work_order_sign(
                    actor=request.user,
                    order_id=order.pk,
                    signer_name=form.cleaned_data["signer_name"],
                    signature=form.cleaned_data.get("signature") or "",
                    version=form.cleaned_data.get("version"),
                ),
            )
            if status == 302:
                messages.success(request, _("Signed. The service report is being prepared."))
                return redirect("fieldservice:detail", number=order.number)
    return render(request, "fieldservice/sign.html", {"order": order, "form": form}, status=status)


@allowed_if(can_see_orders)
def report_download(request: HttpRequest, number: int) -> HttpResponse:
    order = _order(request, number)
    if not order.report:
        raise Http404
    response = FileResponse(
        order.report.open("rb"),
        as_attachment=True,
        filename=f"服务报告单-WO-{order.number}.pdf",
        content_type="application/pdf",
    )
    return cast("HttpResponse", response)


@allowed_if(can_see_orders)
def photo_download(request: HttpRequest, number: int, photo_id: int) -> HttpResponse:
    order = _order(request, number)
    photo = order.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return cast("HttpResponse", response)
