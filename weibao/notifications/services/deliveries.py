"""The outbox of emails and webhook posts: queue (idempotent), attempt (claim, send, log), dispatch.

Queued rows are sent by the Celery task ``notifications.tasks.deliver`` after the queuing transaction
commits; the beat job ``dispatch_deliveries`` sends what is due later (retries after their backoff,
email held for quiet hours) and anything whose message was lost. An attempt first claims its row
with one conditional UPDATE (queued and due -> sending, with a lease), so a task that runs twice, or
the beat job racing the task, sends once. A worker that dies mid-send leaves a lease that runs out;
the row is then tried again - at least once, never twice in the ordinary course.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from weibao.core.errors import Conflict, NotFound, PermissionDenied
from weibao.notifications import channels
from weibao.notifications.choices import Channel, DeliveryStatus, NotifyEvent
from weibao.notifications.models import Delivery, Webhook
from weibao.notifications.permissions import can_manage_notifications

logger = logging.getLogger(__name__)

#: How long a claimed row belongs to its sender (well over the SMTP and webhook timeouts).
LEASE = timedelta(minutes=5)
#: Backoff after the n-th failed attempt: 30 s, 1, 2, 4, 8 min ... at most an hour.
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
#: A queued row is left to its own task this long before the beat job sends it instead.
DISPATCH_GRACE = timedelta(seconds=30)
LOG_KEEP = 10
SUBJECT_MAX = Delivery._meta.get_field("subject").max_length or 300


@dataclass
class DeliveryDraft:
    """One email or webhook post to queue (the fan-out builds these, fully rendered)."""

    channel: str
    event: str
    dedupe_key: str
    subject: str
    body: str = ""
    html_body: str = ""
    to_address: str = ""
    language: str = ""
    user_id: int | None = None
    contact_id: int | None = None
    webhook_id: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)
    attachments: list[dict[str, str]] = field(default_factory=list)
    ticket_number: int | None = None
    is_critical: bool = False
    not_before: datetime | None = None


def backoff(*, attempts: int) -> timedelta:
    """The wait after ``attempts`` failed attempts."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def delivery_queue(*, drafts: Iterable[DeliveryDraft], now: datetime | None = None) -> list[int]:
    """Queue deliveries; return the ids this call created. A ``dedupe_key`` seen before queues nothing.

    Safe inside the caller's transaction: the rows are inserted with ON CONFLICT DO NOTHING and their
    tasks are queued only after the transaction commits (a rolled-back event sends nothing).
    """
    now = now or timezone.now()
    rows = [_row(draft=draft, now=now) for draft in drafts]
    if not rows:
        return []
    keys = [row.dedupe_key for row in rows]
    with transaction.atomic():
        # Keys queued before are skipped; a row a concurrent fan-out inserts meanwhile is left to it by
        # ON CONFLICT DO NOTHING (and if both queue its task, the claim still sends it once).
        existing = set(Delivery.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
        fresh = [row for row in rows if row.dedupe_key not in existing]
        if not fresh:
            return []
        Delivery.objects.bulk_create(fresh, ignore_conflicts=True)
        created = list(
            Delivery.objects.filter(dedupe_key__in=[row.dedupe_key for row in fresh], created_at=now)
            .order_by("pk")
            .values_list("pk", "next_attempt_at")
        )
        due = [pk for pk, at in created if at <= now]
        if due:
            transaction.on_commit(lambda: _enqueue(delivery_ids=due))
    return [pk for pk, _at in created]


def _row(*, draft: DeliveryDraft, now: datetime) -> Delivery:
    if draft.channel not in (Channel.EMAIL, Channel.WEBHOOK):
        raise ValueError(f"not an outbound channel: {draft.channel}")
    subject = " ".join(draft.subject.split())
    return Delivery(
        channel=draft.channel,
        event=draft.event,
        dedupe_key=draft.dedupe_key[:200],
        subject=subject if len(subject) <= SUBJECT_MAX else subject[: SUBJECT_MAX - 1] + "…",
        body=draft.body,
        html_body=draft.html_body,
        to_address=draft.to_address,
        language=draft.language,
        user_id=draft.user_id,
        contact_id=draft.contact_id,
        webhook_id=draft.webhook_id,
        headers=draft.headers,
        payload=draft.payload,
        attachments=draft.attachments,
        ticket_number=draft.ticket_number,
        is_critical=draft.is_critical,
        next_attempt_at=max(draft.not_before or now, now),
        created_at=now,
    )


def _enqueue(*, delivery_ids: list[int]) -> None:
    from weibao.notifications.tasks import deliver  # tasks import this module

    for delivery_id in delivery_ids:
        try:
            deliver.delay(delivery_id)
        except Exception:  # a broker hiccup: the beat job sends the row within a minute
            logger.warning(
                "could not queue delivery %s; dispatch will pick it up", delivery_id, exc_info=True
            )


@dataclass
class AttemptResult:
    status: str
    retry_in: timedelta | None = None


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> AttemptResult:
    """Try to send one delivery if it is due and nobody else holds it; record the outcome.

    Returns the row's status afterwards and, for a retryable failure, the wait before the next try.
    """
    now = now or timezone.now()
    due = Q(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, lease_until__lt=now
    )
    claimed = Delivery.objects.filter(due, pk=delivery_id).update(
        status=DeliveryStatus.SENDING, lease_until=now + LEASE
    )
    if not claimed:
        status = Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
        return AttemptResult(status=status or "missing")
    delivery = Delivery.objects.select_related("webhook").get(pk=delivery_id)
    attempts = delivery.attempts + 1
    try:
        note = channels.send(delivery=delivery)
    except channels.DeliveryError as exc:
        return _failed(delivery=delivery, attempts=attempts, error=exc, now=now)
    finished = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT,
        attempts=attempts,
        sent_at=finished,
        lease_until=None,
        last_error="",
        attempt_log=_log(delivery, at=finished, ok=True, note=note),
    )
    if delivery.webhook_id:
        Webhook.objects.filter(pk=delivery.webhook_id).update(last_sent_at=finished, last_error="")
    return AttemptResult(status=DeliveryStatus.SENT)


