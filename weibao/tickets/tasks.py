"""Celery tasks for tickets: take ids, call a service, safe to run twice (DESIGN.md rule 6)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from weibao.tickets.choices import Status
from weibao.tickets.models import Ticket
from weibao.tickets.services import ticket_auto_close
from weibao.tickets.services._common import desk_settings
from weibao.tickets.services.notify import pending_too_long_notify, sla_alert_notify, ticket_event_notify
from weibao.tickets.services.sla_delivery import sla_deliver
from weibao.tickets.services.sla_sweep import sla_sweep


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


@shared_task(name="weibao.tickets.tasks.sla_sweep", acks_late=True, max_retries=3)
def sla_sweep_task() -> dict[str, int]:
    """Record the warnings, breaches and escalations that are due (beat: every minute; ``sla_sweep``).

    Safe to run twice or on two workers at once: clocks are taken with SKIP LOCKED and every alert is
    unique per clock and rule. What it recorded is delivered by ``sla_deliver_task``, queued here at once.
    """
    result = sla_sweep()
    if result.alerts or result.breaches:
        sla_deliver_task.delay()
    return {"clocks": result.clocks, "breaches": result.breaches, "alerts": result.alerts}


@shared_task(name="weibao.tickets.tasks.sla_deliver", acks_late=True, max_retries=3)
def sla_deliver_task() -> dict[str, int]:
    """Tell people about recorded SLA alerts and show recorded breaches on their tickets (``sla_deliver``).

    Queued by every sweep that recorded something and run by beat every minute, so a lost message delays
    a delivery by a minute at most. Safe to run twice or concurrently (SKIP LOCKED, unique notifications).
    """
    result = sla_deliver()
    return {"alerts": result.alerts, "notifications": result.notifications, "breaches": result.breaches}


@shared_task(name="weibao.tickets.tasks.notify_ticket_event", acks_late=True, max_retries=0)
def notify_ticket_event(event_id: int) -> dict[str, int]:
    """Tell the people and robots the rules name about one timeline event (queued after its commit).

    Safe to run twice: in-app rows and deliveries are unique per event and recipient.
    """
    result = ticket_event_notify(event_id=event_id)
    return {"in_app": result.in_app, "deliveries": len(result.deliveries)}


@shared_task(name="weibao.tickets.tasks.notify_sla_alert", acks_late=True, max_retries=0)
def notify_sla_alert(alert_id: int) -> dict[str, int]:
    """Email and webhook an SLA alert by the rules grid (queued by ``sla_deliver``); safe to run twice."""
    result = sla_alert_notify(alert_id=alert_id)
    return {"in_app": result.in_app, "deliveries": len(result.deliveries)}


@shared_task(name="weibao.tickets.tasks.notify_pending_too_long", acks_late=True, max_retries=0)
def notify_pending_too_long() -> int:
    """Tickets pending longer than the desk's limit (beat: every 15 minutes); once per wait."""
    return pending_too_long_notify()
