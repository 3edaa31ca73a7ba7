"""Customer pages: list, detail, and forms for customers, sites, contacts and systems."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from weibao.accounts.decorators import allowed_if
from weibao.accounts.selectors import staff_choices
from weibao.core.errors import DomainError
from weibao.core.forms import add_domain_error
from weibao.customers import selectors, services
from weibao.customers.forms import (
    ContactForm,
    CustomerEditForm,
    CustomerFilterForm,
    CustomerForm,
    ModuleFormSet,
    SiteForm,
    SystemForm,
)
from weibao.customers.models import Customer
from weibao.customers.permissions import can_manage_customers, can_view_customers

PAGE_SIZE = 25


@allowed_if(can_view_customers)
def customer_list(request: HttpRequest) -> HttpResponse:
    form = CustomerFilterForm(request.GET or None, regions=selectors.customer_regions(actor=request.user))
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "q": form.cleaned_data["q"] or None,
            "region": form.cleaned_data["region"] or None,
            "include_inactive": form.cleaned_data["include_inactive"],
        }
    page = Paginator(selectors.customer_list(actor=request.user, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": form,
        "page": page,
        "query": query.urlencode(),
        "can_manage": can_manage_customers(user=request.user),
    }
    return render(request, "customers/list.html", context)


@allowed_if(can_view_customers)
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    detail = selectors.customer_detail(actor=request.user, customer_id=customer_id)
    context = {
        "detail": detail,
        "customer": detail.customer,
        "can_manage": can_manage_customers(user=request.user),
    }
    return render(request, "customers/detail.html", context)


@allowed_if(can_manage_customers)
def customer_create(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Customer %(name)s created.") % {"name": customer.name})
            return redirect("customers:detail", customer_id=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": None})


@allowed_if(can_manage_customers)
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get(actor=request.user, customer_id=customer_id)
    form = CustomerEditForm(request.POST or None, initial=CustomerForm.initial_for(customer))
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(actor=request.user, customer_id=customer.pk, changes=form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:detail", customer_id=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


def _render_sub_form(
    request: HttpRequest, customer: Customer, form: Any, title: str, extra: dict[str, Any] | None = None
) -> HttpResponse:
    context = {"form": form, "customer": customer, "title": title, **(extra or {})}
    return render(request, "customers/sub_form.html", context)


@allowed_if(can_manage_customers)
def site_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get(actor=request.user, customer_id=customer_id)
    form = SiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.site_create(actor=request.user, customer_id=customer.pk, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Site added."))
            return redirect("customers:detail", customer_id=customer.pk)
    return _render_sub_form(request, customer, form, _("New site"))


@allowed_if(can_manage_customers)
def site_edit(request: HttpRequest, site_id: int) -> HttpResponse:
    site = selectors.site_get(actor=request.user, site_id=site_id)
    names = ("name", "address", "region", "distance_class", "calendar_id", "is_active")
    initial = {n: getattr(site, n) for n in names}
    form = SiteForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.site_update(actor=request.user, site_id=site.pk, changes=form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:detail", customer_id=site.customer_id)
    return _render_sub_form(request, site.customer, form, _("Edit site %(name)s") % {"name": site.name})


_CONTACT_FIELD_MAP = {"site_id": "site", "portal_user_id": "link_user"}


def _contact_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "title": data["title"],
        "phone": data["phone"],
        "email": data["email"],
        "site_id": data["site"].pk if data.get("site") else None,
    }


@allowed_if(can_manage_customers)
def contact_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get(actor=request.user, customer_id=customer_id)
    form = ContactForm(request.POST or None, customer=customer, has_login=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        login = (
            {"username": data["portal_username"], "password": data["portal_password"]}
            if data.get("create_login")
            else None
        )
        try:
            services.contact_create(
                actor=request.user,
                customer_id=customer.pk,
                portal_login=login,  # type: ignore[arg-type]
                **_contact_fields(data),
            )
        except DomainError as exc:
            add_domain_error(form, exc, field_map=_CONTACT_FIELD_MAP)
        else:
            messages.success(request, _("Contact added."))
            return redirect("customers:detail", customer_id=customer.pk)
    return _render_sub_form(request, customer, form, _("New contact"))


@allowed_if(can_manage_customers)
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = selectors.contact_get(actor=request.user, contact_id=contact_id)
    has_login = contact.user_id is not None
    initial = {n: getattr(contact, n) for n in ("name", "title", "phone", "email", "site", "is_active")}
    form = ContactForm(
        request.POST or None,
        initial=initial,
        customer=contact.customer,
        has_login=has_login,
        linkable_users=None if has_login else selectors.linkable_portal_users(actor=request.user),
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes: dict[str, Any] = {**_contact_fields(data), "is_active": data["is_active"]}
        if data.get("unlink_user"):
            changes["portal_user_id"] = None
        elif data.get("link_user"):
            changes["portal_user_id"] = data["link_user"].pk
        if data.get("create_login"):
            changes["portal_login"] = {
                "username": data["portal_username"],
                "password": data["portal_password"],
            }
        try:
            services.contact_update(actor=request.user, contact_id=contact.pk, changes=changes)  # type: ignore[arg-type]
        except DomainError as exc:
            add_domain_error(form, exc, field_map=_CONTACT_FIELD_MAP)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:detail", customer_id=contact.customer_id)
    title = _("Edit contact %(name)s") % {"name": contact.name}
    return _render_sub_form(request, contact.customer, form, title, {"contact": contact})


_SYSTEM_FIELD_MAP = {"site_id": "site", "project_manager_id": "project_manager"}


def _system_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "version": data["version"],
        "site_id": data["site"].pk if data.get("site") else None,
        "project_manager_id": data["project_manager"].pk if data.get("project_manager") else None,
        "go_live_date": data["go_live_date"],
        "warranty_end": data["warranty_end"],
    }


def _module_specs(formset: Any) -> list[dict[str, str]]:
    return [
        {"name": f.cleaned_data["name"], "version": f.cleaned_data.get("version", "")}
        for f in formset.forms
        if f.cleaned_data.get("name") and not f.cleaned_data.get("DELETE")
    ]


def _system_page(
    request: HttpRequest, customer: Customer, form: Any, formset: Any, title: str
) -> HttpResponse:
    context = {"form": form, "formset": formset, "customer": customer, "title": title}
    return render(request, "customers/system_form.html", context)


@allowed_if(can_manage_customers)
def system_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get(actor=request.user, customer_id=customer_id)
    staff = staff_choices(actor=request.user)
    form = SystemForm(request.POST or None, customer=customer, staff=staff)
    formset = ModuleFormSet(request.POST or None, prefix="modules")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.system_create(
                actor=request.user,
                customer_id=customer.pk,
                modules=_module_specs(formset),  # type: ignore[arg-type]
                **_system_fields(form.cleaned_data),
            )
        except DomainError as exc:
            add_domain_error(form, exc, field_map=_SYSTEM_FIELD_MAP)
        else:
            messages.success(request, _("System added."))
            return redirect("customers:detail", customer_id=customer.pk)
    return _system_page(request, customer, form, formset, _("New delivered system"))


@allowed_if(can_manage_customers)
def system_edit(request: HttpRequest, system_id: int) -> HttpResponse:
    system = selectors.system_get(actor=request.user, system_id=system_id)
    staff = staff_choices(actor=request.user)
    initial = {
        n: getattr(system, n)
        for n in ("name", "version", "site", "project_manager", "go_live_date", "warranty_end", "is_active")
    }
    form = SystemForm(
        request.POST or None, initial=initial, customer=system.customer, staff=staff, editing=True
    )
    modules = [{"name": m.name, "version": m.version} for m in system.modules.all() if m.is_active]
    formset = ModuleFormSet(request.POST or None, initial=modules, prefix="modules")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        changes = {
            **_system_fields(form.cleaned_data),
            "is_active": form.cleaned_data["is_active"],
            "modules": _module_specs(formset),
        }
        try:
            services.system_update(actor=request.user, system_id=system.pk, changes=changes)  # type: ignore[arg-type]
        except DomainError as exc:
            add_domain_error(form, exc, field_map=_SYSTEM_FIELD_MAP)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:detail", customer_id=system.customer_id)
    title = _("Edit system %(name)s") % {"name": system}
    return _system_page(request, system.customer, form, formset, title)
