"""Every read of tickets that starts from user input, scoped to the actor (DESIGN.md rule 2).

Portal users see only their own customer's tickets; staff with ``ticket.view_all`` see all; other
staff see tickets they are involved in. An id outside the scope answers 404, never 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weibao.accounts.choices import Perm
from weibao.accounts.models import Team
from weibao.accounts.permissions import has_perm, is_portal_user, is_staff_user
from weibao.assets.models import ConfigurationItem
from weibao.assets.services import entitlement_for, item_warranty_end
from weibao.core.errors import NotFound, ValidationFailed
from weibao.core.pagination import Page, keyset_paginate, keyset_window
from weibao.tickets.choices import ACTIVE_STATUSES, FINAL_STATUSES, OPEN_STATUSES, Status
from weibao.tickets.models import (
    Category,
    DeskSettings,
    PriorityRule,
    Ticket,
    TicketAttachment,
    TicketComment,
    TicketEvent,
)
from weibao.tickets.permissions import actor_customer_id, can_view_internal

SORTS = {
    "reported_at": ("reported_at", True),
    "-reported_at": ("reported_at", True),
    "+reported_at": ("reported_at", False),
    "updated_at": ("updated_at", True),
    "-updated_at": ("updated_at", True),
    "+updated_at": ("updated_at", False),
    "priority": ("priority", False),
    "+priority": ("priority", False),
    "-priority": ("priority", True),
    "number": ("number", True),
    "-number": ("number", True),
    "+number": ("number", False),
}
MAX_PAGE_SIZE = 200

# Console queues: name -> label. Counts are computed in one query (ticket_queue_counts).
QUEUES: dict[str, Any] = {
    "open": gettext_lazy("All open"),
    "mine": gettext_lazy("My tickets"),
    "unassigned": gettext_lazy("Unassigned"),
    "my_teams": gettext_lazy("My teams"),
    "pending": gettext_lazy("Pending"),
    "to_verify": gettext_lazy("To verify"),
    "to_close": gettext_lazy("Awaiting customer confirmation"),
    "progress_due": gettext_lazy("Progress update due"),
    "emergency": gettext_lazy("Emergencies"),
    "done": gettext_lazy("Closed and cancelled"),
    "all": gettext_lazy("All tickets"),
}


def ticket_scope(*, actor: Any) -> QuerySet[Ticket]:
    """The tickets ``actor`` may see at all."""
    qs = Ticket.objects.all()
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return qs.none()
    if is_portal_user(user=actor):
        customer_id = actor_customer_id(actor=actor)
        return qs.filter(customer_id=customer_id) if customer_id else qs.none()
    if not is_staff_user(user=actor):
        return qs.none()
    if has_perm(user=actor, perm=Perm.TICKET_VIEW_ALL):
        return qs
    return qs.filter(Q(assignee=actor) | Q(escalated_to=actor) | Q(collaborators=actor)).distinct()


@dataclass
class TicketFilters:
    """The console's and the API's list filters. Empty values mean "any"."""

    queue: str = ""
    status: list[str] = field(default_factory=list)
    priority: list[int] = field(default_factory=list)
    customer_id: int | None = None
    system_id: int | None = None
    assignee: str = ""  # a user id, "me" or "none"
    team_id: int | None = None
    category_id: int | None = None
    is_emergency: bool | None = None
    sla: str = ""  # "breached" or "at_risk"
    text: str = ""
    reported_from: datetime | None = None
    reported_to: datetime | None = None


def _queue_q(*, queue: str, actor: Any, now: datetime) -> Q:
    open_q = Q(status__in=OPEN_STATUSES)
    if queue == "open":
        return open_q
    # "mine" and "my_teams" use subqueries, not joins: a join over collaborators or team members
    # would repeat a ticket once per row and inflate every count aggregated alongside them.
    if queue == "mine":
        collaborating = Ticket.collaborators.through.objects.filter(user_id=actor.pk).values("ticket_id")
        return Q(status__in=ACTIVE_STATUSES) & (Q(assignee=actor) | Q(pk__in=collaborating))
    if queue == "unassigned":
        return Q(status=Status.NEW)
    if queue == "my_teams":
        teams = Team.members.through.objects.filter(user_id=actor.pk).values("team_id")
        return open_q & Q(team_id__in=teams)
    if queue == "pending":
        return Q(status=Status.PENDING)
    if queue == "to_verify":
        return Q(status=Status.RESOLVED)
    if queue == "to_close":
        return Q(status=Status.VERIFIED)
    if queue == "progress_due":
        return open_q & Q(progress_due_at__lte=now)
    if queue == "emergency":
        return open_q & Q(is_emergency=True)
    if queue == "done":
        return Q(status__in=FINAL_STATUSES)
    if queue in ("", "all"):
        return Q()
    raise ValidationFailed(_("Unknown queue."), code="invalid_queue", field="queue")


def _sla_q(*, value: str, now: datetime) -> Q:
    """The "breached / at risk" filter on the denormalised, indexed SLA columns of the ticket."""
    if value == "breached":
        return Q(sla_breached=True) | Q(sla_due_at__lte=now)
    return Q(sla_breached=False, sla_warn_at__lte=now, sla_due_at__gt=now)


def _apply_filters(*, qs: QuerySet[Ticket], actor: Any, filters: TicketFilters) -> QuerySet[Ticket]:
    now = timezone.now()
    qs = qs.filter(_queue_q(queue=filters.queue, actor=actor, now=now))
    if filters.status:
        unknown = set(filters.status) - set(Status.values)
        if unknown:
            raise ValidationFailed(_("Unknown status."), code="invalid_status", field="status")
        qs = qs.filter(status__in=filters.status)
    if filters.priority:
        qs = qs.filter(priority__in=filters.priority)
    if filters.customer_id:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.system_id:
        qs = qs.filter(system_id=filters.system_id)
    if filters.assignee == "me":
        qs = qs.filter(assignee=actor)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        if not filters.assignee.isdigit():
            raise ValidationFailed(_("Unknown assignee."), code="invalid_assignee", field="assignee")
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.team_id:
        qs = qs.filter(team_id=filters.team_id)
    if filters.category_id:
        qs = qs.filter(Q(category_id=filters.category_id) | Q(category__parent_id=filters.category_id))
    if filters.is_emergency is not None:
        qs = qs.filter(is_emergency=filters.is_emergency)
    if filters.sla in ("breached", "at_risk"):
        # Open tickets only: a closed ticket is no longer at risk (the compliance page covers history).
        qs = qs.filter(_sla_q(value=filters.sla, now=timezone.now()), status__in=OPEN_STATUSES)
    if filters.reported_from:
        qs = qs.filter(reported_at__gte=filters.reported_from)
    if filters.reported_to:
        qs = qs.filter(reported_at__lt=filters.reported_to)
    if filters.text.strip():
        if is_portal_user(user=actor):
            qs = _portal_text_filter(qs=qs, text=filters.text)
        else:
            from weibao.tickets.search import filter_tickets_by_text

            qs = filter_tickets_by_text(queryset=qs, text=filters.text)
    if filters.queue in ("mine", "my_teams"):
        qs = qs.distinct()
    return qs


def _portal_text_filter(*, qs: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Text search for customers over what they may read: title, description and public replies.

    The shared search document also holds internal notes; matching against it would let a customer
    learn words from notes they cannot see. A customer's scope is one customer's tickets, so plain
    substring matching is cheap enough here.
    """
    text = text.strip()[:100]
    number = text.lstrip("#")
    public_replies = TicketComment.objects.filter(
        ticket=OuterRef("pk"), visibility="public", body__icontains=text
    )
    condition = Q(title__icontains=text) | Q(description__icontains=text) | Q(Exists(public_replies))
    if number.isdigit():
        condition |= Q(number=int(number))
    return qs.filter(condition)


