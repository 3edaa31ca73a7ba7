"""The returns of a configuration item, for the item's history page (AST-1, RMA-1)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from weibao.assets.history import HistoryEntry
from weibao.returns.permissions import can_see_rmas
from weibao.returns.selectors import rma_list


def rma_history(*, item: Any, actor: Any, limit: int) -> list[HistoryEntry]:
    """Returns and exchanges of ``item``, newest first, for staff who see them."""
    if not can_see_rmas(user=actor):
        return []
    return [
        HistoryEntry(
            at=rma.created_at,
            kind="rma",
            label=rma.label,
            title=rma.goods,
            status=str(rma.get_status_display()),
            url=reverse("returns:detail", args=[rma.number]),
        )
        for rma in rma_list(actor=actor, item_id=item.pk)[:limit]
    ]
