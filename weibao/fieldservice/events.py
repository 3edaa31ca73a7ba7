"""Work-order timeline rows: written once, by the service that made the change."""

from __future__ import annotations

from typing import Any

from weibao.fieldservice.models import OrderEvent, WorkOrder


def record_order_event(
    *, order: WorkOrder, actor: Any, kind: str, changes: dict[str, Any] | None = None, note: str = ""
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        actor=actor if getattr(actor, "pk", None) else None,
        kind=kind,
        changes=changes or {},
        note=note,
    )
