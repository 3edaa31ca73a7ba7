"""Celery tasks of spare parts and loaners: take ids, call a service, safe to run twice (DESIGN.md rule 6)."""

from __future__ import annotations

from celery import shared_task

from weibao.inventory.services import loans_remind_overdue


@shared_task(name="weibao.inventory.tasks.remind_overdue_loans", acks_late=True, max_retries=0)
def remind_overdue_loans() -> int:
    """Morning: chase loaner units past their due date (deduplicated per loan and day)."""
    return loans_remind_overdue()
