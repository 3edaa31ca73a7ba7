"""Notification pages: the inbox (/notifications/), the navbar bell's htmx fragments, and mark-read posts.

The bell in base.html costs the page nothing: it loads its badge (``bell``) lazily and polls it,
and fetches the dropdown (``menu``) only when opened.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from weibao.accounts.decorators import allowed_if
from weibao.notifications import selectors, services
from weibao.notifications.permissions import can_use_notifications

PAGE_SIZE = 25
#: Sent with every change so the bell's badge refreshes at once (hx-trigger "... from:body").
CHANGED_EVENT = "notificationsChanged"


def _is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _fragment(template_name: str, context: dict[str, Any]) -> HttpResponse:
    # Rendered without the request on purpose: the page's context processors (the viewer's
    # permissions for the navbar) would add a query to a fragment every open tab polls.
    return HttpResponse(render_to_string(template_name, context))


@never_cache
@require_GET
@allowed_if(can_use_notifications)
def inbox(request: HttpRequest) -> HttpResponse:
    """All or only unread notifications, newest first, 25 a page."""
    unread_only = request.GET.get("show") == "unread"
    notifications = selectors.notification_list(actor=request.user, unread_only=unread_only)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "unread_only": unread_only,
        "unread_count": selectors.notification_unread_count(actor=request.user),
        "query": "show=unread" if unread_only else "",
    }
    return render(request, "notifications/list.html", context)


@never_cache
@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """The bell's unread badge (htmx, on load and every minute)."""
    if not can_use_notifications(user=request.user):
        # A poll after the session expired: leave the page alone (204 swaps nothing), no login page.
        return HttpResponse(status=204)
    count = selectors.notification_unread_count(actor=request.user)
    return _fragment("notifications/partials/bell_badge.html", {"unread_count": count})


@never_cache
@require_GET
@allowed_if(can_use_notifications)
def menu(request: HttpRequest) -> HttpResponse:
    """The bell's dropdown: the newest notifications (htmx, when the dropdown opens)."""
    context = {
        "notifications": selectors.notification_latest(actor=request.user),
        "csrf_token": get_token(request),
    }
    return _fragment("notifications/partials/menu.html", context)


@require_POST
@allowed_if(can_use_notifications)
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark read and follow the notification's link (the inbox when it has none)."""
    notification = services.notification_mark_read(actor=request.user, notification_id=notification_id)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = _safe_next(request, fallback="")
    return redirect(target or "notifications:list")


@require_POST
@allowed_if(can_use_notifications)
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one notification read; htmx gets the updated item back, a form post the inbox."""
    notification = services.notification_mark_read(actor=request.user, notification_id=notification_id)
    if _is_htmx(request):
        response = render(request, "notifications/partials/item.html", {"notification": notification})
        response["HX-Trigger"] = CHANGED_EVENT
        return response
    return redirect(_safe_next(request, fallback=reverse("notifications:list")))


@require_POST
@allowed_if(can_use_notifications)
def mark_all_read(request: HttpRequest) -> HttpResponse:
    """Mark every unread notification read, then back to the inbox."""
    marked = services.notification_mark_all_read(actor=request.user)
    if marked:
        messages.success(request, _("All notifications marked as read."))
    return redirect(_safe_next(request, fallback=reverse("notifications:list")))
