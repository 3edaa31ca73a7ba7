"""Celery tasks for work orders: take ids, call a service, safe to run twice (DESIGN.md rule 6)."""

from __future__ import annotations

from celery import shared_task

from weibao.fieldservice.choices import OrderStatus
from weibao.fieldservice.models import WorkOrder
from weibao.fieldservice.services.report import work_order_produce_report


@shared_task(name="weibao.fieldservice.tasks.produce_service_report", acks_late=True, max_retries=3)
def produce_service_report(order_id: int) -> bool:
    """Render, store, attach and email the service report of a signed order (queued by the signature)."""
    return work_order_produce_report(order_id=order_id) is not None


@shared_task(name="weibao.fieldservice.tasks.produce_missing_reports", acks_late=True, max_retries=0)
def produce_missing_reports(limit: int = 50) -> int:
    """Signed orders whose report is still missing (a lost message, a failed render): beat, every 10 min."""
    ids = list(
        WorkOrder.objects.filter(status=OrderStatus.SIGNED, report="")
        .order_by("signed_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for order_id in ids if work_order_produce_report(order_id=order_id) is not None)
