"""Returns and exchanges (RMA-1): request, analyse (root cause, who is responsible), move through the
status flow, close with the outcome. Each change locks the row, checks the version the caller read,
and leaves an immutable timeline entry."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from weibao.accounts.events import audit_record
from weibao.assets.models import ConfigurationItem, Supplier
from weibao.core.counters import counter_next
from weibao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weibao.customers.models import Customer
from weibao.returns.choices import TRANSITIONS, RmaAction, RmaOutcome
from weibao.returns.models import Rma, RmaEvent
from weibao.returns.permissions import can_manage_rmas, can_see_rmas
from weibao.tickets.models import Ticket

ANALYSIS_FIELDS = ("root_cause", "responsible_department", "responsible_person", "supplier_id")


def _text(*, value: str | None, field: str, max_length: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(_("This field is required."), code="required", field=field)
    if len(text) > max_length:
        raise ValidationFailed(
            _("At most %(n)d characters.") % {"n": max_length}, code="too_long", field=field
        )
    return text


def _supplier(supplier_id: int | None) -> Supplier | None:
    supplier = Supplier.objects.filter(pk=supplier_id).first() if supplier_id else None
    if supplier_id and supplier is None:
        raise ValidationFailed(_("No such supplier."), code="invalid_reference", field="supplier_id")
    return supplier


def _lock(*, rma_id: int, version: int | None) -> Rma:
    rma = Rma.objects.select_for_update().filter(pk=rma_id).first()
    if rma is None:
        raise NotFound(_("Return not found."), code="rma_not_found")
    if version is not None and version != rma.version:
        raise Conflict(
            _("Someone else changed this return meanwhile. Reload it and try again."), code="stale_version"
        )
    return rma


def rma_create(
    *,
    actor: Any,
    customer_id: int,
    reason: str,
    goods: str = "",
    quantity: int = 1,
    ticket_id: int | None = None,
    item_id: int | None = None,
    supplier_id: int | None = None,
) -> Rma:
    """Request a return or exchange; the ticket and the item must be the customer's, and the
    supplier defaults to the item's."""
    if not can_see_rmas(user=actor):
        raise PermissionDenied(_("You may not request returns."), code="permission_denied")
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise ValidationFailed(_("Choose the customer."), code="required", field="customer_id")
    ticket = Ticket.objects.filter(pk=ticket_id, customer=customer).first() if ticket_id else None
    if ticket_id and ticket is None:
        raise ValidationFailed(
            _("The ticket does not belong to this customer."), code="invalid_reference", field="ticket_id"
        )
    item = ConfigurationItem.objects.filter(pk=item_id, customer=customer).first() if item_id else None
    if item_id and item is None:
        raise ValidationFailed(
            _("Every item must belong to the customer."), code="invalid_reference", field="item_id"
        )
    supplier = _supplier(supplier_id) or (item.supplier if item else None)
    if not isinstance(quantity, int) or not 1 <= quantity <= 10_000:
        raise ValidationFailed(_("Give a quantity of at least 1."), code="invalid", field="quantity")
    goods = _text(value=goods, field="goods", max_length=200) or (f"{item.code} {item.name}" if item else "")
    if not goods:
        raise ValidationFailed(_("This field is required."), code="required", field="goods")
    reason = _text(value=reason, field="reason", max_length=4000, required=True)
    with transaction.atomic():
        rma = Rma.objects.create(
            number=counter_next(name="rma", start=1),
            customer=customer,
            ticket=ticket,
            item=item,
            supplier=supplier,
            goods=goods[:200],
            quantity=quantity,
            reason=reason,
            created_by=actor,
        )
        RmaEvent.objects.create(rma=rma, actor=actor, to_status=rma.status, note=reason)
        audit_record(actor=actor, action="rma.create", target=rma)
    return rma


