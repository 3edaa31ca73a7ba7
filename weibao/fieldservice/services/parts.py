"""Parts used on a work order (FLD-1, INV-1): free text, or catalogue parts issued from stock - the
engineer's own by default - with the stock ledger following every change of the list."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.utils.translation import gettext as _

from weibao.assets.models import ConfigurationItem
from weibao.core.errors import ValidationFailed
from weibao.fieldservice.models import PartUsed, WorkOrder
from weibao.fieldservice.services._common import _text
from weibao.inventory.choices import LocationKind, MoveKind
from weibao.inventory.models import Location, Part
from weibao.inventory.services import stock_move

PARTS_MAX = 100


@dataclass(frozen=True)
class PartInput:
    """A part used: free text, or a catalogue part (``part_id``) issued from stock - the engineer's
    own unless ``location_id`` names another (stock managers) - optionally fitted to an item."""

    name: str = ""
    quantity: int = 1
    serial: str = ""
    part_id: int | None = None
    location_id: int | None = None
    item_id: int | None = None


def clean_parts(*, parts: Sequence[PartInput]) -> list[PartInput]:
    """Check the list before anything is locked; catalogue parts get their name from the catalogue."""
    if len(parts) > PARTS_MAX:
        raise ValidationFailed(_("Too many parts."), code="too_many", field="parts")
    catalogue = {p.pk: p for p in Part.objects.filter(pk__in={p.part_id for p in parts if p.part_id})}
    cleaned = []
    for part in parts:
        known = catalogue.get(part.part_id) if part.part_id else None
        if part.part_id and (known is None or not known.is_active):
            raise ValidationFailed(_("Unknown spare part."), code="invalid_reference", field="parts")
        name = _text(part.name, field="parts", max_length=200) or (known.name if known else "")
        if not name:
            continue
        if not 1 <= part.quantity <= 10_000:
            raise ValidationFailed(_("Give a quantity of at least 1."), code="invalid", field="parts")
        cleaned.append(
            PartInput(
                name=name,
                quantity=part.quantity,
                serial=_text(part.serial, field="parts", max_length=100),
                part_id=part.part_id,
                location_id=part.location_id,
                item_id=part.item_id,
            )
        )
    return cleaned


def replace_parts(*, actor: Any, order: WorkOrder, parts: list[PartInput]) -> None:
    """Replace the parts used; stock follows the difference (INV-1): more of a part is issued from
    its location, less is returned there, both with the reference ``WO-<number>`` - the ledger keeps
    every correction. A refusal (not enough in stock, not one's own stock) rolls everything back."""
    own: Location | None = None
    if any(p.part_id and not p.location_id for p in parts):
        own = Location.objects.filter(kind=LocationKind.ENGINEER, holder=actor, is_active=True).first()
        if own is None:
            raise ValidationFailed(
                _("You have no stock of your own to take parts from; ask the warehouse to set one up."),
                code="no_own_stock",
                field="parts",
            )
    resolved = [
        p if not p.part_id or p.location_id else replace(p, location_id=own.pk if own else None)
        for p in parts
    ]
    item_ids = {p.item_id for p in resolved if p.item_id}
    if item_ids and ConfigurationItem.objects.filter(
        pk__in=item_ids, customer_id=order.customer_id
    ).count() != len(item_ids):
        raise ValidationFailed(
            _("Every item must belong to the customer."), code="invalid_reference", field="parts"
        )
    delta: dict[tuple[int, int], int] = defaultdict(int)
    for old in order.parts.all():
        if old.part_id and old.location_id:
            delta[(old.part_id, old.location_id)] -= old.quantity
    for new in resolved:
        if new.part_id and new.location_id:
            delta[(new.part_id, new.location_id)] += new.quantity
    reference = f"WO-{order.number}"
    for (part_id, location_id), change in sorted(delta.items()):
        if change:
            stock_move(
                actor=actor,
                part_id=part_id,
                location_id=location_id,
                kind=MoveKind.ISSUE if change > 0 else MoveKind.RETURN,
                quantity=abs(change),
                reference=reference,
            )
    order.parts.all().delete()
    PartUsed.objects.bulk_create(
        [
            PartUsed(
                order=order,
                name=p.name,
                quantity=p.quantity,
                serial=p.serial,
                part_id=p.part_id,
                location_id=p.location_id,
                item_id=p.item_id,
            )
            for p in resolved
        ]
    )
