"""Celery tasks for email: take ids, call a service, safe to run twice (DESIGN.md rule 6)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import shared_task

from weibao.mail.models import Mailbox
from weibao.mail.services import mailbox_poll


@shared_task(name="weibao.mail.tasks.poll_mailboxes", acks_late=True, max_retries=0)
def poll_mailboxes() -> list[int]:
    """Queue one poll per active mailbox (beat: every minute), so one slow server holds up no other."""
    ids = list(Mailbox.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    for mailbox_id in ids:
        poll_mailbox.delay(mailbox_id)
    return ids


# No retries: the next beat polls again, and a lease keeps two polls of one mailbox apart.
@shared_task(name="weibao.mail.tasks.poll_mailbox", acks_late=True, max_retries=0, soft_time_limit=270)
def poll_mailbox(mailbox_id: int) -> dict[str, Any]:
    """Fetch and process one mailbox's new mail (``mailbox_poll``)."""
    return asdict(mailbox_poll(mailbox_id=mailbox_id))
