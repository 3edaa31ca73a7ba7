"""API router: /work-orders (派工单) and /receipts. Thin handlers: scope and rules live in the
selectors and services; every action is ``POST /work-orders/{id}/<action>``."""

# No ``from __future__ import annotations``: ninja resolves Query[...] parameter types at import.

from typing import Any, cast

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from weibao.core.api_auth import API_AUTH
from weibao.core.errors import ValidationFailed
from weibao.core.pagination import keyset_paginate
from weibao.fieldservice import selectors, services
from weibao.fieldservice.schemas import (
    AcceptQuoteIn,
    ChargesIn,
    CheckInIn,
    ErrorOut,
    ReasonIn,
    ReceiptIn,
    ReceiptOut,
    RecordIn,
    RescheduleIn,
    ReturnIn,
    SettleIn,
    SignIn,
    TextIn,
    WorkOrderCreateIn,
    WorkOrderListQuery,
    WorkOrderOut,
    WorkOrderPageOut,
)

router = Router(auth=API_AUTH, tags=["work orders"])

READ = {frozenset({401, 403, 422}): ErrorOut}
ONE = {frozenset({401, 403, 404}): ErrorOut}
WRITE = {frozenset({400, 401, 403, 404, 409, 422}): ErrorOut}


def _get(request: HttpRequest, order_id: int) -> Any:
    return selectors.work_order_get(actor=request.user, order_id=order_id)


