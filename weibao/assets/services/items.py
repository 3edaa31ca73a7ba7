"""Create and change configuration items, their components and relations, and suppliers (AST-1).

Every write checks ``asset.manage``, validates everything before it writes, and locks the item row;
an update names the ``row_version`` it was based on, so two people editing one item never lose an
update (the second gets 409 ``stale_version``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from weibao.accounts.events import audit_record
from weibao.assets.choices import RelationKind
from weibao.assets.models import ConfigurationItem, ItemComponent, ItemRelation, Supplier
from weibao.assets.permissions import can_manage_items
from weibao.assets.services.fields import CustomerRefs, _date, clean_item_values
from weibao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weibao.customers.models import Customer

COMPONENTS_MAX = 100
ITEMS_MAX = 50  # items named on one ticket or work order


def validate_items(*, item_ids: Sequence[int], customer_id: int) -> list[ConfigurationItem]:
    """The named configuration items in the given order, all of ``customer_id`` (one query, none if
    none are named); used by tickets and work orders to say what a report or visit is about."""
    wanted = list(dict.fromkeys(int(pk) for pk in item_ids))
    if not wanted:
        return []
    if len(wanted) > ITEMS_MAX:
        raise ValidationFailed(_("Too many items."), code="too_many", field="item_ids")
    items = list(
        ConfigurationItem.objects.filter(pk__in=wanted, customer_id=customer_id).select_related("system")
    )
    if len(items) != len(wanted):
        raise ValidationFailed(
            _("Every item must belong to the customer."), code="invalid_reference", field="item_ids"
        )
    return sorted(items, key=lambda i: wanted.index(i.pk))


def _require_manager(actor: Any) -> None:
    if not can_manage_items(user=actor):
        raise PermissionDenied(_("You may not change the installed base."), code="permission_denied")


def _lock(*, item_id: int, row_version: int | None) -> ConfigurationItem:
    item = (
        ConfigurationItem.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound(_("Item not found."), code="item_not_found")
    if row_version is not None and row_version != item.row_version:
        raise Conflict(
            _("Someone else changed this item meanwhile. Reload it and try again."), code="stale_version"
        )
    return item


def _code_free(*, customer_id: int, code: str, exclude_pk: int | None = None) -> None:
    taken = ConfigurationItem.objects.filter(customer_id=customer_id, code=code)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationFailed(
            _("This asset tag is already used at this customer."), code="duplicate", field="code"
        )


def item_create(*, actor: Any, customer_id: int, values: dict[str, Any]) -> ConfigurationItem:
    """A new item of ``customer_id``; ``values`` as in :func:`clean_item_values` (ids for references)."""
    _require_manager(actor)
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise ValidationFailed(_("Choose the customer."), code="required", field="customer_id")
    cleaned, errors = clean_item_values(values=values, refs=CustomerRefs.load(customer=customer))
    if errors:
        raise errors[0]
    _code_free(customer_id=customer.pk, code=cleaned["code"])
    with transaction.atomic():
        try:
            with transaction.atomic():
                item = ConfigurationItem.objects.create(customer=customer, **cleaned)
        except IntegrityError:  # the same tag created concurrently
            raise ValidationFailed(
                _("This asset tag is already used at this customer."), code="duplicate", field="code"
            ) from None
        audit_record(actor=actor, action="item.create", target=item, changes={"code": cleaned["code"]})
    return item


def item_update(
    *, actor: Any, item_id: int, changes: dict[str, Any], row_version: int | None = None
) -> ConfigurationItem:
    """Change the fields named in ``changes``; 409 when ``row_version`` is not the current one."""
    _require_manager(actor)
    unknown = set(changes) - {
        "kind", "code", "name", "model", "version", "serial_number", "system_id", "site_id",
        "location", "supplier_id", "purchase_date", "warranty_end", "status", "notes",
    }  # fmt: skip
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))},
            code="not_editable",
            field=sorted(unknown)[0],
        )
    with transaction.atomic():
        item = _lock(item_id=item_id, row_version=row_version)
        cleaned, errors = clean_item_values(
            values=changes, refs=CustomerRefs.load(customer=item.customer), partial=True
        )
        if errors:
            raise errors[0]
        bought = cleaned.get("purchase_date", item.purchase_date)
        ends = cleaned.get("warranty_end", item.warranty_end)
        if bought and ends and ends < bought:
            raise ValidationFailed(
                _("The warranty cannot end before the purchase."),
                code="warranty_before_purchase",
                field="warranty_end",
            )
        if "code" in cleaned and cleaned["code"] != item.code:
            _code_free(customer_id=item.customer_id, code=cleaned["code"], exclude_pk=item.pk)
        before = {name: getattr(item, name) for name in cleaned}
        changed = {
            name: [_plain(before[name]), _plain(value)]
            for name, value in cleaned.items()
            if before[name] != value
        }
        if not changed:
            return item
        for name, value in cleaned.items():
            setattr(item, name, value)
        item.row_version = F("row_version") + 1
        item.save()
        item.refresh_from_db(fields=["row_version"])
        audit_record(actor=actor, action="item.update", target=item, changes=changed)
    return item


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def item_set_components(
    *, actor: Any, item_id: int, components: Sequence[dict[str, Any]], row_version: int | None = None
) -> list[ItemComponent]:
    """Replace an item's components (name, serial number, warranty end, notes), each with its own warranty."""
    _require_manager(actor)
    if len(components) > COMPONENTS_MAX:
        raise ValidationFailed(_("Too many components."), code="too_many", field="components")
    rows = []
    for spec in components:
        name = str(spec.get("name") or "").strip()
        if not name:
            raise ValidationFailed(_("Every component needs a name."), code="required", field="components")
        rows.append(
            ItemComponent(
                name=name[:200],
                serial_number=str(spec.get("serial_number") or "").strip()[:100],
                warranty_end=_date(spec.get("warranty_end"), "components"),
                notes=str(spec.get("notes") or "").strip()[:300],
            )
        )
    with transaction.atomic():
        item = _lock(item_id=item_id, row_version=row_version)
        before = [c.name for c in item.components.all()]
        item.components.all().delete()
        for row in rows:
            row.item = item
        ItemComponent.objects.bulk_create(rows)
        ConfigurationItem.objects.filter(pk=item.pk).update(row_version=F("row_version") + 1)
        audit_record(
            actor=actor,
            action="item.components",
            target=item,
            changes={"components": [before, [r.name for r in rows]]},
        )
    return rows


