"""Celery tasks for work orders: take ids, call a service, safe to run twice (DESIGN.md rule 6)."""

from __future__ import annotations

from celery import shared_task

from weibao.fieldservice.services.report import work_order_produce_report


@shared_task(name="weibao.fieldservice.tasks.produce_service_report", acks_late=True, max_retries=3)
def produce_service_report(order_id: int) -> bool:
    """Render, store, attach and email the service report of a signed order (queued by the signature)."""
    return work_order_produce_report(order_id=order_id) is not None
