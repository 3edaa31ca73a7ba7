"""The SLA sweeper (SLA-5): warnings, breaches and escalations, each sent exactly once.

Run by Celery beat every minute (``tickets.tasks.sla_sweep_task``). It reads only clocks whose
``next_check_at`` has come, through a partial index, so its cost grows with what is due and not with
the number of open tickets. Each batch is one transaction that locks its clocks with ``FOR UPDATE
SKIP LOCKED``: a second worker running at the same time takes other clocks, a worker killed half-way
rolls its batch back (nothing half-sent, nothing lost: the clocks are still due next run). Alerts are
unique per (clock, rule) and notifications unique per (recipient, dedupe key), so even a replayed
batch notifies once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from weibao.accounts.models import User
from weibao.calendars.selectors import compiled_calendars
from weibao.notifications.choices import NotificationKind, NotificationLevel
from weibao.notifications.services import NotificationDraft, notification_send_many
from weibao.sla.choices import ClockState, EscalationTrigger, TargetKind
from weibao.sla.models import EscalationRule
from weibao.sla.selectors import escalation_rules
from weibao.tickets.choices import EventKind
from weibao.tickets.models import SlaAlert, SlaBreach, SlaClock, SlaSegment, Ticket, TicketEvent
from weibao.tickets.services.sla import evaluate, spans_of

BATCH_SIZE = 500
MAX_BATCHES = 40  # 20,000 clocks per run at most; the rest waits a minute rather than hog a worker


@dataclass
class SweepResult:
    clocks: int = 0
    breaches: int = 0
    alerts: int = 0
    notifications: int = 0
    batches: int = 0
    ticket_ids: set[int] = field(default_factory=set)


def sla_sweep(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> SweepResult:
    """Process every clock due at ``now``: record breaches, send due warnings, schedule the next check."""
    now = now or timezone.now()
    result = SweepResult()
    for _batch in range(MAX_BATCHES):
        with transaction.atomic():
            clocks = _lock_due(now=now, limit=batch_size)
            if not clocks:
                break
            _process(clocks=clocks, now=now, result=result)
        result.batches += 1
        result.clocks += len(clocks)
        if len(clocks) < batch_size:
            break
    return result


def _lock_due(*, now: datetime, limit: int) -> list[SlaClock]:
    due = SlaClock.objects.filter(next_check_at__lte=now).order_by("next_check_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    return list(
        due.select_related("ticket", "ticket__assignee", "ticket__customer").prefetch_related(
            Prefetch("segments", queryset=SlaSegment.objects.order_by("started_at", "pk")),
            Prefetch("alerts", queryset=SlaAlert.objects.only("clock_id", "rule_key")),
        )[:limit]
    )


def _process(*, clocks: list[SlaClock], now: datetime, result: SweepResult) -> None:
    calendars = compiled_calendars(calendar_ids={c.calendar_id for c in clocks})
    rules_by_policy: dict[int, list[EscalationRule]] = {}
    for policy_id in {c.policy_id for c in clocks}:
        rules_by_policy[policy_id] = escalation_rules(policy_id=policy_id)
    fire: list[tuple[SlaClock, EscalationRule]] = []
    breached: list[SlaClock] = []
    for clock in clocks:
        fired = {a.rule_key for a in clock.alerts.all()}
        evaluation = evaluate(
            clock=clock,
            compiled=calendars[clock.calendar_id],
            spans=spans_of(segments=clock.segments.all()),
            rules=rules_by_policy[clock.policy_id],
            fired=fired,
            now=now,
        )
        clock.due_at = evaluation.due_at
        if (
            clock.state == ClockState.RUNNING
            and clock.due_at is not None
            and clock.due_at <= now
            and not clock.is_breached
        ):
            clock.is_breached = True
            breached.append(clock)
        fire.extend((clock, rule) for rule in evaluation.due_rules)
        # Everything due now is handled in this transaction, so the next check is the next future one.
        later = evaluate(
            clock=clock,
            compiled=calendars[clock.calendar_id],
            spans=spans_of(segments=clock.segments.all()),
            rules=rules_by_policy[clock.policy_id],
            fired=fired | {str(rule.pk) for rule in evaluation.due_rules},
            now=now,
        )
        clock.next_check_at = (
            later.next_check_at if later.next_check_at and later.next_check_at > now else None
        )
    _save_checks(clocks=clocks)
    if breached:
        _record_breaches(breached=breached, now=now)
        result.breaches += len(breached)
    if fire:
        alerts, sent = _send_alerts(fire=fire, now=now)
        result.alerts += alerts
        result.notifications += sent
    result.ticket_ids.update(c.ticket_id for c in clocks)


def _save_checks(*, clocks: list[SlaClock]) -> None:
    """Write ``due_at``, ``is_breached`` and ``next_check_at`` of the batch's clocks.

    The same rows and columns as ``bulk_update``, without building a CASE expression of every clock for
    each column, which cost more than the rest of the batch put together (bench/bench_sla_sweep.py).
    PostgreSQL: one ``UPDATE ... FROM (VALUES ...)``; elsewhere one UPDATE per clock (``executemany``).
    """
    meta = SlaClock._meta
    fields = [f for f in meta.concrete_fields if f.name in ("due_at", "is_breached", "next_check_at")]
    quote = connection.ops.quote_name
    rows = [
        [clock.pk, *(f.get_db_prep_save(getattr(clock, f.attname), connection) for f in fields)]
        for clock in clocks
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Cast in SET: a VALUES column holding only NULLs is typed text.
            sets = ", ".join(
                f"{quote(f.column)} = v.{quote(f.column)}::{f.db_type(connection)}" for f in fields
            )
            names = ", ".join(quote(f.column) for f in fields)
            values = ", ".join(["(%s" + ", %s" * len(fields) + ")"] * len(rows))
            cursor.execute(
                f"UPDATE {quote(meta.db_table)} AS c SET {sets} "  # noqa: S608 - names from the model
                f"FROM (VALUES {values}) AS v(id, {names}) WHERE c.id = v.id",
                [value for row in rows for value in row],
            )
        else:
            sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
            cursor.executemany(
                f"UPDATE {quote(meta.db_table)} SET {sets} WHERE id = %s",  # noqa: S608 - names from the model
                [[*row[1:], row[0]] for row in rows],
            )


def _record_breaches(*, breached: list[SlaClock], now: datetime) -> None:
    SlaBreach.objects.bulk_create(
        [
            SlaBreach(
                clock=clock,
                ticket_id=clock.ticket_id,
                kind=clock.kind,
                due_at=clock.due_at or now,  # breached clocks always have a due time
                met_at=clock.met_at,
                assignee_id=clock.ticket.assignee_id,
            )
            for clock in breached
        ],
        ignore_conflicts=True,
    )
    Ticket.objects.filter(pk__in={c.ticket_id for c in breached}).update(sla_breached=True)
    TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket_id=clock.ticket_id,
                actor=None,
                kind=EventKind.SLA_BREACHED,
                changes={
                    "target": [None, clock.kind],
                    "due_at": [None, clock.due_at.isoformat() if clock.due_at else None],
                },
            )
            for clock in breached
        ]
    )


def _recipients(*, fire: list[tuple[SlaClock, EscalationRule]]) -> dict[tuple[int, int], set[int]]:
    """User ids to notify per (clock, rule), with three queries for the whole batch."""
    team_ids = {
        c.ticket.team_id for c, r in fire if c.ticket.team_id and (r.notify_team or r.notify_assignee)
    }
    role_ids = {r.notify_role_id for _c, r in fire if r.notify_role_id}
    team_members: dict[int, set[int]] = defaultdict(set)
    for user_id, team_id in User.objects.filter(teams__in=team_ids, is_active=True).values_list(
        "pk", "teams"
    ):
        team_members[team_id].add(user_id)
    role_members: dict[int, set[int]] = defaultdict(set)
    for user_id, role_id in User.objects.filter(roles__in=role_ids, is_active=True).values_list(
        "pk", "roles"
    ):
        role_members[role_id].add(user_id)
    wanted: dict[tuple[int, int], set[int]] = {}
    for clock, rule in fire:
        ticket = clock.ticket
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
        wanted[(clock.pk, rule.pk)] = users
    return wanted


def _describe(*, clock: SlaClock, rule: EscalationRule) -> tuple[str, str, str, str]:
    """(kind, level, title, body) of the notification, in the default language (Chinese)."""
    ticket = clock.ticket
    target = TargetKind(clock.kind).label
    due = timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M") if clock.due_at else "-"
    if rule.trigger == EscalationTrigger.PERCENT:
        kind, level = NotificationKind.SLA_WARNING, NotificationLevel.WARNING
        title = _("#%(number)s: %(percent)d%% of the %(target)s time used") % {
            "number": ticket.number,
            "percent": rule.value,
            "target": target,
        }
    elif rule.value == 0:
        kind, level = NotificationKind.SLA_BREACH, NotificationLevel.DANGER
        title = _("#%(number)s: %(target)s target breached") % {"number": ticket.number, "target": target}
    else:
        kind, level = NotificationKind.SLA_ESCALATION, NotificationLevel.DANGER
        title = _("#%(number)s: %(target)s target breached %(minutes)d minutes ago") % {
            "number": ticket.number,
            "target": target,
            "minutes": rule.value,
        }
    body = _("%(title)s (%(customer)s). Due %(due)s.") % {
        "title": ticket.title,
        "customer": ticket.customer.name,
        "due": due,
    }
    return kind, level, title, body


def _send_alerts(*, fire: list[tuple[SlaClock, EscalationRule]], now: datetime) -> tuple[int, int]:
    recipients = _recipients(fire=fire)
    alerts: list[SlaAlert] = []
    drafts: list[NotificationDraft] = []
    with override("zh-hans"):  # notifications are stored in the default language (ADR 0007)
        for clock, rule in fire:
            kind, level, title, body = _describe(clock=clock, rule=rule)
            users = recipients[(clock.pk, rule.pk)]
            alerts.append(
                SlaAlert(
                    clock=clock,
                    rule=rule,
                    rule_key=str(rule.pk),
                    description=title[:200],
                    due_at=clock.due_at or now,
                    fired_at=now,
                    recipients=sorted(users),
                )
            )
            drafts.append(
                NotificationDraft(
                    recipient_ids=users,
                    kind=kind,
                    level=level,
                    title=title,
                    body=body,
                    url=f"/tickets/{clock.ticket.number}/",
                    dedupe_key=f"sla:{clock.pk}:{rule.pk}",
                )
            )
    SlaAlert.objects.bulk_create(alerts, ignore_conflicts=True)
    sent = notification_send_many(drafts=drafts)
    return len(alerts), sent
