"""API router: /tools (register, check out, return, report and decide losses and damages, hand over)
and /purchase-requests (request, approve or reject, ordered, received). Thin handlers."""

# No ``from __future__ import annotations``: ninja resolves Query[...] parameter types at import.

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from weibao.core.api_auth import API_AUTH
from weibao.tools import selectors, services
from weibao.tools.choices import IncidentKind, Liability, PurchaseStatus, ToolKind, ToolStatus

router = Router(auth=API_AUTH, tags=["tools"])


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


class CheckoutOut(Schema):
    id: int
    tool_id: int
    borrower_id: int
    checked_out_at: datetime
    due_back: date | None
    purpose: str
    returned_at: datetime | None


class IncidentOut(Schema):
    id: int
    tool_id: int
    kind: IncidentKind
    description: str
    reported_at: datetime
    liability: Liability
    responsible_id: int | None
    compensation: Decimal | None
    decision_note: str
    decided_at: datetime | None


class ToolOut(Schema):
    id: int
    code: str
    name: str
    kind: ToolKind
    model: str
    serial_number: str
    keeper_id: int
    status: ToolStatus
    is_fixed_asset: bool
    asset_number: str
    value: Decimal | None
    purchase_date: date | None
    calibration_due: date | None
    open_checkout: CheckoutOut | None = None

    @staticmethod
    def resolve_open_checkout(obj: Any) -> Any:
        checkouts = getattr(obj, "open_checkouts", None)
        return checkouts[0] if checkouts else None


class ToolIn(_In):
    code: str
    name: str
    keeper_id: int
    kind: ToolKind = ToolKind.TOOL
    model: str = ""
    serial_number: str = ""
    is_fixed_asset: bool = False
    asset_number: str = Field(default="", description="Required for a fixed asset")
    value: Decimal | None = None
    purchase_date: date | None = None
    calibration_due: date | None = None
    notes: str = ""


class CheckOutIn(_In):
    borrower_id: int
    due_back: date | None = None
    purpose: str = ""


class IncidentIn(_In):
    kind: IncidentKind
    description: str


class DecideIn(_In):
    liability: Liability = Field(description="normal_wear or compensation")
    responsible_id: int | None = Field(default=None, description="Required for compensation")
    compensation: Decimal | None = Field(default=None, description="Required for compensation (CNY)")
    note: str = ""
    back_in_service: bool = Field(default=False, description="A damaged tool was repaired")


class HandOverIn(_In):
    keeper_id: int


class PurchaseIn(_In):
    title: str
    quantity: int = 1
    unit_price: Decimal
    reason: str


class AdvanceIn(_In):
    status: PurchaseStatus = Field(description="approved or rejected (with a note), then ordered, received")
    note: str = ""


class PurchaseOut(Schema):
    id: int
    title: str
    quantity: int
    unit_price: Decimal
    reason: str
    requested_by_id: int
    requested_at: datetime
    status: PurchaseStatus
    decided_by_id: int | None
    decided_at: datetime | None
    decision_note: str


READ = {frozenset({401, 403, 404, 422}): ErrorOut}
WRITE = {frozenset({400, 401, 403, 404, 409, 422}): ErrorOut}


def _tool(request: HttpRequest, tool_id: int) -> Any:
    return selectors.tool_get(actor=request.user, tool_id=tool_id)


@router.get("/tools", response={200: list[ToolOut], **READ}, url_name="tool_list")
def list_tools(
    request: HttpRequest, mine: bool = False, status: ToolStatus | None = None, q: str = ""
) -> Any:
    """The tool register (500 at most); ``mine``: kept or borrowed by the caller."""
    return list(selectors.tool_list(actor=request.user, mine=mine, status=status or "", q=q)[:500])


@router.post("/tools", response={201: ToolOut, **WRITE}, url_name="tool_register")
def register(request: HttpRequest, payload: ToolIn) -> Any:
    tool = services.tool_register(actor=request.user, **payload.model_dump())
    return Status(201, _tool(request, tool.pk))


