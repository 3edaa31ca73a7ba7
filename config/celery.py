"""The Celery app. The beat schedule lives in code (DESIGN.md) so every deployment runs the same jobs."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("weibao")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "tickets-auto-close-verified": {
        "task": "weibao.tickets.tasks.auto_close_verified_tickets",
        "schedule": crontab(minute="*/15"),
    },
    # SLA warnings and breaches (SLA-5): minute resolution is what the targets are counted in.
    "tickets-sla-sweep": {
        "task": "weibao.tickets.tasks.sla_sweep",
        "schedule": crontab(minute="*"),
    },
    # Each sweep queues its delivery at once; this run catches a delivery whose message was lost.
    # Email intake (INT-1): each mailbox is polled by its own task.
    "mail-poll-mailboxes": {
        "task": "weibao.mail.tasks.poll_mailboxes",
        "schedule": crontab(minute="*"),
    },
    # Outbound email and webhooks due now: retries after their backoff, mail held for quiet hours.
    "notifications-dispatch-deliveries": {
        "task": "weibao.notifications.tasks.dispatch_deliveries",
        "schedule": crontab(minute="*"),
    },
    # Tickets pending for the customer longer than the desk's limit (COM-1).
    "tickets-pending-too-long": {
        "task": "weibao.tickets.tasks.notify_pending_too_long",
        "schedule": crontab(minute="*/15"),
    },
    # Service reports of signed work orders whose message was lost (FLD-2).
    "fieldservice-missing-reports": {
        "task": "weibao.fieldservice.tasks.produce_missing_reports",
        "schedule": crontab(minute="*/10"),
    },
    # Maintenance plans (PLN-2): the next 60 days generated nightly, reminders each morning.
    "maintenance-generate-plans": {
        "task": "weibao.maintenance.tasks.generate_plans",
        "schedule": crontab(hour="1", minute="30"),
    },
    "maintenance-remind": {
        "task": "weibao.maintenance.tasks.remind_occurrences",
        "schedule": crontab(hour="7", minute="30"),
    },
    # Loaner units past their due date (INV-1): the lender and the stock managers, once a day.
    "inventory-remind-overdue-loans": {
        "task": "weibao.inventory.tasks.remind_overdue_loans",
        "schedule": crontab(hour="8", minute="5"),
    },
    "jobs-prune-task-runs": {
        "task": "weibao.jobs.tasks.prune_task_runs",
        "schedule": crontab(hour="3", minute="17"),
    },
    "tickets-sla-deliver": {
        "task": "weibao.tickets.tasks.sla_deliver",
        "schedule": crontab(minute="*"),
    },
}
