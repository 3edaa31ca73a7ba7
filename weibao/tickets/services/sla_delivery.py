"""Delivery of what the SLA sweeper recorded (SLA-5): people told once, tickets showing their breaches.

``sla_sweep`` decides and records (alerts, breaches) in the clocks' transaction; this module works off
what it recorded - the alerts without ``delivered_at`` and the breaches without ``announced_at`` are an
outbox - after that commit:

* an alert becomes in-app notifications for the people its rule names (assignee or team, team,
  superior, a role), and the alert keeps who was told;
* a breach sets the ticket's ``sla_breached`` flag (the console's "breached" filter) and writes the
  "service level breached" timeline event.

Each batch is one transaction over rows taken with ``FOR UPDATE SKIP LOCKED``: two deliverers at once
take different rows, a worker killed half-way rolls back and the rows stay queued, and notifications
are unique per (recipient, ``sla:<clock>:<rule>``), so even a replayed batch notifies each person once.
Run by ``tickets.tasks.sla_deliver_task``: right after a sweep that recorded something, and every
minute by beat in case that message was lost.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from weibao.accounts.models import User
from weibao.core.bulk import bulk_set
from weibao.notifications.choices import NotificationKind, NotificationLevel
from weibao.notifications.services import NotificationDraft, notification_send_many
from weibao.sla.choices import EscalationTrigger
from weibao.sla.models import EscalationRule
from weibao.tickets.choices import EventKind
from weibao.tickets.models import SlaAlert, SlaBreach, Ticket, TicketEvent
from weibao.tickets.services.sla_sweep import alert_description

_Row = TypeVar("_Row", SlaAlert, SlaBreach)
logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
MAX_BATCHES = 20  # 20,000 rows per run at most; the rest waits for the next run

# What delivering reads of an alert's clock, ticket, customer, assignee and rule (a ticket has ~70 columns).
_ALERT_COLUMNS = [
    *(f.name for f in SlaAlert._meta.concrete_fields),
    "clock__kind",
    "clock__due_at",
    "clock__ticket",
    "clock__ticket__number",
    "clock__ticket__title",
    "clock__ticket__team",
    "clock__ticket__assignee",
    "clock__ticket__customer",
    "clock__ticket__customer__name",
    "clock__ticket__assignee__superior",
    "rule__trigger",
    "rule__value",
    "rule__notify_assignee",
    "rule__notify_team",
    "rule__notify_superior",
    "rule__notify_role",
]


@dataclass
class DeliveryResult:
    alerts: int = 0
    notifications: int = 0
    breaches: int = 0
    batches: int = 0


def sla_deliver(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> DeliveryResult:
    """Announce every recorded breach and deliver every recorded alert that is still queued."""
    now = now or timezone.now()
    result = DeliveryResult()
    for _batch in range(MAX_BATCHES):
        with transaction.atomic():
            breaches = list(_locked(SlaBreach.objects.filter(announced_at__isnull=True))[:batch_size])
            if breaches:
                _announce(breaches=breaches, now=now)
        result.breaches += len(breaches)
        result.batches += bool(breaches)
        if len(breaches) < batch_size:
            break
    for _batch in range(MAX_BATCHES):
        with transaction.atomic():
            queued = SlaAlert.objects.filter(delivered_at__isnull=True).order_by("fired_at", "pk")
            alerts = list(
                _locked(queued)
                .select_related(
                    "clock", "clock__ticket", "clock__ticket__customer", "clock__ticket__assignee", "rule"
                )
                .only(*_ALERT_COLUMNS)[:batch_size]
            )
            if alerts:
                result.notifications += _deliver(alerts=alerts, now=now)
        result.alerts += len(alerts)
        result.batches += bool(alerts)
        if len(alerts) < batch_size:
            break
    return result


def _locked(queryset: QuerySet[_Row]) -> QuerySet[_Row]:
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset.select_for_update()


def _announce(*, breaches: list[SlaBreach], now: datetime) -> None:
    """The ticket shows the breach: its flag for the console filter and an event on its timeline."""
    Ticket.objects.filter(pk__in={b.ticket_id for b in breaches}, sla_breached=False).update(
        sla_breached=True
    )
    TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket_id=breach.ticket_id,
                actor=None,
                at=now,
                kind=EventKind.SLA_BREACHED,
                changes={"target": [None, breach.kind], "due_at": [None, breach.due_at.isoformat()]},
            )
            for breach in breaches
        ]
    )
    SlaBreach.objects.filter(pk__in=[b.pk for b in breaches]).update(announced_at=now)


def _deliver(*, alerts: list[SlaAlert], now: datetime) -> int:
    """Notify the recipients of each alert (one notification per person and alert); return rows created."""
    ruled = [alert for alert in alerts if alert.rule is not None]  # a rule deleted since: nobody to ask
    recipients = _recipients(alerts=ruled)
    drafts: list[NotificationDraft] = []
    with override(settings.LANGUAGE_CODE):  # notifications are stored in the default language (ADR 0007)
        for alert in ruled:
            assert alert.rule is not None
            kind, level, title, body = _describe(alert=alert, rule=alert.rule)
            drafts.append(
                NotificationDraft(
                    recipient_ids=recipients[alert.pk],
                    kind=kind,
                    level=level,
                    title=title,
                    body=body,
                    url=f"/tickets/{alert.clock.ticket.number}/",
                    dedupe_key=f"sla:{alert.clock_id}:{alert.rule_key}",
                )
            )
    sent = notification_send_many(drafts=drafts)
    # Email and webhooks by the rules grid, per alert, once this batch is committed.
    alert_ids = [alert.pk for alert in ruled]
    transaction.on_commit(partial(_queue_channels, alert_ids=alert_ids))
    for alert in alerts:
        alert.recipients = sorted(recipients.get(alert.pk, ()))
        alert.delivered_at = now
    bulk_set(objects=alerts, fields=["recipients", "delivered_at"])
    return sent


def _queue_channels(*, alert_ids: list[int]) -> None:
    from weibao.tickets.tasks import notify_sla_alert  # the task module imports this one

    for alert_id in alert_ids:
        try:
            notify_sla_alert.delay(alert_id)
        except Exception:  # delivered in the app already; the other channels are lost with the broker
            logger.warning("could not queue the channels of SLA alert %s", alert_id, exc_info=True)


def _recipients(*, alerts: list[SlaAlert]) -> dict[int, set[int]]:
    """User ids to notify per alert, with two queries for the whole batch."""
    team_ids = {
        a.clock.ticket.team_id
        for a in alerts
        if a.clock.ticket.team_id and a.rule and (a.rule.notify_team or a.rule.notify_assignee)
    }
    role_ids = {a.rule.notify_role_id for a in alerts if a.rule and a.rule.notify_role_id}
    team_members: dict[int, set[int]] = defaultdict(set)
    if team_ids:
        for user_id, team_id in User.objects.filter(teams__in=team_ids, is_active=True).values_list(
            "pk", "teams"
        ):
            team_members[team_id].add(user_id)
    role_members: dict[int, set[int]] = defaultdict(set)
    if role_ids:
        for user_id, role_id in User.objects.filter(roles__in=role_ids, is_active=True).values_list(
            "pk", "roles"
        ):
            role_members[role_id].add(user_id)
    wanted: dict[int, set[int]] = {}
    for alert in alerts:
        rule, ticket = alert.rule, alert.clock.ticket
        assert rule is not None
        users: set[int] = set()
        if rule.notify_assignee:
            # Nobody assigned yet: the team that should pick it up is told instead.
            users |= (
                {ticket.assignee_id} if ticket.assignee_id else team_members.get(ticket.team_id or 0, set())
            )
        if rule.notify_team and ticket.team_id:
            users |= team_members.get(ticket.team_id, set())
        if rule.notify_superior and ticket.assignee is not None and ticket.assignee.superior_id:
            users.add(ticket.assignee.superior_id)
        if rule.notify_role_id:
            users |= role_members.get(rule.notify_role_id, set())
        wanted[alert.pk] = users
    return wanted


def _describe(*, alert: SlaAlert, rule: EscalationRule) -> tuple[str, str, str, str]:
    """(kind, level, title, body) of the notification, in the active language.

    The title is the alert's own wording (``alert_description``, as on the ticket page) with the ticket
    number in front, so the two never say different things.
    """
    ticket = alert.clock.ticket
    if rule.trigger == EscalationTrigger.PERCENT:
        kind, level = NotificationKind.SLA_WARNING, NotificationLevel.WARNING
    elif rule.value == 0:
        kind, level = NotificationKind.SLA_BREACH, NotificationLevel.DANGER
    else:
        kind, level = NotificationKind.SLA_ESCALATION, NotificationLevel.DANGER
    title = _("#%(number)s: %(alert)s") % {
        "number": ticket.number,
        "alert": alert_description(kind=alert.clock.kind, rule=rule),
    }
    body = _("%(title)s (%(customer)s). Due %(due)s.") % {
        "title": ticket.title,
        "customer": ticket.customer.name,
        "due": timezone.localtime(alert.due_at).strftime("%Y-%m-%d %H:%M"),
    }
    return kind, level, title, body