@router.get("/tools/{int:tool_id}", response={200: ToolOut, **READ}, url_name="tool_detail")
def get_tool(request: HttpRequest, tool_id: int) -> Any:
    return _tool(request, tool_id)


@router.get(
    "/tools/{int:tool_id}/checkouts", response={200: list[CheckoutOut], **READ}, url_name="tool_checkouts"
)
def checkouts(request: HttpRequest, tool_id: int) -> Any:
    return list(selectors.tool_checkouts(tool=_tool(request, tool_id))[:200])


@router.post(
    "/tools/{int:tool_id}/check-out", response={201: CheckoutOut, **WRITE}, url_name="tool_check_out"
)
def check_out(request: HttpRequest, tool_id: int, payload: CheckOutIn) -> Any:
    """The keeper or a tool manager hands the tool to a colleague; 409 when it is not available."""
    _tool(request, tool_id)
    return Status(201, services.tool_check_out(actor=request.user, tool_id=tool_id, **payload.model_dump()))


@router.post(
    "/tool-checkouts/{int:checkout_id}/return", response={200: CheckoutOut, **WRITE}, url_name="tool_return"
)
def return_tool(request: HttpRequest, checkout_id: int) -> Any:
    return services.tool_return(actor=request.user, checkout_id=checkout_id)


@router.get(
    "/tools/{int:tool_id}/incidents", response={200: list[IncidentOut], **READ}, url_name="tool_incidents"
)
def incidents(request: HttpRequest, tool_id: int) -> Any:
    return list(_tool(request, tool_id).incidents.all())


@router.post("/tools/{int:tool_id}/incidents", response={201: IncidentOut, **WRITE}, url_name="tool_report")
def report(request: HttpRequest, tool_id: int, payload: IncidentIn) -> Any:
    """Report a loss or damage; the tool managers are told."""
    _tool(request, tool_id)
    return Status(
        201, services.tool_report_incident(actor=request.user, tool_id=tool_id, **payload.model_dump())
    )


@router.post(
    "/tool-incidents/{int:incident_id}/decide", response={200: IncidentOut, **WRITE}, url_name="tool_decide"
)
def decide(request: HttpRequest, incident_id: int, payload: DecideIn) -> Any:
    """Normal wear, or compensation by a named person (tool managers)."""
    return services.tool_decide_incident(actor=request.user, incident_id=incident_id, **payload.model_dump())


@router.post("/tools/{int:tool_id}/hand-over", response={200: ToolOut, **WRITE}, url_name="tool_hand_over")
def hand_over(request: HttpRequest, tool_id: int, payload: HandOverIn) -> Any:
    services.tool_hand_over(actor=request.user, tool_id=tool_id, keeper_id=payload.keeper_id)
    return _tool(request, tool_id)


@router.get("/purchase-requests", response={200: list[PurchaseOut], **READ}, url_name="purchase_list")
def list_purchases(request: HttpRequest, status: PurchaseStatus | None = None) -> Any:
    """Approvers see every request, the others their own (200 at most)."""
    return list(selectors.purchase_list(actor=request.user, status=status or "")[:200])


@router.post("/purchase-requests", response={201: PurchaseOut, **WRITE}, url_name="purchase_request")
def request_purchase(request: HttpRequest, payload: PurchaseIn) -> Any:
    return Status(201, services.purchase_request(actor=request.user, **payload.model_dump()))


@router.post(
    "/purchase-requests/{int:request_id}/advance",
    response={200: PurchaseOut, **WRITE},
    url_name="purchase_advance",
)
def advance(request: HttpRequest, request_id: int, payload: AdvanceIn) -> Any:
    """Approve or reject (a rejection needs a note), then ordered and received; 409 out of order."""
    return services.purchase_advance(actor=request.user, request_id=request_id, **payload.model_dump())
