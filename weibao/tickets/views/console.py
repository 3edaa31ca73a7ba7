"""The agent console (工单台): queues with counts, filters in the URL, keyset pages, htmx refresh."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.forms.boundfield import BoundField
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from weibao.accounts.decorators import allowed_if, forbidden
from weibao.accounts.permissions import is_portal_user, is_staff_user
from weibao.core.errors import ValidationFailed
from weibao.tickets import selectors
from weibao.tickets.choices import PendingReason, Priority, Status
from weibao.tickets.forms import ConsoleFilterForm, pickers_for
from weibao.tickets.models import Ticket
from weibao.tickets.templatetags.sla_tags import ticket_badge
from weibao.tickets.templatetags.ticket_tags import (
    DATETIME_FORMAT,
    PRIORITY_COLOURS,
    STATUS_COLOURS,
    category_label,
    emergency_badge,
)
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
        "rows": _table_rows(page.items),
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
    context["selects"] = {
        name: _select_html(form[name])
        for name in ("priority", "emergency", "assignee", "system", "team", "category", "sla")
    }
    context["customer_options"] = _customer_options(form)
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


# The console renders its 50 rows and its filter selects here rather than cell by cell in the template
# language: the same markup, but one format_html per row instead of ~30 template nodes, filters and
# translations per row (bench/: the template engine was most of the page's time at 1M tickets).


def _table_rows(tickets: Iterable[Ticket]) -> list[tuple[Ticket, SafeString, SafeString]]:
    """``(ticket, cells before the SLA column, cells after it)`` for each row of the ticket table."""
    labels = {
        key: conditional_escape(text)
        for key, text in {
            "no": _("No."),
            "title": _("Title"),
            "customer": _("Customer"),
            "system": _("System"),
            "priority": _("Priority"),
            "status": _("Status"),
            "assignee": _("Assignee / team"),
            "reported": _("Reported"),
            "updated": _("Updated"),
            "sla": _("SLA"),
        }.items()
    }
    unassigned = format_html('<span class="text-secondary">{}</span>', _("Unassigned"))
    statuses = {code: str(label) for code, label in Status.choices}
    priorities = {code: str(label) for code, label in Priority.choices}
    pending_reasons = {code: str(label) for code, label in PendingReason.choices}
    detail_url = reverse("tickets:detail", args=[0])
    url_head, url_tail = detail_url.rsplit("0", 1)
    tz = timezone.get_current_timezone()
    now = timezone.now()
    category_labels: dict[int, str] = {}
    rows = []
    for ticket in tickets:
        url = f"{url_head}{ticket.number}{url_tail}"
        category = ""
        if ticket.category_id:
            if ticket.category_id not in category_labels:
                category_labels[ticket.category_id] = category_label(ticket.category)
            category = format_html(
                '<div class="text-secondary small">{}</div>', category_labels[ticket.category_id]
            )
        status_label = statuses.get(ticket.status, ticket.status)
        if ticket.status == Status.PENDING and ticket.pending_reason:
            reason = pending_reasons.get(ticket.pending_reason, ticket.pending_reason)
            status_label = f"{status_label} · {reason}"
        if ticket.assignee_id:
            assignee: Any = ticket.assignee
        else:
            assignee = "" if ticket.team_id else unassigned
        team = ""
        if ticket.team_id and ticket.team is not None:
            team = format_html('<div class="text-secondary small">{}</div>', ticket.team.name)
        head = format_html(
            '<tr data-testid="ticket-row" data-number="{number}">'
            '<td data-label="{l_no}" class="text-nowrap">'
            '<a href="{url}" data-testid="ticket-link-{number}">#{number}</a></td>'
            '<td data-label="{l_title}" class="ticket-title-cell">'
            '<a href="{url}" class="text-reset fw-medium">{title}</a> {emergency} {category}</td>'
            '<td data-label="{l_customer}" class="col-customer">{customer}</td>'
            '<td data-label="{l_system}" class="col-system">{system}</td>'
            '<td data-label="{l_priority}">'
            '<span class="badge bg-{p_colour}-lt" data-priority="{priority}">{p_label}</span></td>'
            '<td data-label="{l_status}">'
            '<span class="badge bg-{s_colour}-lt" data-status="{status}">{s_label}</span></td>'
            '<td data-label="{l_assignee}">{assignee} {team}</td>',
            number=ticket.number,
            url=url,
            **{f"l_{key}": text for key, text in labels.items()},
            title=ticket.title,
            emergency=emergency_badge(ticket),
            category=category,
            customer=ticket.customer.name,
            system=ticket.system if ticket.system_id else "—",
            p_colour=PRIORITY_COLOURS.get(ticket.priority, "secondary"),
            priority=ticket.priority,
            p_label=priorities.get(ticket.priority, ticket.priority),
            s_colour=STATUS_COLOURS.get(ticket.status, "secondary"),
            status=ticket.status,
            s_label=status_label,
            assignee=assignee,
            team=team,
        )
        tail = format_html(
            '<td data-label="{}" class="col-sla">{}</td>'  # from the row's own SLA columns: no query
            '<td data-label="{}" class="col-date">{}</td>'
            '<td data-label="{}" class="col-date text-secondary d-none d-md-table-cell">{}</td></tr>',
            labels["sla"],
            ticket_badge(ticket=ticket, now=now),
            labels["reported"],
            _local_dt_wrap(ticket.reported_at, tz),
            labels["updated"],
            _local_dt_wrap(ticket.updated_at, tz),
        )
        rows.append((ticket, head, tail))
    return rows


def _local_dt_wrap(value: datetime | None, tz: Any) -> SafeString:
    """As the ``local_dt_wrap`` filter: the local date and time, each kept on one line."""
    if value is None:
        return SafeString("")
    if timezone.is_aware(value):
        value = value.astimezone(tz)
    day, clock = value.strftime(DATETIME_FORMAT).split(" ", 1)
    return format_html('<span class="text-nowrap">{}</span> <span class="text-nowrap">{}</span>', day, clock)


def _select_html(field: BoundField) -> SafeString:
    """A ``<select>`` as Django's widget renders it, without a template per option."""
    widget = field.field.widget
    assert isinstance(widget, forms.Select)
    attrs = field.build_widget_attrs({}, widget)  # as BoundField.as_widget builds them
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    attrs = widget.build_attrs(widget.attrs, attrs)
    value = widget.format_value(field.value())
    groups = widget.optgroups(field.html_name, value, attrs)
    parts = []
    for group_name, options, _index in groups:
        inner = _options_html((o["value"], o["label"], o["selected"]) for o in options)
        parts.append(
            format_html('<optgroup label="{}">{}</optgroup>', group_name, inner) if group_name else inner
        )
    return format_html('<select name="{}"{}>{}</select>', field.html_name, _attrs_html(attrs), _joined(parts))


_SELECTED = SafeString(" selected")


def _options_html(options: Iterable[tuple[Any, Any, bool]]) -> SafeString:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((v, _SELECTED if on else "", label) for v, label, on in options),
    )


def _joined(parts: Iterable[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _attrs_html(attrs: dict[str, Any]) -> SafeString:
    """Attributes as Django's ``attrs.html`` writes them: False left out, True as a bare name."""
    return _joined(
        format_html(" {}", k) if v is True else format_html(' {}="{}"', k, v)
        for k, v in attrs.items()
        if v is not False and v is not None
    )


def _customer_options(form: ConsoleFilterForm) -> SafeString:
    """The customer picker's ``<option>``s: the form's queryset, read as (id, name) pairs."""
    field = form.fields["customer"]
    assert isinstance(field, forms.ModelChoiceField)
    chosen = str(form["customer"].value())
    customers = field.queryset.values_list("pk", "name") if field.queryset is not None else []
    options = [("", field.empty_label or ""), *customers]
    return _options_html((pk, name, str(pk) == chosen) for pk, name in options)
