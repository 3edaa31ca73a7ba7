"""Equipment taken back for repair (FLD-4): a numbered receipt for the customer, and the return."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.core.counters import counter_next
from weibao.core.errors import Conflict, NotFound, PermissionDenied
from weibao.fieldservice.choices import OrderEventKind
from weibao.fieldservice.events import record_order_event
from weibao.fieldservice.models import EquipmentReceipt
from weibao.fieldservice.permissions import can_manage_orders, can_work_orders
from weibao.fieldservice.services._common import _authorize, _lock, _text
from weibao.fieldservice.transitions import OrderAction


def receipt_issue(
    *, actor: Any, order_id: int, description: str, handed_over_by: str, serial: str = "", condition: str = ""
) -> EquipmentReceipt:
    """Take a unit back: the receipt number is what the customer keeps."""
    description = _text(description, field="description", required=True, max_length=200)
    handed_over_by = _text(handed_over_by, field="handed_over_by", required=True, max_length=100)
    with transaction.atomic():
        order = _lock(order_id=order_id, version=None)
        _authorize(actor=actor, order=order, action=OrderAction.RECEIPT)
        receipt = EquipmentReceipt.objects.create(
            number=counter_next(name="equipment_receipt", start=1),
            order=order,
            description=description,
            serial=_text(serial, field="serial", max_length=100),
            condition=_text(condition, field="condition", max_length=500),
            taken_at=timezone.now(),
            taken_by=actor,
            handed_over_by=handed_over_by,
        )
        record_order_event(
            order=order, actor=actor, kind=OrderEventKind.RECEIPT, changes={"receipt": [None, str(receipt)]}
        )
    return receipt


def receipt_return(*, actor: Any, receipt_id: int, returned_to: str, note: str = "") -> EquipmentReceipt:
    """The repaired (or replaced) unit goes back to the customer against its receipt."""
    if not (can_work_orders(user=actor) or can_manage_orders(user=actor)):
        raise PermissionDenied(_("You may not record returns."), code="permission_denied")
    returned_to = _text(returned_to, field="returned_to", required=True, max_length=100)
    with transaction.atomic():
        receipt = (
            EquipmentReceipt.objects.select_for_update().select_related("order").filter(pk=receipt_id).first()
        )
        if receipt is None:
            raise NotFound(_("Receipt not found."), code="receipt_not_found")
        if receipt.returned_at is not None:
            raise Conflict(_("This equipment was returned already."), code="already_returned")
        receipt.returned_at, receipt.returned_to = timezone.now(), returned_to
        receipt.return_note = _text(note, field="note", max_length=500)
        receipt.save(update_fields=["returned_at", "returned_to", "return_note"])
        record_order_event(
            order=receipt.order,
            actor=actor,
            kind=OrderEventKind.RETURNED,
            changes={"receipt": [None, str(receipt)], "returned_to": [None, returned_to]},
        )
    return receipt