def item_relate(*, actor: Any, source_id: int, kind: str, target_id: int) -> ItemRelation:
    """Record that ``source`` runs on / is connected to / is part of ``target`` (same customer)."""
    _require_manager(actor)
    if kind not in RelationKind.values:
        raise ValidationFailed(_("Choose a valid option."), code="invalid_choice", field="kind")
    if source_id == target_id:
        raise ValidationFailed(_("An item cannot relate to itself."), code="invalid", field="target_id")
    with transaction.atomic():
        source = _lock(item_id=source_id, row_version=None)
        target = ConfigurationItem.objects.filter(pk=target_id, customer_id=source.customer_id).first()
        if target is None:
            raise ValidationFailed(
                _("Choose an item of the same customer."), code="invalid_reference", field="target_id"
            )
        if kind == RelationKind.PART_OF and _is_inside(item_id=target.pk, container_id=source.pk):
            raise ValidationFailed(
                _("That would make the item part of itself."), code="cycle", field="target_id"
            )
        relation, created = ItemRelation.objects.get_or_create(source=source, kind=kind, target=target)
        if created:
            audit_record(
                actor=actor,
                action="item.relate",
                target=source,
                changes={"relation": [None, f"{kind} {target.code}"]},
            )
    return relation


def _is_inside(*, item_id: int, container_id: int) -> bool:
    """Whether ``item_id`` is (transitively) part of ``container_id``; bounded walk up the tree."""
    seen: set[int] = set()
    frontier = {item_id}
    for _depth in range(50):
        if container_id in frontier:
            return True
        seen |= frontier
        frontier = (
            set(
                ItemRelation.objects.filter(source_id__in=frontier, kind=RelationKind.PART_OF).values_list(
                    "target_id", flat=True
                )
            )
            - seen
        )
        if not frontier:
            return False
    return True


def item_unrelate(*, actor: Any, relation_id: int) -> None:
    """Remove a relation."""
    _require_manager(actor)
    with transaction.atomic():
        relation = ItemRelation.objects.select_related("source", "target").filter(pk=relation_id).first()
        if relation is None:
            raise NotFound(_("Relation not found."), code="relation_not_found")
        audit_record(
            actor=actor,
            action="item.unrelate",
            target=relation.source,
            changes={"relation": [f"{relation.kind} {relation.target.code}", None]},
        )
        relation.delete()


def supplier_create(
    *, actor: Any, name: str, contact_name: str = "", phone: str = "", email: str = "", notes: str = ""
) -> Supplier:
    """A new supplier; its name is unique."""
    _require_manager(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("This field is required."), code="required", field="name")
    if Supplier.objects.filter(name__iexact=name).exists():
        raise ValidationFailed(_("A supplier with this name exists."), code="duplicate", field="name")
    with transaction.atomic():
        supplier = Supplier.objects.create(
            name=name[:200],
            contact_name=(contact_name or "").strip()[:100],
            phone=(phone or "").strip()[:50],
            email=(email or "").strip()[:254],
            notes=(notes or "").strip()[:2000],
        )
        audit_record(actor=actor, action="supplier.create", target=supplier)
    return supplier