def _failed(
    *, delivery: Delivery, attempts: int, error: channels.DeliveryError, now: datetime
) -> AttemptResult:
    message = str(error)[:1000]
    final = error.permanent or attempts >= Delivery.MAX_ATTEMPTS
    wait = None if final else backoff(attempts=attempts)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED if final else DeliveryStatus.QUEUED,
        attempts=attempts,
        lease_until=None,
        next_attempt_at=now + wait if wait else now,
        last_error=message,
        attempt_log=_log(delivery, at=timezone.now(), ok=False, note=message),
    )
    if delivery.webhook_id:
        Webhook.objects.filter(pk=delivery.webhook_id).update(last_error=message)
    logger.info(
        "delivery %s attempt %s failed (%s): %s",
        delivery.pk,
        attempts,
        "final" if final else "retry",
        message,
    )
    return AttemptResult(status=DeliveryStatus.FAILED if final else DeliveryStatus.QUEUED, retry_in=wait)


def _log(delivery: Delivery, *, at: datetime, ok: bool, note: str) -> list[dict[str, Any]]:
    entry = {"at": at.isoformat(), "ok": ok, "note": note}
    return [*delivery.attempt_log, entry][-LOG_KEEP:]


def deliveries_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Ids the beat job should send now: due queued rows past the grace period, and expired leases."""
    now = now or timezone.now()
    due = Q(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now - DISPATCH_GRACE) | Q(
        status=DeliveryStatus.SENDING, lease_until__lt=now
    )
    return list(Delivery.objects.filter(due).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def delivery_retry(*, actor: Any, delivery_id: int) -> Delivery:
    """An administrator sends a failed (or cancelled) delivery again: queued now, its log kept."""
    if not can_manage_notifications(user=actor):
        raise PermissionDenied(_("You may not resend deliveries."), code="permission_denied")
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            raise NotFound(_("Delivery not found."), code="delivery_not_found")
        if delivery.status not in (DeliveryStatus.FAILED, DeliveryStatus.CANCELLED):
            raise Conflict(_("Only failed or cancelled deliveries can be sent again."), code="not_failed")
        delivery.status, delivery.next_attempt_at, delivery.attempts = (
            DeliveryStatus.QUEUED,
            timezone.now(),
            0,
        )
        delivery.save(update_fields=["status", "next_attempt_at", "attempts"])
        transaction.on_commit(lambda: _enqueue(delivery_ids=[delivery.pk]))
    return delivery


@dataclass(frozen=True)
class WebhookTestResult:
    """How a test post went: ``ok`` and the robot's answer (or the error)."""

    ok: bool
    detail: str


def webhook_test(*, actor: Any, webhook_id: int) -> WebhookTestResult:
    """Post a test message to a webhook now (in the request) and say how it went.

    A test is not a notification: nothing is queued or retried and the delivery log is left alone;
    the webhook's ``last_sent_at`` / ``last_error`` show the outcome like any other post.
    """
    if not can_manage_notifications(user=actor):
        raise PermissionDenied(_("You may not test webhooks."), code="permission_denied")
    webhook = Webhook.objects.filter(pk=webhook_id).first()
    if webhook is None:
        raise NotFound(_("Webhook not found."), code="webhook_not_found")
    with override(settings.LANGUAGE_CODE):
        title = str(_("Weibao test message"))
        body = _("If you can read this, %(name)s is set up correctly.") % {"name": webhook.name}
    probe = Delivery(
        channel=Channel.WEBHOOK,
        event=NotifyEvent.TICKET_CREATED,
        subject=title,
        body=body,
        webhook=webhook,
        payload={"event": "test", "text": body},
    )
    try:
        note = channels.send(delivery=probe)
    except channels.DeliveryError as exc:
        Webhook.objects.filter(pk=webhook.pk).update(last_error=str(exc)[:1000])
        return WebhookTestResult(ok=False, detail=str(exc))
    Webhook.objects.filter(pk=webhook.pk).update(last_sent_at=timezone.now(), last_error="")
    return WebhookTestResult(ok=True, detail=note)