def rma_analyse(*, actor: Any, rma_id: int, changes: dict[str, Any], version: int | None = None) -> Rma:
    """Record the root cause, the responsible department and person, and the supplier."""
    if not can_manage_rmas(user=actor):
        raise PermissionDenied(_("You may not handle returns."), code="permission_denied")
    unknown = set(changes) - set(ANALYSIS_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))},
            code="not_editable",
            field=sorted(unknown)[0],
        )
    values: dict[str, Any] = {}
    if "root_cause" in changes:
        values["root_cause"] = _text(value=changes["root_cause"], field="root_cause", max_length=4000)
    for name in ("responsible_department", "responsible_person"):
        if name in changes:
            values[name] = _text(value=changes[name], field=name, max_length=100)
    if "supplier_id" in changes:
        values["supplier"] = _supplier(changes["supplier_id"])
    with transaction.atomic():
        rma = _lock(rma_id=rma_id, version=version)
        changed = {
            k: [str(getattr(rma, k) or ""), str(v or "")] for k, v in values.items() if getattr(rma, k) != v
        }
        if not changed:
            return rma
        for name, value in values.items():
            setattr(rma, name, value)
        rma.version += 1
        rma.save()
        RmaEvent.objects.create(
            rma=rma, actor=actor, from_status=rma.status, to_status=rma.status, changes=changed
        )
        audit_record(actor=actor, action="rma.analyse", target=rma, changes=changed)
    return rma


def _money(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("Give an amount."), code="invalid", field="refund_amount") from None
    if amount <= 0 or amount >= Decimal("10000000000"):
        raise ValidationFailed(_("Give an amount."), code="invalid", field="refund_amount")
    return amount


def rma_transition(
    *,
    actor: Any,
    rma_id: int,
    action: str,
    note: str = "",
    shipping_reference: str = "",
    outcome: str = "",
    refund_amount: Any = None,
    version: int | None = None,
) -> Rma:
    """Move an RMA along its flow (approve, reject, send, receive, close, cancel).

    A rejection or a cancellation needs a note; closing needs the outcome, and a refund its amount.
    """
    if not can_manage_rmas(user=actor):
        raise PermissionDenied(_("You may not handle returns."), code="permission_denied")
    if action not in TRANSITIONS:
        raise ValidationFailed(_("Choose a valid option."), code="invalid_choice", field="action")
    note = _text(value=note, field="note", max_length=2000)
    if action in (RmaAction.REJECT, RmaAction.CANCEL) and not note:
        raise ValidationFailed(_("Give the reason."), code="required", field="note")
    amount = None
    if action == RmaAction.CLOSE:
        if outcome not in RmaOutcome.values:
            raise ValidationFailed(_("Choose the outcome."), code="required", field="outcome")
        amount = _money(refund_amount)
        if outcome == RmaOutcome.REFUND and amount is None:
            raise ValidationFailed(_("Give the amount refunded."), code="required", field="refund_amount")
    sources, target = TRANSITIONS[action]
    with transaction.atomic():
        rma = _lock(rma_id=rma_id, version=version)
        if rma.status not in sources:
            raise Conflict(
                _("A return that is %(status)s cannot do this.") % {"status": rma.get_status_display()},
                code="invalid_transition",
            )
        before = rma.status
        rma.status = target
        changes: dict[str, Any] = {"status": [before, target]}
        if action == RmaAction.SEND:
            rma.shipping_reference = _text(
                value=shipping_reference, field="shipping_reference", max_length=100
            )
        if action == RmaAction.CLOSE:
            rma.outcome = outcome
            rma.outcome_note = note[:300]
            rma.refund_amount = amount if outcome == RmaOutcome.REFUND else None
            changes["outcome"] = [None, outcome]
        rma.version += 1
        rma.save()
        RmaEvent.objects.create(
            rma=rma, actor=actor, from_status=before, to_status=target, note=note, changes=changes
        )
        audit_record(actor=actor, action=f"rma.{action}", target=rma, changes=changes)
    return rma
