"""API shapes of work orders. Inputs forbid unknown fields; times need an offset (AwareDatetime)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import AwareDatetime, ConfigDict

from weibao.fieldservice.choices import CheckResult, FeeStatus, OrderKind, OrderStatus, ServiceType


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class ChecklistItemOut(Schema):
    id: int
    label: str
    result: str
    note: str
    flag_replacement: bool


class PartOut(Schema):
    name: str
    quantity: int
    serial: str
    part_id: int | None
    location_id: int | None
    item_id: int | None


class ChargeOut(Schema):
    description: str
    component: str
    warranty_end: date | None
    quantity: Decimal
    unit_price: Decimal
    covered: bool


class ReceiptOut(Schema):
    id: int
    number: int
    description: str
    serial: str
    condition: str
    taken_at: datetime
    handed_over_by: str
    returned_at: datetime | None
    returned_to: str


class WorkOrderOut(Schema):
    id: int
    number: int
    kind: OrderKind
    status: OrderStatus
    title: str
    ticket_number: int | None = None
    customer_id: int
    site_id: int | None
    system_id: int | None
    engineer_ids: list[int] = Field(default_factory=list)
    planned_start: datetime
    planned_end: datetime
    instructions: str
    tools: str
    parts_needed: str
    service_type: ServiceType
    service_reason: str
    fee_status: FeeStatus
    quote_accepted_by: str
    invoice_number: str
    remote_consent_by: str
    checked_in_at: datetime | None
    check_in_latitude: Decimal | None
    check_in_longitude: Decimal | None
    checked_out_at: datetime | None
    time_spent_minutes: int | None
    travel_minutes: int | None
    work_done: str
    findings: str
    signer_name: str
    signed_at: datetime | None
    has_report: bool = False
    checklist: list[ChecklistItemOut] = Field(default_factory=list)
    parts: list[PartOut] = Field(default_factory=list)
    charges: list[ChargeOut] = Field(default_factory=list)
    receipts: list[ReceiptOut] = Field(default_factory=list)
    version: int

    @staticmethod
    def resolve_ticket_number(obj: Any) -> int | None:
        return obj.ticket.number if obj.ticket_id else None

    @staticmethod
    def resolve_engineer_ids(obj: Any) -> list[int]:
        return sorted(u.pk for u in obj.engineers.all())

    @staticmethod
    def resolve_has_report(obj: Any) -> bool:
        return bool(obj.report)

    @staticmethod
    def resolve_checklist(obj: Any) -> list[Any]:
        return list(obj.checklist.all())

    @staticmethod
    def resolve_parts(obj: Any) -> list[Any]:
        return list(obj.parts.all())

    @staticmethod
    def resolve_charges(obj: Any) -> list[Any]:
        return list(obj.charges.all())

    @staticmethod
    def resolve_receipts(obj: Any) -> list[Any]:
        return list(obj.receipts.all())


class WorkOrderSummaryOut(Schema):
    id: int
    number: int
    kind: OrderKind
    status: OrderStatus
    title: str
    customer_id: int
    planned_start: datetime
    planned_end: datetime
    service_type: ServiceType


class WorkOrderPageOut(Schema):
    items: list[WorkOrderSummaryOut]
    next_cursor: str | None


class WorkOrderListQuery(Schema):
    status: OrderStatus | None = None
    customer_id: int | None = None
    engineer_id: int | None = None
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=100)


class WorkOrderCreateIn(_In):
    title: str
    planned_start: AwareDatetime
    planned_end: AwareDatetime
    engineer_ids: list[int]
    kind: OrderKind = OrderKind.ONSITE
    ticket_id: int | None = None
    customer_id: int | None = None
    site_id: int | None = None
    system_id: int | None = None
    instructions: str = ""
    tools: str = ""
    parts_needed: str = ""
    checklist: list[str] = Field(default_factory=list)
    item_ids: list[int] = Field(
        default_factory=list,
        description="Configuration items the visit is about; empty with a ticket: the ticket's items",
    )


class RescheduleIn(_In):
    planned_start: AwareDatetime
    planned_end: AwareDatetime
    engineer_ids: list[int] | None = None
    reason: str
    version: int | None = None


class CheckInIn(_In):
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    accuracy_m: int | None = None
    remote_consent_by: str = ""
    remote_tool: str = ""
    version: int | None = None


class CheckResultIn(_In):
    item_id: int
    result: CheckResult
    note: str = ""
    replace: bool = Field(default=False, description="Flag the equipment for replacement")


class PartIn(_In):
    name: str = Field(default="", description="Free text, or empty for a catalogue part (its name)")
    quantity: int = 1
    serial: str = ""
    part_id: int | None = Field(
        default=None, description="A catalogue part: issued from stock with the reference WO-<number>"
    )
    location_id: int | None = Field(
        default=None, description="Where it is taken from (default: your own stock)"
    )
    item_id: int | None = Field(default=None, description="The configuration item it was fitted to")


class RecordIn(_In):
    work_done: str | None = None
    findings: str | None = None
    time_spent_minutes: int | None = None
    travel_minutes: int | None = None
    results: list[CheckResultIn] = Field(default_factory=list)
    parts: list[PartIn] | None = Field(default=None, description="Replaces the list when given")
    version: int | None = None


class SignIn(_In):
    signer_name: str
    signature: str = Field(description="The drawn signature as a data URL: data:image/png;base64,...")
    version: int | None = None


class TextIn(_In):
    text: str


class ReasonIn(_In):
    reason: str
    version: int | None = None


class ChargeIn(_In):
    description: str
    unit_price: Decimal
    quantity: Decimal = Decimal(1)
    component: str = ""
    warranty_end: date | None = None


class ChargesIn(_In):
    lines: list[ChargeIn]
    version: int | None = None


class AcceptQuoteIn(_In):
    accepted_by: str
    version: int | None = None


class SettleIn(_In):
    invoice_number: str = ""
    version: int | None = None


class ReceiptIn(_In):
    description: str
    handed_over_by: str
    serial: str = ""
    condition: str = ""


class ReturnIn(_In):
    returned_to: str
    note: str = ""


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None
