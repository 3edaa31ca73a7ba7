"""Every read of the installed base, scoped to the actor (DESIGN rule 2): staff with ``customer.view``
see every customer's items; a portal user sees only their own customer's; an id outside the scope
answers 404."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.permissions import is_portal_user
from weibao.assets.choices import DocumentKind, ItemStatus
from weibao.assets.models import (
    ConfigurationItem,
    HandoverDocument,
    HandoverWaiver,
    ItemImport,
    ItemRelation,
)
from weibao.assets.permissions import can_manage_items, can_see_items
from weibao.core.errors import NotFound, PermissionDenied
from weibao.customers.models import DeliveredSystem
from weibao.customers.selectors import portal_customer_id

EXPIRING_DAYS = 90


def _scoped(actor: Any) -> QuerySet[ConfigurationItem]:
    if not can_see_items(user=actor):
        raise PermissionDenied(_("You may not see the installed base."))
    qs = ConfigurationItem.objects.all()
    if is_portal_user(user=actor):
        customer_id = portal_customer_id(user=actor)
        qs = qs.filter(customer_id=customer_id) if customer_id is not None else qs.none()
    return qs


@dataclass(frozen=True)
class ItemFilters:
    """The list's filters; each is backed by an index (DESIGN rule 7)."""

    customer_id: int | None = None
    system_id: int | None = None
    kind: str = ""
    status: str = ""
    warranty: str = ""  # "active", "expiring" (within 90 days), "expired", "none"
    q: str = ""


def item_list(*, actor: Any, filters: ItemFilters = ItemFilters()) -> QuerySet[ConfigurationItem]:
    """Items the actor may see, filtered, with customer, system, site and supplier read alongside."""
    qs = _scoped(actor).select_related("customer", "system", "site", "supplier")
    if filters.customer_id:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.system_id:
        qs = qs.filter(system_id=filters.system_id)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    today = timezone.localdate()
    if filters.warranty == "active":
        qs = qs.filter(warranty_end__gte=today)
    elif filters.warranty == "expiring":
        qs = qs.filter(warranty_end__gte=today, warranty_end__lte=today + timedelta(days=EXPIRING_DAYS))
    elif filters.warranty == "expired":
        qs = qs.filter(warranty_end__lt=today)
    elif filters.warranty == "none":
        qs = qs.filter(warranty_end__isnull=True)
    if filters.q:
        text = filters.q.strip()[:100]
        qs = qs.filter(
            Q(code__icontains=text)
            | Q(name__icontains=text)
            | Q(serial_number__icontains=text)
            | Q(model__icontains=text)
        )
    return qs


def item_get(*, actor: Any, item_id: int) -> ConfigurationItem:
    item = (
        _scoped(actor)
        .select_related("customer", "system", "site", "supplier")
        .prefetch_related("components")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound(_("Item not found."), code="item_not_found")
    return item


def item_relations(*, item: ConfigurationItem) -> tuple[list[ItemRelation], list[ItemRelation]]:
    """Relations from the item (it runs on ...) and to it (... runs on it), with both ends read."""
    out = list(item.relations_out.select_related("target").order_by("kind", "target__code"))
    into = list(item.relations_in.select_related("source").order_by("kind", "source__code"))
    return out, into


def items_for_choice(
    *, actor: Any, customer_id: int, system_id: int | None = None
) -> QuerySet[ConfigurationItem]:
    """Items offered when naming what a ticket or work order is about (active ones of the customer)."""
    qs = _scoped(actor).filter(customer_id=customer_id).exclude(status=ItemStatus.RETIRED)
    if system_id:
        qs = qs.filter(Q(system_id=system_id) | Q(system__isnull=True))
    return qs.order_by("code")


def warranty_state(*, end: date | None, today: date | None = None) -> str:
    """``active``, ``expiring`` (within 90 days), ``expired`` or ``none`` - for badges."""
    today = today or timezone.localdate()
    if end is None:
        return "none"
    if end < today:
        return "expired"
    return "expiring" if end <= today + timedelta(days=EXPIRING_DAYS) else "active"


@dataclass(frozen=True)
class HandoverChecklistRow:
    kind: str
    label: str
    documents: list[HandoverDocument]
    waiver: HandoverWaiver | None

    @property
    def missing(self) -> bool:
        return not self.documents and self.waiver is None


def handover_checklist(*, actor: Any, system_id: int) -> tuple[DeliveredSystem, list[HandoverChecklistRow]]:
    """Per document kind: the documents handed over, or the waiver, or missing (AST-3)."""
    if not can_see_items(user=actor):
        raise PermissionDenied(_("You may not see the installed base."))
    systems = DeliveredSystem.objects.select_related("customer")
    if is_portal_user(user=actor):
        own = portal_customer_id(user=actor)
        systems = systems.filter(customer_id=own) if own is not None else systems.none()
    system = systems.filter(pk=system_id).first()
    if system is None:
        raise NotFound(_("System not found."), code="system_not_found")
    documents = list(
        HandoverDocument.objects.filter(system=system).select_related("uploaded_by").order_by("-uploaded_at")
    )
    waivers = {w.kind: w for w in HandoverWaiver.objects.filter(system=system).select_related("waived_by")}
    rows = [
        HandoverChecklistRow(
            kind=kind.value,
            label=str(kind.label),
            documents=[d for d in documents if d.kind == kind.value],
            waiver=waivers.get(kind.value),
        )
        for kind in DocumentKind
    ]
    return system, rows


def import_list(*, actor: Any) -> QuerySet[ItemImport]:
    if not can_manage_items(user=actor):
        raise PermissionDenied(_("You may not change the installed base."))
    return ItemImport.objects.select_related("customer", "created_by").order_by("-created_at", "-id")


def import_get(*, actor: Any, import_id: int) -> ItemImport:
    found = import_list(actor=actor).filter(pk=import_id).first()
    if found is None:
        raise NotFound(_("Import not found."), code="import_not_found")
    return found


def item_export_rows(*, actor: Any, filters: ItemFilters) -> Iterator[dict[str, Any]]:
    """The items of the list as rows of the Excel layout (streamed; relations read in one query)."""
    qs = item_list(actor=actor, filters=filters).order_by("customer_id", "code")
    item_ids = qs.values("pk")
    relations: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for source_id, kind, target_code in (
        ItemRelation.objects.filter(source_id__in=item_ids)
        .order_by("target__code")
        .values_list("source_id", "kind", "target__code")
    ):
        relations[source_id][kind].append(target_code)
    for item in qs.iterator(chunk_size=2000):
        row: dict[str, Any] = {
            "code": item.code,
            "name": item.name,
            "kind": str(item.get_kind_display()),
            "system_id": item.system.name if item.system else None,
            "model": item.model,
            "version": item.version,
            "serial_number": item.serial_number,
            "site_id": item.site.name if item.site else None,
            "location": item.location,
            "supplier_id": item.supplier.name if item.supplier else None,
            "purchase_date": item.purchase_date,
            "warranty_end": item.warranty_end,
            "status": str(item.get_status_display()),
            "notes": item.notes,
        }
        for kind, codes in relations.get(item.pk, {}).items():
            row[kind] = ",".join(codes)
        yield row
