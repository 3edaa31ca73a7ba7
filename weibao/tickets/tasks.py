"""Celery tasks for tickets: take ids, call a service, safe to run twice (DESIGN.md rule 6)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from weibao.tickets.choices import Status
from weibao.tickets.models import Ticket
from weibao.tickets.services import ticket_auto_close
from weibao.tickets.services._common import desk_settings


@shared_task(name="weibao.tickets.tasks.auto_close_verified_tickets", acks_late=True, max_retries=3)
def auto_close_verified_tickets(batch_size: int = 500) -> int:
    """Close verified tickets with no objection after the configured days (beat: every 15 minutes).

    Finds candidates through the (status, verified_at) index; each close re-checks under a row lock,
    so overlapping runs close each ticket once.
    """
    cutoff = timezone.now() - timedelta(days=desk_settings().auto_close_days)
    ids = list(
        Ticket.objects.filter(status=Status.VERIFIED, verified_at__lte=cutoff)
        .order_by("verified_at")
        .values_list("pk", flat=True)[:batch_size]
    )
    return sum(1 for ticket_id in ids if ticket_auto_close(ticket_id=ticket_id))
