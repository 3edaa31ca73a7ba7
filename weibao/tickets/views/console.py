"""The agent console (工单台): queues with counts, filters in the URL, keyset pages, htmx refresh."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.vary import vary_on_headers

from weibao.accounts.decorators import allowed_if, forbidden
from weibao.accounts.permissions import is_portal_user, is_staff_user
from weibao.core.errors import ValidationFailed
from weibao.tickets import selectors
from weibao.tickets.forms import ConsoleFilterForm, pickers_for
from weibao.tickets.views._common import PAGE_SIZE, HtmxHttpRequest, signed_in, wants_fragment

DEFAULT_QUEUE = "open"
DEFAULT_SORT = "-reported_at"
# Columns that sort, and the sort they start with on the first click.
SORTABLE = {
    "number": "-number",
    "reported_at": "-reported_at",
    "updated_at": "-updated_at",
    "priority": "+priority",
}


@allowed_if(signed_in)
@vary_on_headers("HX-Request")  # the same URL answers a fragment to htmx: caches must tell them apart
def console(request: HtmxHttpRequest) -> HttpResponse:
    """Queues, filters and the ticket table; an htmx request gets the table alone."""
    if is_portal_user(user=request.user):
        return redirect("tickets:portal_list")
    if not is_staff_user(user=request.user):
        return forbidden(request)
    data = request.GET.copy()
    data.setdefault("queue", DEFAULT_QUEUE)
    form = ConsoleFilterForm(data, pickers=pickers_for(actor=request.user))
    form.is_valid()  # invalid values are shown beside their field and ignored
    sort = form.cleaned_data.get("sort") or DEFAULT_SORT
    filters = form.filters()
    try:
        page = selectors.ticket_list(
            actor=request.user,
            filters=filters,
            sort=sort,
            cursor=request.GET.get("cursor") or None,
            limit=PAGE_SIZE,
        )
    except ValidationFailed as exc:
        messages.warning(request, str(exc.detail))
        page = selectors.ticket_list(actor=request.user, filters=filters, sort=sort, limit=PAGE_SIZE)
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "sort_columns": _sort_links(sort),
        "queue": filters.queue or "all",
        "is_first_page": not request.GET.get("cursor"),
    }
    if wants_fragment(request):
        return render(request, "tickets/partials/ticket_table.html", context)
    # The counts arrive in a second request (console_counts) once the page is shown: the list is what
    # the agent came for, and counting every queue is the page's most expensive query.
    context["queues"] = [
        {"code": code, "label": label, "count": None} for code, label in selectors.QUEUES.items()
    ]
    context["counts_pending"] = True
    return render(request, "tickets/console.html", context)


def _queue_tabs(*, counts: dict[str, int]) -> list[dict[str, object]]:
    return [
        {"code": code, "label": label, "count": counts.get(code)} for code, label in selectors.QUEUES.items()
    ]


@allowed_if(signed_in)
def console_counts(request: HtmxHttpRequest) -> HttpResponse:
    """The queue tabs with their counts, fetched by the console page after it has loaded."""
    if not is_staff_user(user=request.user):
        return forbidden(request)
    counts = selectors.ticket_queue_counts(actor=request.user)
    context = {
        "queues": [
            {"code": c, "label": label, "count": counts.get(c)} for c, label in selectors.QUEUES.items()
        ],
        "queue": request.GET.get("queue") or DEFAULT_QUEUE,
        "counts_pending": False,
    }
    return render(request, "tickets/partials/queue_tabs.html", context)


@allowed_if(signed_in)
def console_system_options(request: HtmxHttpRequest) -> HttpResponse:
    """<option>s of the system filter for the chosen customer (htmx, when the customer changes)."""
    if not is_staff_user(user=request.user):
        return forbidden(request)
    form = ConsoleFilterForm(request.GET, pickers=pickers_for(actor=request.user))
    return render(request, "tickets/partials/system_options.html", {"field": form["system"]})


def _sort_links(current: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the sort a click selects and the arrow to show now."""
    result = {}
    bare = current.lstrip("+-")
    descending = current.startswith("-") or (current == bare and bare != "priority")
    for column, first in SORTABLE.items():
        if column == bare:
            target = f"+{column}" if descending else f"-{column}"
            arrow = "ti-chevron-down" if descending else "ti-chevron-up"
        else:
            target, arrow = first, ""
        result[column] = {"sort": target, "arrow": arrow}
    return result
