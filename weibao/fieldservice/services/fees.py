"""Fees of paid work (FLD-3): charge lines per part of the product, the customer's acceptance of the
quote before work starts, then settlement and invoicing (finance)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.assets.services import item_warranty_end
from weibao.core.errors import Conflict, PermissionDenied, ValidationFailed
from weibao.fieldservice.choices import FeeStatus, OrderEventKind, ServiceType
from weibao.fieldservice.events import record_order_event
from weibao.fieldservice.models import ChargeLine, WorkOrder
from weibao.fieldservice.permissions import can_settle_fees
from weibao.fieldservice.services._common import _authorize, _lock, _save, _text
from weibao.fieldservice.transitions import OrderAction

MAX_LINES = 50


@dataclass(frozen=True)
class ChargeInput:
    """One fee line; a part whose own warranty still runs on the day of the work is not charged.
    Without ``warranty_end``, a ``component`` naming one of the order's items or their components
    takes the warranty the installed base records for it."""

    description: str
    unit_price: Decimal | str | int
    quantity: Decimal | str | int = 1
    component: str = ""
    warranty_end: date | None = None


def _money(value: Any, *, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ValidationFailed(_("Give an amount."), code="invalid", field=field) from exc
    if amount < 0 or amount > Decimal("9999999999.99"):
        raise ValidationFailed(_("Give an amount."), code="invalid", field=field)
    return amount


def _recorded_warranties(*, order: WorkOrder) -> dict[str, date | None]:
    """Warranty ends the installed base knows for the order's items (FLD-3, AST-1): a charge line
    naming an item's component (or the item, by asset tag or name) without a date of its own takes it."""
    known: dict[str, date | None] = {}
    for item in order.items.select_related("system").prefetch_related("components"):
        end = item_warranty_end(item=item)
        known.setdefault(item.code.casefold(), end)
        known.setdefault(item.name.casefold(), end)
        for component in item.components.all():
            known.setdefault(component.name.casefold(), component.warranty_end)
    return known


def work_order_set_charges(
    *, actor: Any, order_id: int, lines: list[ChargeInput], version: int | None = None
) -> WorkOrder:
    """Replace the fee schedule of a paid order and mark it quoted (the customer must accept it anew)."""
    if len(lines) > MAX_LINES:
        raise ValidationFailed(_("Too many lines."), code="too_many", field="lines")
    cleaned = []
    for line in lines:
        description = _text(line.description, field="lines", required=True, max_length=200)
        cleaned.append(
            (
                description,
                _text(line.component, field="lines", max_length=200),
                line.warranty_end,
                _money(line.quantity, field="lines"),
                _money(line.unit_price, field="lines"),
            )
        )
    with transaction.atomic():
        order = _lock(order_id=order_id, version=version)
        _authorize(actor=actor, order=order, action=OrderAction.CHARGES)
        if order.service_type != ServiceType.PAID:
            raise Conflict(_("Only paid work orders have fees."), code="not_paid")
        if order.fee_status in (FeeStatus.SETTLED, FeeStatus.INVOICED):
            raise Conflict(_("Settled fees cannot be changed."), code="settled")
        work_day = timezone.localdate(order.checked_in_at or order.planned_start)
        known = _recorded_warranties(order=order)
        cleaned = [
            (d, component, warranty_end or known.get(component.casefold()), q, p)
            for d, component, warranty_end, q, p in cleaned
        ]
        order.charges.all().delete()
        ChargeLine.objects.bulk_create(
            [
                ChargeLine(
                    order=order,
                    description=description,
                    component=component,
                    warranty_end=warranty_end,
                    quantity=quantity,
                    unit_price=unit_price,
                    covered=warranty_end is not None and warranty_end >= work_day,
                )
                for description, component, warranty_end, quantity, unit_price in cleaned
            ]
        )
        before = order.fee_status
        order.fee_status = FeeStatus.QUOTED if cleaned else FeeStatus.NONE
        order.quote_accepted_by, order.quote_accepted_at = "", None
        _save(order, ["fee_status", "quote_accepted_by", "quote_accepted_at"])
        record_order_event(
            order=order,
            actor=actor,
            kind=OrderEventKind.FEES,
            changes={
                "fee_status": [before, order.fee_status],
                "total": [None, str(order_total(order=order))],
            },
        )
    return order


def order_total(*, order: WorkOrder) -> Decimal:
    """What the customer pays: the lines not covered by a part's warranty."""
    return sum(
        (line.quantity * line.unit_price for line in order.charges.all() if not line.covered), Decimal("0.00")
    )


def work_order_accept_quote(
    *, actor: Any, order_id: int, accepted_by: str, version: int | None = None
) -> WorkOrder:
    """The customer saw the fee schedule and accepted it (before paid work starts)."""
    name = _text(accepted_by, field="accepted_by", required=True, max_length=100)
    with transaction.atomic():
        order = _lock(order_id=order_id, version=version)
        _authorize(actor=actor, order=order, action=OrderAction.ACCEPT_QUOTE)
        if order.fee_status != FeeStatus.QUOTED:
            raise Conflict(_("There is no quote waiting for acceptance."), code="no_quote")
        order.fee_status, order.quote_accepted_by, order.quote_accepted_at = (
            FeeStatus.ACCEPTED,
            name,
            timezone.now(),
        )
        _save(order, ["fee_status", "quote_accepted_by", "quote_accepted_at"])
        record_order_event(
            order=order,
            actor=actor,
            kind=OrderEventKind.QUOTE_ACCEPTED,
            changes={"accepted_by": [None, name]},
        )
    return order


def work_order_settle(
    *, actor: Any, order_id: int, invoice_number: str = "", version: int | None = None
) -> WorkOrder:
    """Finance marks the fees settled, and invoiced when an invoice number is given."""
    if not can_settle_fees(user=actor):
        raise PermissionDenied(_("You may not settle fees."), code="permission_denied")
    invoice = _text(invoice_number, field="invoice_number", max_length=64)
    with transaction.atomic():
        order = _lock(order_id=order_id, version=version)
        if order.fee_status not in (FeeStatus.ACCEPTED, FeeStatus.SETTLED):
            raise Conflict(_("Only accepted fees can be settled."), code="not_accepted")
        if order.status not in ("completed", "signed"):
            raise Conflict(_("Fees are settled once the work is finished."), code="not_finished")
        before = order.fee_status
        now = timezone.now()
        order.settled_at = order.settled_at or now
        order.fee_status = FeeStatus.SETTLED
        if invoice:
            order.fee_status, order.invoice_number, order.invoiced_at = FeeStatus.INVOICED, invoice, now
        _save(order, ["fee_status", "settled_at", "invoice_number", "invoiced_at"])
        record_order_event(
            order=order,
            actor=actor,
            kind=OrderEventKind.FEES,
            changes={"fee_status": [before, order.fee_status]},
        )
    return order
