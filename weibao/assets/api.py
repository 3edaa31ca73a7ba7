"""API router: /items (the installed base, keyset pages, Excel import and export), /items/{id}
(components, relations, history), /entitlement (who pays), /suppliers and /handover/{system_id}.
Thin handlers: the services validate and write, the selectors scope every read to the caller."""

# No ``from __future__ import annotations``: ninja resolves Query[...] parameter types at import.

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from weibao.assets import selectors, services
from weibao.assets.choices import DocumentKind, ImportStatus, ItemKind, ItemStatus, RelationKind, ServiceType
from weibao.assets.excel import write_sheet
from weibao.assets.history import item_history
from weibao.assets.models import ConfigurationItem, ItemRelation, Supplier
from weibao.core.api_auth import API_AUTH
from weibao.core.errors import NotFound, ValidationFailed
from weibao.core.pagination import keyset_paginate
from weibao.customers.models import DeliveredSystem
from weibao.customers.selectors import customer_get

router = Router(auth=API_AUTH, tags=["installed base"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None


class ComponentOut(Schema):
    id: int
    name: str
    serial_number: str
    warranty_end: date | None


class ItemOut(Schema):
    id: int
    customer_id: int
    system_id: int | None
    kind: ItemKind
    code: str
    name: str
    model: str
    version: str
    serial_number: str
    site_id: int | None
    location: str
    supplier_id: int | None
    purchase_date: date | None
    warranty_end: date | None = Field(description="The item's own warranty end (null: the project's applies)")
    status: ItemStatus
    notes: str
    row_version: int
    updated_at: datetime


class ItemDetailOut(ItemOut):
    effective_warranty_end: date | None
    components: list[ComponentOut]


class ItemPageOut(Schema):
    """One keyset page: pass ``next_cursor`` back as ``cursor`` for the next one (null at the end)."""

    items: list[ItemOut]
    next_cursor: str | None


class ItemQuery(Schema):
    customer_id: int | None = None
    system_id: int | None = None
    kind: ItemKind | None = None
    status: ItemStatus | None = None
    warranty: str = Field(default="", description="active, expiring (within 90 days), expired or none")
    q: str = Field(default="", description="Text in the asset tag, name, model or serial number")
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=200)


class ItemIn(_In):
    customer_id: int
    kind: ItemKind
    code: str
    name: str
    system_id: int | None = None
    model: str = ""
    version: str = ""
    serial_number: str = ""
    site_id: int | None = None
    location: str = ""
    supplier_id: int | None = None
    purchase_date: date | None = None
    warranty_end: date | None = None
    status: ItemStatus = ItemStatus.IN_USE
    notes: str = ""


class ItemPatchIn(_In):
    row_version: int | None = Field(default=None, description="The version you read; 409 if it changed")
    kind: ItemKind | None = None
    code: str | None = None
    name: str | None = None
    system_id: int | None = None
    model: str | None = None
    version: str | None = None
    serial_number: str | None = None
    site_id: int | None = None
    location: str | None = None
    supplier_id: int | None = None
    purchase_date: date | None = None
    warranty_end: date | None = None
    status: ItemStatus | None = None
    notes: str | None = None


class ComponentIn(_In):
    name: str
    serial_number: str = ""
    warranty_end: date | None = None


class ComponentsIn(_In):
    row_version: int | None = None
    components: list[ComponentIn]


class RelationIn(_In):
    kind: RelationKind
    target_id: int


class RelationOut(Schema):
    id: int
    source_id: int
    kind: RelationKind
    target_id: int


class HistoryOut(Schema):
    at: datetime
    kind: str
    label: str
    title: str
    status: str
    url: str


class EntitlementOut(Schema):
    service_type: ServiceType
    reason: str


class ImportOut(Schema):
    id: int
    customer_id: int
    filename: str
    status: ImportStatus
    total_rows: int
    processed_rows: int
    percent: int
    to_create: int
    to_update: int
    message: str
    errors: list[dict[str, Any]] = Field(description="Every bad row: row number, column, message")
    created_at: datetime
    finished_at: datetime | None


class SupplierIn(_In):
    name: str
    contact_name: str = ""
    phone: str = ""
    email: str = ""
    notes: str = ""


class SupplierOut(Schema):
    id: int
    name: str
    contact_name: str
    phone: str
    email: str
    is_active: bool


class HandoverDocumentOut(Schema):
    id: int
    kind: DocumentKind
    title: str
    filename: str
    size: int
    uploaded_at: datetime


class HandoverRowOut(Schema):
    kind: DocumentKind
    missing: bool
    waived_reason: str | None
    documents: list[HandoverDocumentOut]


READ = {frozenset({401, 403, 404, 422}): ErrorOut}
WRITE = {frozenset({400, 401, 403, 404, 409, 413, 422}): ErrorOut}


def _detail(item: ConfigurationItem) -> dict[str, Any]:
    return {
        **{f.attname: getattr(item, f.attname) for f in ConfigurationItem._meta.concrete_fields},
        "effective_warranty_end": services.item_warranty_end(item=item),
        "components": list(item.components.all()),
    }


@router.get("/items", response={200: ItemPageOut, **READ}, url_name="item_list")
def list_items(request: HttpRequest, filters: Query[ItemQuery]) -> Any:
    """Items the caller may see (portal users: their own customer's), by asset tag."""
    page = keyset_paginate(
        queryset=selectors.item_list(
            actor=request.user,
            filters=selectors.ItemFilters(
                customer_id=filters.customer_id,
                system_id=filters.system_id,
                kind=filters.kind or "",
                status=filters.status or "",
                warranty=filters.warranty,
                q=filters.q,
            ),
        ),
        sort_field="code",
        descending=False,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/items/export", response={200: None, **READ}, url_name="item_export")
def export_items(request: HttpRequest, filters: Query[ItemQuery]) -> HttpResponse:
    """The filtered items as .xlsx, in the layout ``POST /items/imports`` reads."""
    rows = selectors.item_export_rows(
        actor=request.user,
        filters=selectors.ItemFilters(
            customer_id=filters.customer_id,
            system_id=filters.system_id,
            kind=filters.kind or "",
            status=filters.status or "",
            warranty=filters.warranty,
            q=filters.q,
        ),
    )
    response = HttpResponse(write_sheet(rows=rows, lang=translation.get_language()), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="items-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@router.post("/items", response={201: ItemDetailOut, **WRITE}, url_name="item_create")
def create_item(request: HttpRequest, payload: ItemIn) -> Any:
    values = payload.model_dump(exclude={"customer_id"})
    item = services.item_create(actor=request.user, customer_id=payload.customer_id, values=values)
    return Status(201, _detail(selectors.item_get(actor=request.user, item_id=item.pk)))


@router.get("/items/{int:item_id}", response={200: ItemDetailOut, **READ}, url_name="item_detail")
def get_item(request: HttpRequest, item_id: int) -> Any:
    return _detail(selectors.item_get(actor=request.user, item_id=item_id))


@router.patch("/items/{int:item_id}", response={200: ItemDetailOut, **WRITE}, url_name="item_update")
def update_item(request: HttpRequest, item_id: int, payload: ItemPatchIn) -> Any:
    """Change the fields sent; send ``row_version`` to be refused (409) if someone changed it meanwhile."""
    selectors.item_get(actor=request.user, item_id=item_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"row_version"})
    services.item_update(
        actor=request.user, item_id=item_id, changes=changes, row_version=payload.row_version
    )
    return _detail(selectors.item_get(actor=request.user, item_id=item_id))


@router.put(
    "/items/{int:item_id}/components", response={200: ItemDetailOut, **WRITE}, url_name="item_components"
)
def set_components(request: HttpRequest, item_id: int, payload: ComponentsIn) -> Any:
    """Replace the item's components, each with its own warranty end."""
    selectors.item_get(actor=request.user, item_id=item_id)
    services.item_set_components(
        actor=request.user,
        item_id=item_id,
        components=[c.model_dump() for c in payload.components],
        row_version=payload.row_version,
    )
    return _detail(selectors.item_get(actor=request.user, item_id=item_id))


@router.get(
    "/items/{int:item_id}/relations", response={200: list[RelationOut], **READ}, url_name="item_relations"
)
def relations(request: HttpRequest, item_id: int) -> Any:
    """Relations from and to the item."""
    out, into = selectors.item_relations(item=selectors.item_get(actor=request.user, item_id=item_id))
    return [*out, *into]


@router.post("/items/{int:item_id}/relations", response={201: RelationOut, **WRITE}, url_name="item_relate")
def relate(request: HttpRequest, item_id: int, payload: RelationIn) -> Any:
    selectors.item_get(actor=request.user, item_id=item_id)
    relation = services.item_relate(
        actor=request.user, source_id=item_id, kind=payload.kind, target_id=payload.target_id
    )
    return Status(201, relation)


@router.delete("/relations/{int:relation_id}", response={204: None, **WRITE}, url_name="item_unrelate")
def unrelate(request: HttpRequest, relation_id: int) -> Any:
    relation = ItemRelation.objects.filter(pk=relation_id).first()
    if relation is None:
        raise NotFound(_("Relation not found."), code="relation_not_found")
    selectors.item_get(actor=request.user, item_id=relation.source_id)
    services.item_unrelate(actor=request.user, relation_id=relation_id)
    return Status(204, None)


@router.get("/items/{int:item_id}/history", response={200: list[HistoryOut], **READ}, url_name="item_history")
def history(request: HttpRequest, item_id: int) -> Any:
    """Tickets, visits and parts that name the item, newest first (what the caller may see)."""
    return item_history(item=selectors.item_get(actor=request.user, item_id=item_id), actor=request.user)


@router.get("/entitlement", response={200: EntitlementOut, **READ}, url_name="entitlement")
def entitlement(
    request: HttpRequest,
    customer_id: int,
    system_id: int | None = None,
    item_ids: str = "",
    on: date | None = None,
) -> Any:
    """Who pays for work on these items (comma-separated ``item_ids``) or this system on ``on`` (today
    by default), and why (AST-2)."""
    customer = customer_get(actor=request.user, customer_id=customer_id)
    try:
        wanted = {int(pk) for pk in item_ids.split(",") if pk.strip()}
    except ValueError:
        raise ValidationFailed(_("Give item ids."), code="invalid", field="item_ids") from None
    items = list(selectors.item_list(actor=request.user).filter(pk__in=wanted, customer=customer))
    if len(items) != len(wanted):
        raise NotFound(_("Item not found."), code="item_not_found")
    system = DeliveredSystem.objects.filter(pk=system_id, customer=customer).first() if system_id else None
    if system_id and system is None:
        raise NotFound(_("System not found."), code="system_not_found")
    return services.entitlement_for(
        customer=customer, system=system, items=items, on=on or timezone.localdate()
    )


@router.post("/items/imports", response={201: ImportOut, **WRITE}, url_name="item_import_start")
def start_import(request: HttpRequest, customer_id: Form[int], file: File[UploadedFile]) -> Any:
    """Upload an .xlsx (multipart ``file``, ``customer_id``); it is checked in the background - poll
    ``GET /items/imports/{id}`` for progress, then ``POST .../confirm`` to import a ``ready`` one."""
    return Status(201, services.item_import_start(actor=request.user, customer_id=customer_id, upload=file))


@router.get("/items/imports/{int:import_id}", response={200: ImportOut, **READ}, url_name="item_import")
def get_import(request: HttpRequest, import_id: int) -> Any:
    return selectors.import_get(actor=request.user, import_id=import_id)


@router.post(
    "/items/imports/{int:import_id}/confirm",
    response={202: ImportOut, **WRITE},
    url_name="item_import_confirm",
)
def confirm_import(request: HttpRequest, import_id: int) -> Any:
    """Import a checked file without errors: all rows in one transaction, in the background."""
    selectors.import_get(actor=request.user, import_id=import_id)
    return Status(202, services.item_import_confirm(actor=request.user, import_id=import_id))


@router.get("/suppliers", response={200: list[SupplierOut], **READ}, url_name="supplier_list")
def suppliers(request: HttpRequest) -> Any:
    selectors.item_list(actor=request.user)  # the same audience as the items
    return list(Supplier.objects.order_by("name"))


@router.post("/suppliers", response={201: SupplierOut, **WRITE}, url_name="supplier_create")
def create_supplier(request: HttpRequest, payload: SupplierIn) -> Any:
    return Status(201, services.supplier_create(actor=request.user, **payload.model_dump()))


@router.get("/handover/{int:system_id}", response={200: list[HandoverRowOut], **READ}, url_name="handover")
def handover(request: HttpRequest, system_id: int) -> Any:
    """A project's handover checklist: per document kind, the documents, the waiver or missing."""
    _system, rows = selectors.handover_checklist(actor=request.user, system_id=system_id)
    return [
        {
            "kind": r.kind,
            "missing": r.missing,
            "waived_reason": r.waiver.reason if r.waiver else None,
            "documents": r.documents,
        }
        for r in rows
    ]
