"""Stock moves (INV-1): receive, issue, return, transfer, scrap, count. Each writes ledger rows and
updates the on-hand level of (part, location) in one transaction, under a row lock on that level, so
two issues at once queue one behind the other and the second sees what the first left: stock never
goes negative (and the database's CHECK refuses it if a bug tried). Transfers lock both levels in id
order, so two opposite transfers cannot deadlock. Going below a part's minimum raises an alert.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.choices import Perm
from weibao.accounts.models import User
from weibao.accounts.permissions import has_perm
from weibao.core.errors import Conflict, PermissionDenied, ValidationFailed
from weibao.inventory.choices import INBOUND, LocationKind, MoveKind
from weibao.inventory.models import Location, Part, StockLevel, StockMove
from weibao.inventory.permissions import can_manage_stock
from weibao.notifications.choices import NotificationKind, NotificationLevel
from weibao.notifications.services import NotificationDraft, notification_send_many

MAX_QUANTITY = 1_000_000


def _may_move(*, actor: Any, location: Location, kind: str) -> bool:
    """Warehouse staff move anything; an engineer issues and returns at their own stock."""
    if can_manage_stock(user=actor):
        return True
    own = location.kind == LocationKind.ENGINEER and location.holder_id == getattr(actor, "pk", None)
    return (
        own and kind in (MoveKind.ISSUE, MoveKind.RETURN) and has_perm(user=actor, perm=Perm.WORKORDER_WORK)
    )


def _quantity(value: int) -> int:
    if not isinstance(value, int) or not 1 <= value <= MAX_QUANTITY:
        raise ValidationFailed(_("Give a quantity of at least 1."), code="invalid", field="quantity")
    return value


def _part(part_id: int) -> Part:
    part = Part.objects.filter(pk=part_id, is_active=True).first()
    if part is None:
        raise ValidationFailed(_("Unknown part."), code="invalid_reference", field="part_id")
    return part


def _location(location_id: int, *, field: str = "location_id") -> Location:
    location = Location.objects.filter(pk=location_id, is_active=True).first()
    if location is None:
        raise ValidationFailed(_("Unknown stock location."), code="invalid_reference", field=field)
    return location


def _locked_levels(*, part: Part, locations: list[Location]) -> dict[int, StockLevel]:
    """The levels of ``part`` at these locations, created if missing, locked in id order."""
    for location in locations:
        StockLevel.objects.get_or_create(part=part, location=location)
    levels = StockLevel.objects.select_for_update().filter(part=part, location__in=locations).order_by("pk")
    return {level.location_id: level for level in levels}


def _write(
    *,
    level: StockLevel,
    part: Part,
    location: Location,
    kind: str,
    delta: int,
    actor: Any,
    reference: str,
    note: str,
    transfer: uuid.UUID | None,
    at: Any,
) -> StockMove:
    if level.on_hand + delta < 0:
        raise Conflict(
            _("Only %(n)s %(unit)s of %(part)s at %(location)s.")
            % {"n": level.on_hand, "unit": part.unit, "part": part.name, "location": location.name},
            code="insufficient_stock",
        )
    level.on_hand += delta
    level.save(update_fields=["on_hand", "updated_at"])
    return StockMove.objects.create(
        part=part,
        location=location,
        kind=kind,
        quantity=delta,
        balance_after=level.on_hand,
        reference=reference[:64],
        note=note[:300],
        transfer=transfer,
        actor=actor if getattr(actor, "pk", None) else None,
        at=at,
    )


def stock_move(
    *,
    actor: Any,
    part_id: int,
    location_id: int,
    kind: str,
    quantity: int,
    reference: str = "",
    note: str = "",
) -> StockMove:
    """Receive, issue, return or scrap ``quantity`` of a part at a location (transfers and counts
    have their own functions)."""
    if kind not in (MoveKind.RECEIVE, MoveKind.ISSUE, MoveKind.RETURN, MoveKind.SCRAP):
        raise ValidationFailed(_("Choose a valid option."), code="invalid_choice", field="kind")
    quantity = _quantity(quantity)
    part, location = _part(part_id), _location(location_id)
    if not _may_move(actor=actor, location=location, kind=kind):
        raise PermissionDenied(_("You may not move stock here."), code="permission_denied")
    if kind == MoveKind.SCRAP and not (note or "").strip():
        raise ValidationFailed(_("Say why it is scrapped."), code="required", field="note")
    delta = quantity if kind in INBOUND else -quantity
    with transaction.atomic():
        level = _locked_levels(part=part, locations=[location])[location.pk]
        move = _write(
            level=level,
            part=part,
            location=location,
            kind=kind,
            delta=delta,
            actor=actor,
            reference=reference.strip(),
            note=(note or "").strip(),
            transfer=None,
            at=timezone.now(),
        )
        if delta < 0:
            _alert_if_low(part=part)
    return move


def stock_transfer(
    *, actor: Any, part_id: int, from_location_id: int, to_location_id: int, quantity: int, note: str = ""
) -> tuple[StockMove, StockMove]:
    """Move stock between locations (e.g. the warehouse to an engineer's stock): two ledger rows."""
    if not can_manage_stock(user=actor):
        raise PermissionDenied(_("You may not move stock here."), code="permission_denied")
    quantity = _quantity(quantity)
    part = _part(part_id)
    source, target = (
        _location(from_location_id, field="from_location_id"),
        _location(to_location_id, field="to_location_id"),
    )
    if source.pk == target.pk:
        raise ValidationFailed(_("Choose two different locations."), code="invalid", field="to_location_id")
    pair, now = uuid.uuid4(), timezone.now()
    with transaction.atomic():
        levels = _locked_levels(part=part, locations=[source, target])
        out = _write(
            level=levels[source.pk],
            part=part,
            location=source,
            kind=MoveKind.TRANSFER_OUT,
            delta=-quantity,
            actor=actor,
            reference="",
            note=note,
            transfer=pair,
            at=now,
        )
        into = _write(
            level=levels[target.pk],
            part=part,
            location=target,
            kind=MoveKind.TRANSFER_IN,
            delta=quantity,
            actor=actor,
            reference="",
            note=note,
            transfer=pair,
            at=now,
        )
        _alert_if_low(part=part)
    return out, into


def stock_count(
    *, actor: Any, part_id: int, location_id: int, counted: int, note: str = ""
) -> StockMove | None:
    """Record a physical count: the difference becomes a correction move (none if it matches)."""
    if not can_manage_stock(user=actor):
        raise PermissionDenied(_("You may not move stock here."), code="permission_denied")
    if not isinstance(counted, int) or not 0 <= counted <= MAX_QUANTITY:
        raise ValidationFailed(_("Give the counted quantity."), code="invalid", field="counted")
    part, location = _part(part_id), _location(location_id)
    with transaction.atomic():
        level = _locked_levels(part=part, locations=[location])[location.pk]
        delta = counted - level.on_hand
        if delta == 0:
            return None
        return _write(
            level=level,
            part=part,
            location=location,
            kind=MoveKind.COUNT,
            delta=delta,
            actor=actor,
            reference="",
            note=(note or "").strip(),
            transfer=None,
            at=timezone.now(),
        )


def _alert_if_low(*, part: Part) -> None:
    """Below the minimum over all warehouses: the stock managers hear of it (once a day per part)."""
    if part.min_stock <= 0:
        return
    total = (
        StockLevel.objects.filter(part=part, location__kind=LocationKind.WAREHOUSE).aggregate(
            s=Sum("on_hand")
        )["s"]
        or 0
    )
    if total >= part.min_stock:
        return
    managers = [
        u.pk
        for u in User.objects.filter(is_active=True).prefetch_related("roles")
        if can_manage_stock(user=u)
    ]
    notification_send_many(
        drafts=[
            NotificationDraft(
                recipient_ids=set(managers),
                kind=NotificationKind.GENERIC,
                level=NotificationLevel.WARNING,
                title=_("Low stock: %(part)s (%(n)s left, minimum %(min)s)")
                % {"part": part, "n": total, "min": part.min_stock},
                url="/inventory/",
                dedupe_key=f"low-stock:{part.pk}:{timezone.localdate().isoformat()}",
            )
        ]
    )


@dataclass(frozen=True)
class LedgerCheck:
    """A level that does not equal the sum of its moves (should never happen)."""

    part_id: int
    location_id: int
    level: int
    ledger: int


def stock_verify() -> list[LedgerCheck]:
    """Compare every level with the sum of its ledger rows; return the mismatches (an audit job)."""
    sums = {
        (row["part_id"], row["location_id"]): row["s"]
        for row in StockMove.objects.values("part_id", "location_id").annotate(s=Sum("quantity"))
    }
    mismatches = []
    for part_id, location_id, on_hand in StockLevel.objects.values_list("part_id", "location_id", "on_hand"):
        ledger = sums.pop((part_id, location_id), 0)
        if ledger != on_hand:
            mismatches.append(LedgerCheck(part_id, location_id, on_hand, ledger))
    mismatches += [LedgerCheck(p, loc, 0, s) for (p, loc), s in sums.items() if s]
    return mismatches