@router.get("/work-orders", response={200: WorkOrderPageOut, **READ}, url_name="work_order_list")
def list_orders(request: HttpRequest, filters: Query[WorkOrderListQuery]) -> Any:
    """Work orders in the caller's scope by planned start, in keyset pages."""
    queryset = selectors.work_order_list(
        actor=request.user,
        status=filters.status or "",
        customer_id=filters.customer_id,
        engineer_id=filters.engineer_id,
    )
    page = keyset_paginate(
        queryset=queryset,
        sort_field="planned_start",
        descending=False,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/work-orders", response={201: WorkOrderOut, **WRITE}, url_name="work_order_create")
def create_order(request: HttpRequest, payload: WorkOrderCreateIn) -> Any:
    """Plan a visit or remote session (from a ticket with ``ticket_id``); the service type is decided here."""
    order = services.work_order_create(actor=request.user, plan=services.OrderPlan(**payload.model_dump()))
    return Status(201, _get(request, order.pk))


@router.get("/work-orders/{int:order_id}", response={200: WorkOrderOut, **ONE}, url_name="work_order")
def get_order(request: HttpRequest, order_id: int) -> Any:
    return _get(request, order_id)


@router.post(
    "/work-orders/{int:order_id}/reschedule",
    response={200: WorkOrderOut, **WRITE},
    url_name="work_order_reschedule",
)
def reschedule(request: HttpRequest, order_id: int, payload: RescheduleIn) -> Any:
    services.work_order_reschedule(actor=request.user, order_id=order_id, **payload.model_dump())
    return _get(request, order_id)


@router.post(
    "/work-orders/{int:order_id}/check-in",
    response={200: WorkOrderOut, **WRITE},
    url_name="work_order_check_in",
)
def check_in(request: HttpRequest, order_id: int, payload: CheckInIn) -> Any:
    """Arrive on site (meets the ticket's on-site target) or open the remote session (with consent)."""
    services.work_order_check_in(actor=request.user, order_id=order_id, **payload.model_dump())
    return _get(request, order_id)


@router.post(
    "/work-orders/{int:order_id}/record", response={200: WorkOrderOut, **WRITE}, url_name="work_order_record"
)
def record(request: HttpRequest, order_id: int, payload: RecordIn) -> Any:
    data = payload.model_dump()
    results = [services.CheckResultInput(**r) for r in data.pop("results")]
    parts = data.pop("parts")
    services.work_order_record(
        actor=request.user,
        order_id=order_id,
        results=results,
        parts=[services.PartInput(**p) for p in parts] if parts is not None else None,
        **data,
    )
    return _get(request, order_id)


@router.post(
    "/work-orders/{int:order_id}/photos", response={201: WorkOrderOut, **WRITE}, url_name="work_order_photo"
)
def add_photo(request: HttpRequest, order_id: int, photo: File[UploadedFile], caption: Form[str] = "") -> Any:
    """A JPEG or PNG photo (multipart ``photo``)."""
    if photo.size is None or photo.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationFailed(_("The photo is too large."), code="too_large", field="photo")
    services.work_order_add_photo(
        actor=request.user,
        order_id=order_id,
        data=photo.read(),
        filename=photo.name or "photo",
        caption=caption,
    )
    return Status(201, _get(request, order_id))


@router.post(
    "/work-orders/{int:order_id}/check-out",
    response={200: WorkOrderOut, **WRITE},
    url_name="work_order_check_out",
)
def check_out(request: HttpRequest, order_id: int) -> Any:
    services.work_order_check_out(actor=request.user, order_id=order_id)
    return _get(request, order_id)


@router.post(
    "/work-orders/{int:order_id}/sign", response={200: WorkOrderOut, **WRITE}, url_name="work_order_sign"
)
def sign(request: HttpRequest, order_id: int, payload: SignIn) -> Any:
    """The customer's signature (a PNG data URL) and name; the order is read-only afterwards."""
    services.work_order_sign(actor=request.user, order_id=order_id, **payload.model_dump())
    return _get(request, order_id)


@router.post(
    "/work-orders/{int:order_id}/annotate",
    response={200: WorkOrderOut, **WRITE},
    url_name="work_order_annotate",
)
def annotate(request: HttpRequest, order_id: int, payload: TextIn) -> Any:
    services.work_order_annotate(actor=request.user, order_id=order_id, text=payload.text)
    return _get(request, order_id)


@router.post(
    "/work-orders/{int:order_id}/cancel", response={200: WorkOrderOut, **WRITE}, url_name="work_order_cancel"
)
def cancel(request: HttpRequest, order_id: int, payload: ReasonIn) -> Any:
    services.work_order_cancel(actor=request.user, order_id=order_id, **payload.model_dump())
    return _get(request, order_id)


@router.put(
    "/work-orders/{int:order_id}/charges",
    response={200: WorkOrderOut, **WRITE},
    url_name="work_order_charges",
)
def set_charges(request: HttpRequest, order_id: int, payload: ChargesIn) -> Any:
    """Replace the fee schedule of a paid order (it becomes a quote the customer must accept)."""
    lines = [services.ChargeInput(**line.model_dump()) for line in payload.lines]
    services.work_order_set_charges(
        actor=request.user, order_id=order_id, lines=lines, version=payload.version
    )
    return _get(request, order_id)


@router.post(
    "/work-orders/{int:order_id}/accept-quote",
    response={200: WorkOrderOut, **WRITE},
    url_name="work_order_accept_quote",
)
def accept_quote(request: HttpRequest, order_id: int, payload: AcceptQuoteIn) -> Any:
    services.work_order_accept_quote(actor=request.user, order_id=order_id, **payload.model_dump())
    return _get(request, order_id)


@router.post(
    "/work-orders/{int:order_id}/settle", response={200: WorkOrderOut, **WRITE}, url_name="work_order_settle"
)
def settle(request: HttpRequest, order_id: int, payload: SettleIn) -> Any:
    """Finance: settled, and invoiced when an invoice number is given."""
    services.work_order_settle(actor=request.user, order_id=order_id, **payload.model_dump())
    return _get(request, order_id)


@router.post(
    "/work-orders/{int:order_id}/receipts", response={201: ReceiptOut, **WRITE}, url_name="work_order_receipt"
)
def issue_receipt(request: HttpRequest, order_id: int, payload: ReceiptIn) -> Any:
    """Equipment taken back for repair: the receipt number is what the customer keeps."""
    return Status(201, services.receipt_issue(actor=request.user, order_id=order_id, **payload.model_dump()))


@router.post(
    "/receipts/{int:receipt_id}/return", response={200: ReceiptOut, **WRITE}, url_name="receipt_return"
)
def return_receipt(request: HttpRequest, receipt_id: int, payload: ReturnIn) -> Any:
    return services.receipt_return(actor=request.user, receipt_id=receipt_id, **payload.model_dump())


@router.get("/work-orders/{int:order_id}/report", response={200: None, **ONE}, url_name="work_order_report")
def report(request: HttpRequest, order_id: int) -> HttpResponse:
    """The service report PDF (after the signature; 404 until it is produced)."""
    order = _get(request, order_id)
    if not order.report:
        raise Http404
    response = FileResponse(
        order.report.open("rb"),
        as_attachment=True,
        filename=f"WO-{order.number}.pdf",
        content_type="application/pdf",
    )
    return cast("HttpResponse", response)
