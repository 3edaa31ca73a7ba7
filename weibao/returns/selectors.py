"""Reads of returns and exchanges: staff who see customers see them all."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from weibao.core.errors import NotFound, PermissionDenied
from weibao.returns.models import Rma, RmaEvent
from weibao.returns.permissions import can_see_rmas


def _scoped(actor: Any) -> QuerySet[Rma]:
    if not can_see_rmas(user=actor):
        raise PermissionDenied(_("You may not see returns."))
    return Rma.objects.select_related("customer", "ticket", "item", "supplier", "created_by")


def rma_list(
    *, actor: Any, status: str = "", customer_id: int | None = None, item_id: int | None = None, q: str = ""
) -> QuerySet[Rma]:
    """Returns, newest first, filtered by status, customer, item and text (goods, reason, root cause)."""
    qs = _scoped(actor)
    if status:
        qs = qs.filter(status=status)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if item_id:
        qs = qs.filter(item_id=item_id)
    if q:
        text = q.strip()[:100]
        number = int(text.removeprefix("RMA-")) if text.removeprefix("RMA-").isdigit() else None
        match = Q(goods__icontains=text) | Q(reason__icontains=text) | Q(root_cause__icontains=text)
        qs = qs.filter(match | Q(number=number)) if number is not None else qs.filter(match)
    return qs.order_by("-created_at", "-id")


def rma_get(*, actor: Any, number: int) -> Rma:
    rma = _scoped(actor).filter(number=number).first()
    if rma is None:
        raise NotFound(_("Return not found."), code="rma_not_found")
    return rma


def rma_get_by_id(*, actor: Any, rma_id: int) -> Rma:
    rma = _scoped(actor).filter(pk=rma_id).first()
    if rma is None:
        raise NotFound(_("Return not found."), code="rma_not_found")
    return rma


def rma_events(*, rma: Rma) -> QuerySet[RmaEvent]:
    return rma.events.select_related("actor").order_by("at", "id")
