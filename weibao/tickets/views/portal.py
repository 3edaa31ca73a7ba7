"""The customer portal's ticket list (their own customer's tickets only: the selectors scope it)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.vary import vary_on_headers

from weibao.accounts.decorators import allowed_if
from weibao.accounts.permissions import is_portal_user
from weibao.core.errors import ValidationFailed
from weibao.tickets import selectors
from weibao.tickets.forms import PortalFilterForm
from weibao.tickets.views._common import PORTAL_PAGE_SIZE, HtmxHttpRequest, signed_in, wants_fragment


@allowed_if(signed_in)
@vary_on_headers("HX-Request")  # the same URL answers a fragment to htmx: caches must tell them apart
def portal_list(request: HtmxHttpRequest) -> HttpResponse:
    if not is_portal_user(user=request.user):
        return redirect("tickets:console")
    form = PortalFilterForm(request.GET)
    form.is_valid()
    filters = form.filters()
    try:
        page = selectors.ticket_list(
            actor=request.user,
            filters=filters,
            cursor=request.GET.get("cursor") or None,
            limit=PORTAL_PAGE_SIZE,
        )
    except ValidationFailed as exc:
        messages.warning(request, str(exc.detail))
        page = selectors.ticket_list(actor=request.user, filters=filters, limit=PORTAL_PAGE_SIZE)
    context = {"form": form, "page": page, "is_first_page": not request.GET.get("cursor")}
    if wants_fragment(request):
        return render(request, "tickets/partials/portal_table.html", context)
    return render(request, "tickets/portal_list.html", context)