class _InArray(Func):
    """``<column> = ANY(ARRAY(<subquery>))`` (PostgreSQL): the sub-select runs once, before the outer query.

    ``pk IN (<subquery>)`` is planned as a semi-join, one more relation for the join search.
    """

    template = "%(expressions)s)"
    arg_joiner = " = ANY(ARRAY"
    output_field = BooleanField()


class _IdsSubquery(Subquery):
    """A sub-select that can match nothing raises EmptyResultSet (so the list is empty) instead of
    compiling to ``NULL``, which would make ``ANY(ARRAYNULL)`` invalid SQL."""

    empty_result_set_value = NotImplemented


def ticket_list(
    *,
    actor: Any,
    filters: TicketFilters,
    sort: str = "-reported_at",
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Ticket]:
    """One keyset page of tickets for the console, the portal and the API."""
    if sort not in SORTS:
        raise ValidationFailed(_("Unknown sort order."), code="invalid_sort", field="sort")
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationFailed(
            _("Page size must be between 1 and %(max)s.") % {"max": MAX_PAGE_SIZE},
            code="invalid_limit",
            field="limit",
        )
    sort_field, descending = SORTS[sort]
    qs = _apply_filters(qs=ticket_scope(actor=actor), actor=actor, filters=filters)
    related = ("customer", "system", "assignee", "team", "category", "category__parent")
    if not qs.query.distinct:
        # Find the page's ids on the ticket table alone, then join the six related tables for those rows
        # only (still one query: the ids are a sub-select). Planning the filters together with six
        # joins took PostgreSQL 2-4 ms per list at 1M tickets, and a text search joined every match
        # before sorting (~10 ms for 800 matches) -- bench/, docs/benchmarks.md.
        window = keyset_window(
            queryset=qs, sort_field=sort_field, descending=descending, cursor=cursor, limit=limit
        )
        ids = window.values("pk")
        if qs.db and connections[qs.db].vendor == "postgresql":
            qs = Ticket.objects.filter(_InArray(F("pk"), _IdsSubquery(ids)))
        else:
            qs = Ticket.objects.filter(pk__in=ids)
        cursor = None
    return keyset_paginate(
        queryset=qs.select_related(*related),
        sort_field=sort_field,
        descending=descending,
        cursor=cursor,
        limit=limit,
    )


