"""Pages of the installed base (/assets/): the item list with filters and Excel export, an item's page
(details, warranty, who pays today, components, relations, history), create and edit, Excel imports
with their progress, preview and error report, handover checklists per project, suppliers. Thin:
parse, call one service or selector, render; a refusal goes beside its field."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from weibao.accounts.decorators import allowed_if
from weibao.accounts.permissions import is_portal_user
from weibao.assets import selectors, services
from weibao.assets.choices import ImportStatus
from weibao.assets.excel import write_sheet
from weibao.assets.forms import (
    ComponentsForm,
    HandoverUploadForm,
    HandoverWaiveForm,
    ImportForm,
    ItemFilterForm,
    ItemForm,
    RelationForm,
    SupplierForm,
)
from weibao.assets.history import item_history
from weibao.assets.models import ConfigurationItem, HandoverDocument, Supplier
from weibao.assets.permissions import can_manage_items, can_see_items
from weibao.core.errors import DomainError, NotFound, PermissionDenied
from weibao.core.forms import add_domain_error
from weibao.core.pagination import keyset_paginate
from weibao.customers.models import Customer

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _try(form: Any, call: Callable[[], Any]) -> Any:
    """Run a service; a refusal goes beside the field it names. Returns the result or ``None``."""
    try:
        return call()
    except PermissionDenied:
        raise
    except DomainError as exc:
        add_domain_error(form, exc)
        return None


def _filters(request: HttpRequest) -> tuple[ItemFilterForm, selectors.ItemFilters]:
    form = ItemFilterForm(request.GET or None, portal=is_portal_user(user=request.user))
    if not form.is_valid():
        return form, selectors.ItemFilters()
    d = form.cleaned_data
    customer = d.get("customer")
    return form, selectors.ItemFilters(
        customer_id=customer.pk if customer else None,
        system_id=d.get("system"),
        kind=d.get("kind") or "",
        status=d.get("status") or "",
        warranty=d.get("warranty") or "",
        q=d.get("q") or "",
    )


@allowed_if(can_see_items)
def item_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    page = keyset_paginate(
        queryset=selectors.item_list(actor=request.user, filters=filters),
        sort_field="code",
        descending=False,
        cursor=request.GET.get("cursor"),
        limit=PAGE_SIZE,
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    today = timezone.localdate()
    ends = [(item, services.item_warranty_end(item=item)) for item in page.items]
    rows = [(item, end, selectors.warranty_state(end=end, today=today)) for item, end in ends]
    context = {
        "form": form,
        "rows": rows,
        "next_cursor": page.next_cursor,
        "query": query.urlencode(),
        "can_manage": can_manage_items(user=request.user),
    }
    return render(request, "assets/list.html", context)


@allowed_if(can_see_items)
def item_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as .xlsx, in the layout the import reads."""
    _form, filters = _filters(request)
    content = write_sheet(
        rows=selectors.item_export_rows(actor=request.user, filters=filters), lang=translation.get_language()
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="items-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@allowed_if(can_manage_items)
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(write_sheet(rows=[], lang=translation.get_language()), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="items-template.xlsx"'
    return response


def _customer(request: HttpRequest) -> Customer | None:
    raw = request.GET.get("customer") or request.POST.get("customer") or ""
    return Customer.objects.filter(pk=int(raw), is_active=True).first() if raw.isdigit() else None


@allowed_if(can_manage_items)
def item_create(request: HttpRequest) -> HttpResponse:
    """First the customer (its systems and sites fill the form), then the item."""
    customer = _customer(request)
    if customer is None:
        customers = Customer.objects.filter(is_active=True).order_by("name")
        return render(request, "assets/choose_customer.html", {"customers": customers})
    form = ItemForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        item = _try(
            form,
            lambda: services.item_create(actor=request.user, customer_id=customer.pk, values=form.values()),
        )
        if item is not None:
            messages.success(request, _("The item was added."))
            return redirect("assets:detail", item.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "assets/form.html", {"form": form, "customer": customer, "item": None}, status=status
    )


@allowed_if(can_manage_items)
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(actor=request.user, item_id=item_id)
    initial = {
        **{f: getattr(item, f) for f in ("kind", "code", "name", "model", "version", "serial_number")},
        **{f: getattr(item, f) for f in ("location", "purchase_date", "warranty_end", "status", "notes")},
        "system": item.system_id,
        "site": item.site_id,
        "supplier": item.supplier_id,
        "row_version": item.row_version,
    }
    form = ItemForm(request.POST or None, customer=item.customer, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _try(
            form,
            lambda: services.item_update(
                actor=request.user,
                item_id=item.pk,
                changes=form.values(),
                row_version=form.cleaned_data.get("row_version"),
            ),
        )
        if done is not None:
            messages.success(request, _("The item was saved."))
            return redirect("assets:detail", item.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "customer": item.customer, "item": item}
    return render(request, "assets/form.html", context, status=status)


def _detail_context(request: HttpRequest, item: ConfigurationItem, **forms: Any) -> dict[str, Any]:
    today = timezone.localdate()
    out, into = selectors.item_relations(item=item)
    components = list(item.components.all())
    return {
        "item": item,
        "warranty_end": services.item_warranty_end(item=item),
        "warranty_state": selectors.warranty_state(end=services.item_warranty_end(item=item), today=today),
        "entitlement": services.entitlement_for(
            customer=item.customer, system=item.system, items=[item], on=today
        ),
        "components": [(c, selectors.warranty_state(end=c.warranty_end, today=today)) for c in components],
        "relations_out": out,
        "relations_in": into,
        "history": item_history(item=item, actor=request.user),
        "can_manage": can_manage_items(user=request.user),
        "components_form": forms.get("components_form")
        or ComponentsForm(
            initial={
                "components": "\n".join(
                    " | ".join(
                        [c.name, c.serial_number, c.warranty_end.isoformat() if c.warranty_end else ""]
                    )
                    for c in components
                ),
                "row_version": item.row_version,
            }
        ),
        "relation_form": forms.get("relation_form") or RelationForm(),
    }


@allowed_if(can_see_items)
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(actor=request.user, item_id=item_id)
    return render(request, "assets/detail.html", _detail_context(request, item))


@require_POST
@allowed_if(can_manage_items)
def item_components(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(actor=request.user, item_id=item_id)
    form = ComponentsForm(request.POST)
    if form.is_valid():
        done = _try(
            form,
            lambda: services.item_set_components(
                actor=request.user,
                item_id=item.pk,
                components=form.specs(),
                row_version=form.cleaned_data.get("row_version"),
            ),
        )
        if done is not None:
            messages.success(request, _("The components were saved."))
            return redirect("assets:detail", item.pk)
    return render(
        request, "assets/detail.html", _detail_context(request, item, components_form=form), status=400
    )


@require_POST
@allowed_if(can_manage_items)
def item_relate(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(actor=request.user, item_id=item_id)
    form = RelationForm(request.POST)
    if form.is_valid():
        target = ConfigurationItem.objects.filter(
            customer_id=item.customer_id, code=form.cleaned_data["target"].strip()
        ).first()
        if target is None:
            form.add_error("target", _("No item with this asset tag at this customer."))
        elif _try(
            form,
            lambda: services.item_relate(
                actor=request.user, source_id=item.pk, kind=form.cleaned_data["kind"], target_id=target.pk
            ),
        ):
            messages.success(request, _("The relation was added."))
            return redirect("assets:detail", item.pk)
    return render(
        request, "assets/detail.html", _detail_context(request, item, relation_form=form), status=400
    )


@require_POST
@allowed_if(can_manage_items)
def item_unrelate(request: HttpRequest, item_id: int, relation_id: int) -> HttpResponse:
    item = selectors.item_get(actor=request.user, item_id=item_id)
    if not (
        item.relations_out.filter(pk=relation_id).exists()
        or item.relations_in.filter(pk=relation_id).exists()
    ):
        raise Http404
    services.item_unrelate(actor=request.user, relation_id=relation_id)
    messages.success(request, _("The relation was removed."))
    return redirect("assets:detail", item.pk)


# --------------------------------------------------------------------------- imports


@allowed_if(can_manage_items)
def import_list(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = _try(
            form,
            lambda: services.item_import_start(
                actor=request.user,
                customer_id=form.cleaned_data["customer"].pk,
                upload=form.cleaned_data["file"],
            ),
        )
        if job is not None:
            return redirect("assets:import", job.pk)
    jobs = selectors.import_list(actor=request.user)[:20]
    status = 400 if request.method == "POST" else 200
    return render(request, "assets/imports.html", {"form": form, "jobs": jobs}, status=status)


@allowed_if(can_manage_items)
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    """The job's progress (polled by htmx while it runs), its preview and its errors."""
    job = selectors.import_get(actor=request.user, import_id=import_id)
    running = job.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)
    context = {
        "job": job,
        "running": running,
        "errors": job.errors[:500],
        "more_errors": max(0, len(job.errors) - 500),
    }
    if getattr(request, "htmx", False):
        return render(request, "assets/partials/import_status.html", context)
    return render(request, "assets/import.html", context)


@require_POST
@allowed_if(can_manage_items)
def import_confirm(request: HttpRequest, import_id: int) -> HttpResponse:
    try:
        services.item_import_confirm(actor=request.user, import_id=import_id)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    return redirect("assets:import", import_id)


@allowed_if(can_manage_items)
def import_errors(request: HttpRequest, import_id: int) -> HttpResponse:
    """Every error of the job as .xlsx (row, column, message) - the page shows the first 500."""
    job = selectors.import_get(actor=request.user, import_id=import_id)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Errors"))
    sheet.append([_("Row"), _("Column"), _("Error")])
    for error in job.errors:
        sheet.append([error["row"], error["column"], error["message"]])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.xlsx"'
    return response


# --------------------------------------------------------------------------- handover and suppliers


def _handover_page(request: HttpRequest, system_id: int, *, status: int = 200, **forms: Any) -> HttpResponse:
    system, rows = selectors.handover_checklist(actor=request.user, system_id=system_id)
    context = {
        "system": system,
        "rows": rows,
        "missing": [r for r in rows if r.missing],
        "can_manage": can_manage_items(user=request.user),
        "upload_form": forms.get("upload_form") or HandoverUploadForm(),
        "waive_form": forms.get("waive_form") or HandoverWaiveForm(),
    }
    return render(request, "assets/handover.html", context, status=status)


@allowed_if(can_see_items)
def handover(request: HttpRequest, system_id: int) -> HttpResponse:
    """A project's handover checklist: per kind the documents, the waiver, or missing (AST-3)."""
    return _handover_page(request, system_id)


@require_POST
@allowed_if(can_manage_items)
def handover_upload(request: HttpRequest, system_id: int) -> HttpResponse:
    form = HandoverUploadForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        done = _try(
            form,
            lambda: services.handover_upload(
                actor=request.user,
                system_id=system_id,
                kind=d["kind"],
                title=d.get("title") or "",
                upload=d["file"],
                notes=d.get("notes") or "",
            ),
        )
        if done is not None:
            messages.success(request, _("The document was added."))
            return redirect("assets:handover", system_id)
    return _handover_page(request, system_id, status=400, upload_form=form)


@require_POST
@allowed_if(can_manage_items)
def handover_waive(request: HttpRequest, system_id: int) -> HttpResponse:
    form = HandoverWaiveForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        call = lambda: services.handover_waive(  # noqa: E731
            actor=request.user, system_id=system_id, kind=d["kind"], reason=d["reason"]
        )
        if _try(form, call) is not None:
            messages.success(request, _("The handover checklist was updated."))
            return redirect("assets:handover", system_id)
    return _handover_page(request, system_id, status=400, waive_form=form)


@require_POST
@allowed_if(can_manage_items)
def handover_unwaive(request: HttpRequest, system_id: int, kind: str) -> HttpResponse:
    services.handover_unwaive(actor=request.user, system_id=system_id, kind=kind)
    return redirect("assets:handover", system_id)


@require_POST
@allowed_if(can_manage_items)
def handover_delete(request: HttpRequest, document_id: int) -> HttpResponse:
    document = HandoverDocument.objects.filter(pk=document_id).first()
    if document is None:
        raise Http404
    services.handover_delete(actor=request.user, document_id=document.pk)
    messages.success(request, _("The document was removed."))
    return redirect("assets:handover", document.system_id)


@allowed_if(can_see_items)
def handover_download(request: HttpRequest, document_id: int) -> HttpResponse:
    document = HandoverDocument.objects.filter(pk=document_id).first()
    if document is None:
        raise Http404
    selectors.handover_checklist(actor=request.user, system_id=document.system_id)  # the viewer's scope
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.filename)
    return cast("HttpResponse", response)


@allowed_if(can_manage_items)
def supplier_list(request: HttpRequest) -> HttpResponse:
    form = SupplierForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _try(form, lambda: services.supplier_create(actor=request.user, **form.cleaned_data)) is not None
    ):
        messages.success(request, _("The supplier was added."))
        return redirect("assets:suppliers")
    suppliers = Supplier.objects.order_by("name")
    status = 400 if request.method == "POST" else 200
    return render(request, "assets/suppliers.html", {"form": form, "suppliers": suppliers}, status=status)
