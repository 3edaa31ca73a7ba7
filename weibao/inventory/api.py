"""API router: /stock (on hand), /stock/moves, /stock/transfers, /stock/counts, /parts (catalogue and
a part's ledger). Thin handlers: the services keep the ledger and the never-negative rule."""

# No ``from __future__ import annotations``: ninja resolves Query[...] parameter types at import.

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from weibao.core.api_auth import API_AUTH
from weibao.core.errors import NotFound
from weibao.inventory import selectors, services
from weibao.inventory.choices import LoanerStatus, MoveKind
from weibao.inventory.models import Part

router = Router(auth=API_AUTH, tags=["stock"])
loaners_router = Router(auth=API_AUTH, tags=["loaner units"])


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


class StockOut(Schema):
    id: int
    code: str
    name: str
    spec: str
    unit: str
    min_stock: int
    on_hand: int


class MoveOut(Schema):
    id: int
    part_id: int
    location_id: int
    kind: MoveKind
    quantity: int
    balance_after: int
    reference: str
    note: str
    at: datetime


class StockQuery(Schema):
    location_id: int | None = Field(default=None, description="One location; empty: all warehouses")
    below_minimum: bool = False


class PartIn(_In):
    code: str
    name: str
    spec: str = ""
    unit: str = "个"
    min_stock: int = 0


class MoveIn(_In):
    part_id: int
    location_id: int
    kind: MoveKind = Field(description="receive, issue, return or scrap")
    quantity: int
    reference: str = ""
    note: str = ""


class TransferIn(_In):
    part_id: int
    from_location_id: int
    to_location_id: int
    quantity: int
    note: str = ""


class CountIn(_In):
    part_id: int
    location_id: int
    counted: int
    note: str = ""


READ = {frozenset({401, 403, 422}): ErrorOut}
WRITE = {frozenset({400, 401, 403, 404, 409, 422}): ErrorOut}


@router.get("/stock", response={200: list[StockOut], **READ}, url_name="stock")
def stock(request: HttpRequest, filters: Query[StockQuery]) -> Any:
    """On hand per active part: at one location, or the total of all warehouses."""
    return list(
        selectors.on_hand(
            actor=request.user, location_id=filters.location_id, below_minimum=filters.below_minimum
        )
    )


@router.post("/stock/moves", response={201: MoveOut, **WRITE}, url_name="stock_move")
def move(request: HttpRequest, payload: MoveIn) -> Any:
    """Receive, issue, return or scrap; 409 ``insufficient_stock`` rather than going below zero."""
    return Status(201, services.stock_move(actor=request.user, **payload.model_dump()))


@router.post("/stock/transfers", response={201: list[MoveOut], **WRITE}, url_name="stock_transfer")
def transfer(request: HttpRequest, payload: TransferIn) -> Any:
    return Status(201, list(services.stock_transfer(actor=request.user, **payload.model_dump())))


@router.post("/stock/counts", response={200: MoveOut | None, **WRITE}, url_name="stock_count")
def count(request: HttpRequest, payload: CountIn) -> Any:
    """A physical count; the answer is the correction move, or null when the count matched."""
    return services.stock_count(actor=request.user, **payload.model_dump())


@router.post("/parts", response={201: StockOut, **WRITE}, url_name="part_create")
def create_part(request: HttpRequest, payload: PartIn) -> Any:
    part = services.part_create(actor=request.user, **payload.model_dump())
    return Status(201, selectors.on_hand(actor=request.user).get(pk=part.pk))


@router.get(
    "/parts/{int:part_id}/ledger",
    response={200: list[MoveOut], frozenset({401, 403, 404}): ErrorOut},
    url_name="part_ledger",
)
def ledger(request: HttpRequest, part_id: int, location_id: int | None = None) -> Any:
    """A part's moves, newest first (200 at most)."""
    if not Part.objects.filter(pk=part_id).exists():
        raise NotFound(_("Part not found."), code="part_not_found")
    return list(selectors.part_ledger(actor=request.user, part_id=part_id, location_id=location_id)[:200])


# --------------------------------------------------------------------------- loaner units (备用机)


class LoanOut(Schema):
    id: int
    unit_id: int
    customer_id: int
    ticket_id: int | None
    contact_name: str
    lent_at: datetime
    due_on: date
    returned_at: datetime | None
    condition: str
    is_overdue: bool


class LoanerOut(Schema):
    id: int
    code: str
    name: str
    model: str
    serial_number: str
    status: LoanerStatus
    location_id: int | None
    open_loan: LoanOut | None = None

    @staticmethod
    def resolve_open_loan(obj: Any) -> Any:
        loans = getattr(obj, "open_loans", None)
        return loans[0] if loans else None


class LoanerIn(_In):
    code: str
    name: str
    model: str = ""
    serial_number: str = ""
    location_id: int | None = None
    notes: str = ""


class LendIn(_In):
    customer_id: int
    due_on: date
    ticket_id: int | None = None
    contact_name: str = ""
    note: str = ""


class ReturnIn(_In):
    condition: str = ""
    needs_repair: bool = Field(default=False, description="Came back damaged: the unit goes to repair")


class LoanerStatusIn(_In):
    status: LoanerStatus = Field(description="available, in_repair or retired")


@loaners_router.get("/loaners", response={200: list[LoanerOut], **READ}, url_name="loaner_list")
def list_loaners(request: HttpRequest) -> Any:
    """Every loaner unit with its open loan, if any."""
    return list(selectors.loaner_list(actor=request.user))


@loaners_router.post("/loaners", response={201: LoanerOut, **WRITE}, url_name="loaner_create")
def create_loaner(request: HttpRequest, payload: LoanerIn) -> Any:
    return Status(201, services.loaner_create(actor=request.user, **payload.model_dump()))


@loaners_router.post("/loaners/{int:unit_id}/lend", response={201: LoanOut, **WRITE}, url_name="loaner_lend")
def lend(request: HttpRequest, unit_id: int, payload: LendIn) -> Any:
    """Lend an available unit; 409 ``loaner_not_available`` when it is not on the shelf."""
    return Status(201, services.loan_lend(actor=request.user, unit_id=unit_id, **payload.model_dump()))


@loaners_router.post(
    "/loaners/{int:unit_id}/status", response={200: LoanerOut, **WRITE}, url_name="loaner_status"
)
def set_status(request: HttpRequest, unit_id: int, payload: LoanerStatusIn) -> Any:
    services.loaner_set_status(actor=request.user, unit_id=unit_id, status=payload.status)
    return selectors.loaner_list(actor=request.user).get(pk=unit_id)


@loaners_router.get("/loans", response={200: list[LoanOut], **READ}, url_name="loan_list")
def list_loans(request: HttpRequest, open_only: bool = False, customer_id: int | None = None) -> Any:
    """Loans, newest first (200 at most)."""
    return list(selectors.loan_list(actor=request.user, open_only=open_only, customer_id=customer_id)[:200])


@loaners_router.post("/loans/{int:loan_id}/return", response={200: LoanOut, **WRITE}, url_name="loan_return")
def return_loan(request: HttpRequest, loan_id: int, payload: ReturnIn) -> Any:
    return services.loan_return(actor=request.user, loan_id=loan_id, **payload.model_dump())