def ticket_queue_counts(*, actor: Any) -> dict[str, int]:
    """Counts for the console's queue tabs, in a single aggregate query over the actor's scope.

    "done" and "all" are not counted: they grow without bound and nobody works from their count.
    """
    now = timezone.now()
    counted = [q for q in QUEUES if q not in ("done", "all")]
    if is_portal_user(user=actor):
        counted = ["open"]
    aggregates = {
        name: Count(
            "id", filter=_queue_q(queue=name, actor=actor, now=now), distinct=name in ("mine", "my_teams")
        )
        for name in counted
    }
    return ticket_scope(actor=actor).filter(status__in=ACTIVE_STATUSES).aggregate(**aggregates)


def ticket_get(*, actor: Any, ticket_id: int) -> Ticket:
    """One ticket with what its page needs, or 404 when unknown or out of scope."""
    ticket = (
        ticket_scope(actor=actor)
        .select_related(
            "customer",
            "site",
            "contact",
            "system",
            "module",
            "assignee",
            "team",
            "escalated_to",
            "category",
            "category__parent",
            "merged_into",
            "created_by",
            "sla_policy",
        )
        .prefetch_related("collaborators", "sla_clocks__calendar")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound(_("Ticket not found."), code="ticket_not_found")
    return ticket


def ticket_items(*, ticket: Ticket) -> dict[str, Any]:
    """The items the ticket names (with their effective warranty end) and who pays for work on them
    today, with the reason (AST-2) - shown to the agent from intake on."""
    # Prefetched onto the ticket, so the page's triage form reads the same list without a query.
    prefetch_related_objects(
        [ticket],
        Prefetch("items", queryset=ConfigurationItem.objects.select_related("system").order_by("code")),
    )
    items = list(ticket.items.all())
    decided = entitlement_for(
        customer=ticket.customer, system=ticket.system, items=items, on=timezone.localdate()
    )
    return {
        "items": [
            {
                "id": i.pk,
                "code": i.code,
                "name": i.name,
                "kind": i.kind,
                "warranty_end": item_warranty_end(item=i),
            }
            for i in items
        ],
        "entitlement": {"service_type": decided.service_type, "reason": decided.reason},
    }


def ticket_get_by_number(*, actor: Any, number: int) -> Ticket:
    row = ticket_scope(actor=actor).filter(number=number).values_list("pk", flat=True).first()
    if row is None:
        raise NotFound(_("Ticket not found."), code="ticket_not_found")
    return ticket_get(actor=actor, ticket_id=row)


def ticket_comments(*, actor: Any, ticket: Ticket) -> QuerySet[TicketComment]:
    """Comments of an in-scope ticket; internal notes only for staff who may read them."""
    qs = TicketComment.objects.filter(ticket=ticket).select_related("author", "author_contact")
    qs = qs.prefetch_related(Prefetch("attachments", queryset=TicketAttachment.objects.order_by("id")))
    if not can_view_internal(actor=actor):
        qs = qs.filter(visibility="public")
    return qs.order_by("created_at", "id")


def ticket_events(*, actor: Any, ticket: Ticket) -> QuerySet[TicketEvent]:
    """The immutable timeline of an in-scope ticket; internal events hidden from customers."""
    qs = TicketEvent.objects.filter(ticket=ticket).select_related("actor")
    if not can_view_internal(actor=actor):
        qs = qs.filter(is_internal=False)
    return qs.order_by("at", "id")


def ticket_attachments(*, actor: Any, ticket: Ticket) -> QuerySet[TicketAttachment]:
    qs = TicketAttachment.objects.filter(ticket=ticket)
    if not can_view_internal(actor=actor):
        qs = qs.filter(is_internal=False)
    return qs.order_by("id")


def attachment_get(*, actor: Any, attachment_id: int) -> TicketAttachment:
    """An attachment whose ticket is in scope (and not internal for customers), else 404."""
    qs = TicketAttachment.objects.filter(pk=attachment_id, ticket__in=ticket_scope(actor=actor))
    if not can_view_internal(actor=actor):
        qs = qs.filter(is_internal=False)
    attachment = qs.select_related("ticket").first()
    if attachment is None:
        raise NotFound(_("Attachment not found."), code="attachment_not_found")
    return attachment


def category_options(*, include_inactive: bool = False) -> list[Category]:
    qs = Category.objects.select_related("parent")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return list(qs.order_by("kind", "sort_order", "name"))


def priority_matrix() -> dict[tuple[int, int], int]:
    return {(r.urgency, r.impact): r.priority for r in PriorityRule.objects.all()}


def desk_settings_get() -> DeskSettings:
    """The service desk settings (auto-close days, progress interval); the defaults until first saved."""
    return DeskSettings.objects.filter(pk=1).first() or DeskSettings(pk=1)
