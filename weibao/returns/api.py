"""API router: /rmas (returns and exchanges): list, request, the analysis, the status actions and the
timeline. Thin handlers: the services validate and write."""

# No ``from __future__ import annotations``: ninja resolves Query[...] parameter types at import.

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from weibao.core.api_auth import API_AUTH
from weibao.returns import selectors, services
from weibao.returns.choices import RmaAction, RmaOutcome, RmaStatus

router = Router(auth=API_AUTH, tags=["returns"])


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


class RmaOut(Schema):
    id: int
    number: int
    label: str
    customer_id: int
    ticket_id: int | None
    item_id: int | None
    supplier_id: int | None
    goods: str
    quantity: int
    reason: str
    root_cause: str
    responsible_department: str
    responsible_person: str
    status: RmaStatus
    shipping_reference: str
    outcome: RmaOutcome | None = None
    outcome_note: str
    refund_amount: Decimal | None
    created_at: datetime
    version: int

    @staticmethod
    def resolve_outcome(obj: Any) -> Any:
        return obj.outcome or None


class RmaEventOut(Schema):
    at: datetime
    actor_id: int | None
    from_status: str
    to_status: str
    note: str
    changes: dict[str, Any]


class RmaIn(_In):
    customer_id: int
    reason: str
    goods: str = Field(default="", description="Empty: the item's tag and name")
    quantity: int = 1
    ticket_id: int | None = None
    item_id: int | None = None
    supplier_id: int | None = Field(default=None, description="Empty: the item's supplier")


class AnalysisIn(_In):
    version: int | None = None
    root_cause: str | None = None
    responsible_department: str | None = None
    responsible_person: str | None = None
    supplier_id: int | None = None


class TransitionIn(_In):
    version: int | None = None
    note: str = Field(default="", description="Required to reject or cancel")
    shipping_reference: str = ""
    outcome: RmaOutcome | None = Field(default=None, description="Required to close")
    refund_amount: Decimal | None = Field(default=None, description="Required for a refund")


READ = {frozenset({401, 403, 404, 422}): ErrorOut}
WRITE = {frozenset({400, 401, 403, 404, 409, 422}): ErrorOut}


@router.get("/rmas", response={200: list[RmaOut], **READ}, url_name="rma_list")
def list_rmas(
    request: HttpRequest,
    status: RmaStatus | None = None,
    customer_id: int | None = None,
    item_id: int | None = None,
    q: str = "",
) -> Any:
    """Returns and exchanges, newest first (200 at most)."""
    qs = selectors.rma_list(
        actor=request.user, status=status or "", customer_id=customer_id, item_id=item_id, q=q
    )
    return list(qs[:200])


@router.post("/rmas", response={201: RmaOut, **WRITE}, url_name="rma_create")
def create(request: HttpRequest, payload: RmaIn) -> Any:
    return Status(201, services.rma_create(actor=request.user, **payload.model_dump()))


@router.get("/rmas/{int:rma_id}", response={200: RmaOut, **READ}, url_name="rma_detail")
def get_rma(request: HttpRequest, rma_id: int) -> Any:
    return selectors.rma_get_by_id(actor=request.user, rma_id=rma_id)


@router.get("/rmas/{int:rma_id}/events", response={200: list[RmaEventOut], **READ}, url_name="rma_events")
def events(request: HttpRequest, rma_id: int) -> Any:
    return list(selectors.rma_events(rma=selectors.rma_get_by_id(actor=request.user, rma_id=rma_id)))


@router.patch("/rmas/{int:rma_id}", response={200: RmaOut, **WRITE}, url_name="rma_analyse")
def analyse(request: HttpRequest, rma_id: int, payload: AnalysisIn) -> Any:
    """Root cause, responsible department and person, supplier; 409 on a stale ``version``."""
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    return services.rma_analyse(actor=request.user, rma_id=rma_id, changes=changes, version=payload.version)


@router.post("/rmas/{int:rma_id}/{action}", response={200: RmaOut, **WRITE}, url_name="rma_transition")
def transition(request: HttpRequest, rma_id: int, action: RmaAction, payload: TransitionIn) -> Any:
    """approve, reject (note), send (shipping reference), receive, close (outcome; refund amount), cancel
    (note); 409 ``invalid_transition`` when the status does not allow it."""
    return services.rma_transition(
        actor=request.user,
        rma_id=rma_id,
        action=action,
        note=payload.note,
        shipping_reference=payload.shipping_reference,
        outcome=payload.outcome or "",
        refund_amount=payload.refund_amount,
        version=payload.version,
    )
