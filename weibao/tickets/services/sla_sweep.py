"""The SLA sweeper (SLA-5): finds the clocks whose moment has come and records what it finds.

Run by Celery beat every minute (``tickets.tasks.sla_sweep_task``). It reads only clocks whose
``next_check_at`` has come, through a partial index, so its cost grows with what is due and not with
the number of open tickets. Each batch is one transaction that locks its clocks with ``FOR UPDATE
SKIP LOCKED``: a second worker running at the same time takes other clocks, a worker killed half-way
rolls its batch back (nothing half-recorded, nothing lost: the clocks are still due next run).

It *records*: breaches (``SlaBreach``) and alerts (``SlaAlert``, unique per clock and rule, so a
replayed batch records nothing twice). Telling people - notifications, the ticket's breach flag and
timeline event - is ``sla_delivery``'s job, after the commit: the recorded rows are its queue, so a
slow or failing delivery never holds clock locks and never loses what the sweep decided.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from weibao.calendars.selectors import compiled_calendars
from weibao.core.bulk import bulk_set, in_ids, insert_rows
from weibao.sla.choices import ClockState, EscalationTrigger, TargetKind
from weibao.sla.clock import Span
from weibao.sla.models import EscalationRule
from weibao.sla.selectors import escalation_rules
from weibao.tickets.models import SlaAlert, SlaBreach, SlaClock, SlaSegment, Ticket
from weibao.tickets.services.sla import evaluate

BATCH_SIZE = 1000  # one transaction (and one COMMIT) for a typical minute's work
MAX_BATCHES = 20  # 20,000 clocks per run at most; the rest waits a minute rather than hog a worker


@dataclass
class SweepResult:
    clocks: int = 0
    breaches: int = 0
    alerts: int = 0
    batches: int = 0
    ticket_ids: set[int] = field(default_factory=set)


def sla_sweep(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> SweepResult:
    """Process every clock due at ``now``: record breaches and due alerts, schedule the next check.

    Returns what it recorded; ``sla_deliver`` then tells the people concerned.
    """
    now = now or timezone.now()
    result = SweepResult()
    for _batch in range(MAX_BATCHES):
        with transaction.atomic():
            due = _lock_due(now=now, limit=batch_size)
            if not due.clocks:
                break
            _process(due=due, now=now, result=result)
        result.batches += 1
        result.clocks += len(due.clocks)
        if len(due.clocks) < batch_size:
            break
    return result


@dataclass
class _Due:
    """The locked clocks of a batch with what evaluating them needs, read in three queries."""

    clocks: list[SlaClock]
    spans: dict[int, list[Span]]
    fired: dict[int, set[str]]


def _epoch(moment: datetime | str) -> int:
    # SQLite hands raw cursors text; PostgreSQL aware datetimes.
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _lock_due(*, now: datetime, limit: int) -> _Due:
    due = SlaClock.objects.filter(next_check_at__lte=now).order_by("next_check_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    clocks = list(due[:limit])  # the clock row is all evaluating needs; the ticket is not read
    if not clocks:
        return _Due(clocks=[], spans={}, fired={})
    ids = [clock.pk for clock in clocks]
    # Segments and fired rules as plain rows with one array parameter: a prefetch built a related
    # manager per clock, and ``__in`` binds each id on its own (bench/bench_sla_sweep.py).
    spans: dict[int, list[Span]] = defaultdict(list)
    fired: dict[int, set[str]] = defaultdict(set)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        where, params = in_ids(column=quote("clock_id"), ids=ids)
        cursor.execute(
            f"SELECT clock_id, kind, started_at, ended_at FROM {quote(SlaSegment._meta.db_table)} "  # noqa: S608
            f"WHERE {where} ORDER BY clock_id, started_at, id",
            params,
        )
        for clock_id, kind, started_at, ended_at in cursor.fetchall():
            spans[clock_id].append(Span(kind, _epoch(started_at), _epoch(ended_at) if ended_at else None))
        cursor.execute(
            f"SELECT clock_id, rule_key FROM {quote(SlaAlert._meta.db_table)} WHERE {where}",  # noqa: S608
            params,
        )
        for clock_id, rule_key in cursor.fetchall():
            fired[clock_id].add(rule_key)
    return _Due(clocks=clocks, spans=spans, fired=fired)


def _process(*, due: _Due, now: datetime, result: SweepResult) -> None:
    clocks = due.clocks
    calendars = compiled_calendars(calendar_ids={c.calendar_id for c in clocks})
    rules_by_policy: dict[int, list[EscalationRule]] = {}
    for policy_id in {c.policy_id for c in clocks}:
        rules_by_policy[policy_id] = escalation_rules(policy_id=policy_id)
    fire: list[tuple[SlaClock, EscalationRule]] = []
    breached: list[SlaClock] = []
    for clock in clocks:
        evaluation = evaluate(
            clock=clock,
            compiled=calendars[clock.calendar_id],
            spans=due.spans.get(clock.pk, []),
            rules=rules_by_policy[clock.policy_id],
            fired=due.fired.get(clock.pk, set()),
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
        clock.next_check_at = evaluation.next_check_after
    bulk_set(objects=clocks, fields=["due_at", "is_breached", "next_check_at"])
    if breached:
        _record_breaches(breached=breached, now=now)
        result.breaches += len(breached)
    if fire:
        result.alerts += _record_alerts(fire=fire, now=now)
    result.ticket_ids.update(c.ticket_id for c in clocks)


def _record_breaches(*, breached: list[SlaClock], now: datetime) -> None:
    """One ``SlaBreach`` per newly breached clock, with the assignee at this moment (SLA-5)."""
    ticket_ids = sorted({c.ticket_id for c in breached})
    where, params = in_ids(column="id", ids=ticket_ids)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, assignee_id FROM {Ticket._meta.db_table} WHERE {where}", params)  # noqa: S608
        assignees = dict(cursor.fetchall())
    insert_rows(
        model=SlaBreach,
        fields=["clock", "ticket", "kind", "due_at", "met_at", "assignee", "reason", "recorded_at"],
        rows=[
            [
                clock.pk,
                clock.ticket_id,
                clock.kind,
                clock.due_at or now,  # breached clocks always have a due time
                clock.met_at,
                assignees.get(clock.ticket_id),
                "",
                now,
            ]
            for clock in breached
        ],
    )


def alert_description(*, kind: str, rule: EscalationRule) -> str:
    """What an alert says on the ticket page, in the active language (the sweep uses the default one)."""
    target = TargetKind(kind).label
    if rule.trigger == EscalationTrigger.PERCENT:
        return _("%(percent)d%% of the %(target)s time used") % {"percent": rule.value, "target": target}
    if rule.value == 0:
        return _("%(target)s target breached") % {"target": target}
    return _("%(target)s target breached %(minutes)d minutes ago") % {"target": target, "minutes": rule.value}


def _record_alerts(*, fire: list[tuple[SlaClock, EscalationRule]], now: datetime) -> int:
    """The alerts whose moment has come, undelivered (``sla_delivery`` picks them up after the commit)."""
    with override(settings.LANGUAGE_CODE):  # stored in the default language (ADR 0007)
        descriptions = {
            (kind, rule.pk): alert_description(kind=kind, rule=rule)[:200]
            for kind, rule in {(clock.kind, rule) for clock, rule in fire}
        }
    insert_rows(
        model=SlaAlert,
        fields=["clock", "rule", "rule_key", "description", "due_at", "fired_at", "recipients"],
        rows=[
            [
                clock.pk,
                rule.pk,
                str(rule.pk),
                descriptions[(clock.kind, rule.pk)],
                clock.due_at or now,
                now,
                [],
            ]
            for clock, rule in fire
        ],
    )
    return len(fire)
