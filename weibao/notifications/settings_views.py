"""Notification settings pages: each user's preferences; for administrators (``config.manage``) the
rules grid, robot webhooks and the delivery log. Thin: parse, call one service or selector, render;
a service's refusal goes beside its field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.accounts.decorators import allowed_if
from weibao.core.errors import DomainError, PermissionDenied
from weibao.core.forms import add_domain_error
from weibao.notifications import selectors, services
from weibao.notifications.choices import RuleAudience
from weibao.notifications.forms import DeliveryFilterForm, PreferenceForm, RuleGridForm, WebhookForm
from weibao.notifications.permissions import can_manage_notifications, can_use_notifications

PAGE_SIZE = 50


def _save(form: Any, call: Callable[[], Any]) -> int:
    """Run a service; a refusal goes beside its field. The HTTP status to answer (302 = saved)."""
    try:
        call()
    except PermissionDenied:
        raise
    except DomainError as exc:
        add_domain_error(form, exc, field_map={"team_id": "team", "customer_id": "customer"})
        return exc.status
    return 302


@allowed_if(can_use_notifications)
def preferences(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own choices: which events reach them in the app and by email; quiet hours."""
    preference = selectors.preference_get(actor=request.user)
    form = PreferenceForm(request.POST or None, preference=preference)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            status = _save(
                form, lambda: services.preference_save(actor=request.user, **form.service_kwargs())
            )
            if status == 302:
                messages.success(request, _("Your notification settings were saved."))
                return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form}, status=status)


@allowed_if(can_manage_notifications)
def rules(request: HttpRequest) -> HttpResponse:
    """The grid: for each event, which audience hears of it in the app and/or by email."""
    grid = selectors.rule_grid(actor=request.user)
    form = RuleGridForm(request.POST or None, grid=grid, fingerprint=services.rules_fingerprint())
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            status = _save(
                form,
                lambda: services.rules_save(
                    actor=request.user,
                    cells=form.cells(),
                    fingerprint=form.cleaned_data.get("fingerprint") or None,
                ),
            )
            if status == 302:
                messages.success(request, _("The notification rules were saved."))
                return redirect("notifications:rules")
    context = {"form": form, "audiences": RuleAudience.choices}
    return render(request, "notifications/rules.html", context, status=status)


@allowed_if(can_manage_notifications)
def webhook_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "notifications/webhook_list.html", {"webhooks": selectors.webhook_list(actor=request.user)}
    )


@allowed_if(can_manage_notifications)
def webhook_edit(request: HttpRequest, webhook_id: int | None = None) -> HttpResponse:
    webhook = selectors.webhook_get(actor=request.user, webhook_id=webhook_id) if webhook_id else None
    initial = WebhookForm.initial_for(webhook) if webhook else None
    form = WebhookForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            status = _save(
                form,
                lambda: services.webhook_save(
                    actor=request.user, webhook_id=webhook_id, **form.service_kwargs()
                ),
            )
            if status == 302:
                messages.success(request, _("The webhook was saved."))
                return redirect("notifications:webhooks")
    context = {"form": form, "webhook": webhook}
    return render(request, "notifications/webhook_form.html", context, status=status)


@require_POST
@allowed_if(can_manage_notifications)
def webhook_delete(request: HttpRequest, webhook_id: int) -> HttpResponse:
    services.webhook_delete(actor=request.user, webhook_id=webhook_id)
    messages.success(request, _("The webhook was deleted."))
    return redirect("notifications:webhooks")


@require_POST
@allowed_if(can_manage_notifications)
def webhook_test(request: HttpRequest, webhook_id: int) -> HttpResponse:
    """Post a test message now and say how it went."""
    result = services.webhook_test(actor=request.user, webhook_id=webhook_id)
    if result.ok:
        messages.success(request, _("The test message was delivered."))
    else:
        messages.error(request, _("The test message failed: %(error)s") % {"error": result.detail})
    return redirect("notifications:webhooks")


@allowed_if(can_manage_notifications)
def deliveries(request: HttpRequest) -> HttpResponse:
    """The delivery log: every email and webhook post, its status and attempts; failed ones can be resent."""
    form = DeliveryFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "status": form.cleaned_data.get("status") or "",
            "channel": form.cleaned_data.get("channel") or "",
            "ticket_number": form.cleaned_data.get("ticket"),
        }
    # Keyset pages: the log grows by thousands of rows a day, and OFFSET/COUNT would grow with it.
    page = selectors.delivery_page(
        actor=request.user, cursor=request.GET.get("cursor"), limit=PAGE_SIZE, **filters
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {"form": form, "rows": page.items, "next_cursor": page.next_cursor, "query": query.urlencode()}
    context["now"] = timezone.now()
    return render(request, "notifications/deliveries.html", context)


@require_POST
@allowed_if(can_manage_notifications)
def delivery_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    try:
        services.delivery_retry(actor=request.user, delivery_id=delivery_id)
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("The delivery was queued again."))
    return redirect("notifications:deliveries")
