"""Celery tasks for outbound deliveries: take ids, safe to run twice (DESIGN.md rule 6).

Retries are the outbox's, not Celery's: a failed attempt records its backoff on the row and queues
itself again with that countdown, and the beat job ``dispatch_deliveries`` picks up anything due whose
message was lost. The row's claim (queued -> sending) makes a second run of the same task a no-op.
"""

from __future__ import annotations

from celery import shared_task

from weibao.notifications.services import deliveries_due, delivery_attempt


@shared_task(name="weibao.notifications.tasks.deliver", acks_late=True, max_retries=0)
def deliver(delivery_id: int) -> str:
    """Send one queued delivery (``delivery_attempt``); on a retryable failure queue the next try."""
    result = delivery_attempt(delivery_id=delivery_id)
    if result.retry_in is not None:
        deliver.apply_async((delivery_id,), countdown=result.retry_in.total_seconds())
    return result.status


@shared_task(name="weibao.notifications.tasks.dispatch_deliveries", acks_late=True, max_retries=0)
def dispatch_deliveries() -> int:
    """Queue every delivery that is due (beat: every minute): retries, held emails, lost messages."""
    ids = deliveries_due()
    for delivery_id in ids:
        deliver.delay(delivery_id)
    return len(ids)
