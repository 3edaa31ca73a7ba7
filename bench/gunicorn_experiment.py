"""gunicorn configuration for ``bench_api.py --experiment sequence``; a measurement aid, never deployed.

Ticket numbers normally come from ``core.Counter`` (``counter_next``): an UPDATE of one row that stays
locked until the creating transaction commits, so concurrent creates queue on it. This experiment
swaps, in each worker after the app is loaded, the ``counter_next`` the intake service calls for a
PostgreSQL sequence (``nextval`` takes no lock that lasts to commit), to measure what that lock costs.
bench_api.py creates the sequence ``bench_ticket_number`` before and drops it after the run.
"""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    from django.db import connection

    from weibao.tickets.services import intake

    def counter_next(*, name: str, start: int = 1) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('bench_ticket_number')")
            return int(cursor.fetchone()[0])

    intake.counter_next = counter_next
