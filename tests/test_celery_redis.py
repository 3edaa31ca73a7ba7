"""A real Celery worker on a real Redis broker runs the beat job that auto-closes verified tickets.

Production runs Celery on Redis (docs/deploy.md) while the rest of the suite uses the in-memory
broker, so this is the one place the Redis transport, serialisation and result backend are used end
to end (TRK-2: verified tickets with no objection close automatically).
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from weibao.customers.models import Customer
from weibao.customers.tests.factories import CustomerFactory
from weibao.tickets.choices import Channel, CloseKind, Status
from weibao.tickets.models import Ticket


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_on_redis_auto_closes_verified_tickets(redis_celery_app: Celery) -> None:
    from weibao.tickets.tasks import auto_close_verified_tickets

    now = timezone.now()
    customer = cast(Customer, CustomerFactory())

    def ticket(number: int, *, status: str, verified_days_ago: int | None) -> Ticket:
        verified_at = now - timedelta(days=verified_days_ago) if verified_days_ago is not None else None
        return Ticket.objects.create(
            number=number, customer=customer, channel=Channel.PHONE, title=f"票据 {number}",
            reported_at=now - timedelta(days=20), status=status, verified_at=verified_at,
        )  # fmt: skip

    # The default DeskSettings.auto_close_days is 3: only the first is due.
    due = ticket(910001, status=Status.VERIFIED, verified_days_ago=10)
    recent = ticket(910002, status=Status.VERIFIED, verified_days_ago=1)
    resolved = ticket(910003, status=Status.RESOLVED, verified_days_ago=None)

    with start_worker(redis_celery_app, perform_ping_check=False, shutdown_timeout=30):
        result = auto_close_verified_tickets.delay()
        closed = result.get(timeout=60)

    assert closed == 1
    due.refresh_from_db()
    assert due.status == Status.CLOSED
    assert due.close_kind == CloseKind.AUTO
    assert due.closed_at is not None
    recent.refresh_from_db()
    resolved.refresh_from_db()
    assert (recent.status, resolved.status) == (Status.VERIFIED, Status.RESOLVED)
