"""Every read of work orders, scoped to the actor (DESIGN.md rule 2): portal users see only their own
customer's orders; an unknown or foreign id answers 404."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.permissions import is_portal_user
from weibao.core.errors import NotFound, PermissionDenied
from weibao.fieldservice.choices import OrderStatus
from weibao.fieldservice.models import EquipmentReceipt, WorkOrder
from weibao.fieldservice.permissions import can_see_orders


def _scoped(actor: Any) -> QuerySet[WorkOrder]:
    if not can_see_orders(user=actor):
        raise PermissionDenied(_("You may not see work orders."))
    qs = WorkOrder.objects.all()
    if is_portal_user(user=actor):
        contact = getattr(actor, "contact", None)
        qs = qs.filter(customer_id=contact.customer_id) if contact is not None else qs.none()
    return qs


def work_order_scope(*, actor: Any) -> QuerySet[WorkOrder]:
    """The work orders ``actor`` may see at all (for other apps' pages, e.g. an item's history)."""
    return _scoped(actor)


def work_order_list(
    *, actor: Any, status: str = "", customer_id: int | None = None, engineer_id: int | None = None
) -> QuerySet[WorkOrder]:
    """Work orders in the actor's scope, by planned start, with the list page's filters."""
    qs = _scoped(actor).select_related("customer", "site", "system", "ticket")
    if status:
        qs = qs.filter(status=status)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if engineer_id is not None:
        qs = qs.filter(engineers=engineer_id)
    return qs.order_by("planned_start", "id")


def my_work_today(*, actor: Any, day: date | None = None) -> list[WorkOrder]:
    """The engineer's orders planned for ``day`` (their time zone), plus any still in progress."""
    day = day or timezone.localdate()
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = start + timedelta(days=1)
    qs = (
        _scoped(actor)
        .filter(engineers=actor.pk)
        .filter(
            Q(
                planned_start__lt=end,
                planned_end__gte=start,
                status__in=[OrderStatus.PLANNED, OrderStatus.IN_PROGRESS, OrderStatus.COMPLETED],
            )
            | Q(status=OrderStatus.IN_PROGRESS)
        )
        .select_related("customer", "site", "system", "ticket")
        .distinct()
        .order_by("planned_start", "id")
    )
    return list(qs)


def work_order_get(*, actor: Any, order_id: int) -> WorkOrder:
    order = (
        _scoped(actor)
        .select_related("customer", "site", "system", "ticket", "created_by")
        .prefetch_related("engineers", "checklist", "parts", "charges", "photos", "receipts", "notes")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound(_("Work order not found."), code="work_order_not_found")
    return order


def work_order_get_by_number(*, actor: Any, number: int) -> WorkOrder:
    pk = _scoped(actor).filter(number=number).values_list("pk", flat=True).first()
    if pk is None:
        raise NotFound(_("Work order not found."), code="work_order_not_found")
    return work_order_get(actor=actor, order_id=pk)


def receipts_open(*, actor: Any) -> QuerySet[EquipmentReceipt]:
    """Equipment taken back and not yet returned, oldest first."""
    if not can_see_orders(user=actor) or is_portal_user(user=actor):
        raise PermissionDenied(_("You may not see work orders."))
    return (
        EquipmentReceipt.objects.filter(returned_at__isnull=True)
        .select_related("order", "order__customer")
        .order_by("taken_at")
    )
