"""The visits and parts of a configuration item, for the item's history page (AST-1)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from weibao.assets.history import HistoryEntry
from weibao.fieldservice.models import PartUsed
from weibao.fieldservice.permissions import can_see_orders
from weibao.fieldservice.selectors import work_order_scope


def visit_history(*, item: Any, actor: Any, limit: int) -> list[HistoryEntry]:
    """Work orders about ``item`` and the parts fitted to it, as far as ``actor`` sees work orders."""
    if not can_see_orders(user=actor):
        return []
    orders = work_order_scope(actor=actor).filter(items=item).order_by("-planned_start", "-id")[:limit]
    entries = [
        HistoryEntry(
            at=o.checked_in_at or o.planned_start,
            kind="visit",
            label=o.label,
            title=o.title,
            status=str(o.get_status_display()),
            url=reverse("fieldservice:detail", args=[o.number]),
        )
        for o in orders
    ]
    parts = (
        PartUsed.objects.filter(order__in=work_order_scope(actor=actor))
        .filter(Q(item=item) | Q(item__isnull=True, order__items=item))
        .select_related("order")
        .order_by("-order__planned_start", "-id")[:limit]
    )
    entries += [
        HistoryEntry(
            at=p.order.checked_out_at or p.order.planned_start,
            kind="part",
            label=p.order.label,
            title=_("%(part)s × %(n)d") % {"part": p.name, "n": p.quantity}
            + (f" ({p.serial})" if p.serial else ""),
            status="",
            url=reverse("fieldservice:detail", args=[p.order.number]),
        )
        for p in parts
    ]
    return entries
