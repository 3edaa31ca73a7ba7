"""Service desk administration (permission ``config.manage``): categories, priority matrix, settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from weibao.accounts.decorators import allowed_if
from weibao.core.errors import DomainError, PermissionDenied
from weibao.core.forms import add_domain_error
from weibao.tickets import selectors, services
from weibao.tickets.choices import Level
from weibao.tickets.forms import CategoryForm, DeskSettingsForm, PriorityMatrixForm
from weibao.tickets.models import Category
from weibao.tickets.views._common import HtmxHttpRequest, can_manage_desk


def _save(form: Any, call: Any) -> int:
    """Run a config service; a refusal goes beside its field. Returns the HTTP status (302 = saved)."""
    try:
        call()
    except PermissionDenied:
        raise
    except DomainError as exc:
        add_domain_error(form, exc)
        return exc.status
    return 302


@allowed_if(can_manage_desk)
def manage_categories(request: HtmxHttpRequest, category_id: int | None = None) -> HttpResponse:
    """All categories (also inactive ones) and a form to create one or edit ``category_id``."""
    categories = selectors.category_options(include_inactive=True)
    editing: Category | None = None
    if category_id is not None:
        editing = next((c for c in categories if c.pk == category_id), None)
        if editing is None:
            raise Http404
    status = 200
    if request.method == "POST":
        form = CategoryForm(request.POST, categories=categories)
        if form.is_valid():
            status = _save(
                form,
                lambda: services.category_save(
                    actor=request.user, category_id=category_id, **form.service_kwargs()
                ),
            )
            if status == 302:
                messages.success(request, _("The category was saved."))
                return redirect("tickets:manage_categories")
        else:
            status = 400
    elif editing is not None:
        form = CategoryForm(
            categories=categories,
            initial={
                "code": editing.code,
                "name": editing.name,
                "kind": editing.kind,
                "parent": editing.parent_id,
                "sort_order": editing.sort_order,
                "is_active": editing.is_active,
            },
        )
    else:
        form = CategoryForm(categories=categories)
    context = {"categories": categories, "form": form, "editing": editing}
    return render(request, "tickets/manage/categories.html", context, status=status)


@allowed_if(can_manage_desk)
def manage_matrix(request: HtmxHttpRequest) -> HttpResponse:
    """The urgency x impact -> priority matrix as a 3x3 grid of selects."""
    matrix = selectors.priority_matrix()
    status = 200
    if request.method == "POST":
        form = PriorityMatrixForm(request.POST, matrix=matrix)
        if form.is_valid():
            status = _save(
                form, lambda: services.priority_matrix_update(actor=request.user, cells=form.cells())
            )
            if status == 302:
                messages.success(request, _("The priority matrix was saved."))
                return redirect("tickets:manage_matrix")
        else:
            status = 400
    else:
        form = PriorityMatrixForm(matrix=matrix)
    context = {"form": form, "impacts": [label for _value, label in Level.choices]}
    return render(request, "tickets/manage/matrix.html", context, status=status)


@allowed_if(can_manage_desk)
def manage_settings(request: HtmxHttpRequest) -> HttpResponse:
    """Auto-close days, the progress-update interval and the "pending too long" threshold."""
    current = selectors.desk_settings_get()
    status = 200
    if request.method == "POST":
        form = DeskSettingsForm(request.POST)
        if form.is_valid():
            status = _save(
                form,
                lambda: services.desk_settings_update(
                    actor=request.user,
                    auto_close_days=form.cleaned_data["auto_close_days"],
                    progress_interval_hours=form.cleaned_data["progress_interval_hours"],
                    pending_alert_hours=form.cleaned_data["pending_alert_hours"],
                ),
            )
            if status == 302:
                messages.success(request, _("The settings were saved."))
                return redirect("tickets:manage_settings")
        else:
            status = 400
    else:
        form = DeskSettingsForm(
            initial={
                "auto_close_days": current.auto_close_days,
                "progress_interval_hours": current.progress_interval_hours,
                "pending_alert_hours": current.pending_alert_hours,
            }
        )
    return render(request, "tickets/manage/settings.html", {"form": form}, status=status)
