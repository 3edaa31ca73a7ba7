"""The SLA sweeper and its delivery (SLA-5): warnings at 75 %, the breach, the escalation 30 minutes
later — each recorded once and each person told once.

The default policy's rules (weibao/sla/builtin.py): at 75 % the assignee (or the team), at the breach
the assignee and every service manager, 30 minutes after it the assignee's superior and service managers.
``run()`` is what beat does every minute: the sweep, then the delivery of what it recorded.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from weibao.accounts.tests.factories import staff_user
from weibao.notifications.models import Notification
from weibao.sla.choices import TargetKind
from weibao.tickets.choices import EventKind
from weibao.tickets.models import SlaAlert, SlaBreach, SlaClock, Ticket, TicketEvent
from weibao.tickets.services import sla_delivery as delivery_module
from weibao.tickets.services import sla_sweep as sweep_module
from weibao.tickets.services.sla_delivery import sla_deliver
from weibao.tickets.services.sla_sweep import SweepResult, sla_sweep
from weibao.tickets.tests.factories import Cast, make_ticket

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SH)


def _critical_ticket() -> tuple[Ticket, Cast]:
    cast = Cast()
    boss = staff_user(role_codes=["service_manager"])
    cast.engineer.superior = boss
    cast.engineer.save(update_fields=["superior"])
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(status="assigned", cast=cast, is_emergency=True)
    return ticket, cast


def run() -> SweepResult:
    result = sla_sweep()
    sla_deliver()
    return result


def _notified(kind_prefix: str = "sla:") -> list[tuple[int, str]]:
    return sorted(
        Notification.objects.filter(dedupe_key__startswith=kind_prefix).values_list("recipient_id", "kind")
    )


@pytest.mark.django_db
def test_warning_breach_and_escalation_are_each_sent_once() -> None:
    ticket, cast = _critical_ticket()
    # Response target: 15 minutes on 24x7, so 75 % is at 09:11:15 and the breach at 09:15.
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        assert run().alerts == 0
    with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
        first = run()
        again = run()
    assert first.alerts == 1 and again.alerts == 0
    assert _notified() == [(cast.engineer.pk, "sla_warning")]

    with time_machine.travel(T0 + timedelta(minutes=16), tick=False):
        result = sla_sweep()
        ticket.refresh_from_db()
        assert not ticket.sla_breached  # recorded, not yet announced: that is the delivery's job
        sla_deliver()
        run()
    assert result.breaches == 1
    breach = SlaBreach.objects.get(ticket=ticket)
    assert breach.kind == TargetKind.RESPONSE and breach.assignee == cast.engineer
    ticket.refresh_from_db()
    assert ticket.sla_breached
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_BREACHED).count() == 1
    breach_notes = [n for n in _notified() if n[1] == "sla_breach"]
    assert (cast.engineer.pk, "sla_breach") in breach_notes
    assert len(breach_notes) == len(set(breach_notes))

    with time_machine.travel(T0 + timedelta(minutes=46), tick=False):
        run()
        run()
    escalations = [n for n in _notified() if n[1] == "sla_escalation"]
    assert (cast.engineer.superior_id, "sla_escalation") in escalations
    assert len(escalations) == len(set(escalations))
    assert SlaAlert.objects.filter(clock__ticket=ticket, clock__kind=TargetKind.RESPONSE).count() == 3


@pytest.mark.django_db
def test_the_sweeper_reads_only_due_clocks() -> None:
    _critical_ticket()
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        result = sla_sweep()
    assert result.clocks == 0
    next_checks = sorted(c.next_check_at for c in SlaClock.objects.all() if c.next_check_at)
    assert next_checks[0] == (T0 + timedelta(minutes=11, seconds=15)).astimezone(next_checks[0].tzinfo)


@pytest.mark.django_db
def test_a_clock_met_in_time_sends_nothing_more() -> None:
    from weibao.tickets import services

    ticket, cast = _critical_ticket()
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        services.comment_create(actor=cast.agent, ticket_id=ticket.pk, body="收到")
    with time_machine.travel(T0 + timedelta(minutes=40), tick=False):
        run()
    assert not SlaAlert.objects.filter(clock__kind=TargetKind.RESPONSE).exists()
    assert not SlaBreach.objects.filter(kind=TargetKind.RESPONSE).exists()


@pytest.mark.django_db
def test_a_late_answer_between_runs_still_escalates_the_breach_once() -> None:
    from weibao.tickets import services

    ticket, cast = _critical_ticket()
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        services.comment_create(actor=cast.agent, ticket_id=ticket.pk, body="回复晚了")
    with time_machine.travel(T0 + timedelta(minutes=21), tick=False):
        run()
        run()
    kinds = sorted(
        SlaAlert.objects.filter(clock__ticket=ticket, clock__kind=TargetKind.RESPONSE).values_list(
            "rule__value", flat=True
        )
    )
    assert kinds == [0, 75]  # the warning and the breach; the 30-minute escalation never came
    assert SlaBreach.objects.get(kind=TargetKind.RESPONSE).late_minutes == 5


@pytest.mark.django_db
def test_a_sweeper_killed_half_way_records_nothing_and_loses_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    _critical_ticket()
    _critical_ticket()
    real = sweep_module._record_alerts

    def crash(**kwargs: object) -> int:
        real(**kwargs)  # type: ignore[arg-type]
        raise RuntimeError("worker killed")

    monkeypatch.setattr(sweep_module, "_record_alerts", crash)
    with time_machine.travel(T0 + timedelta(minutes=12), tick=False), pytest.raises(RuntimeError):
        sla_sweep()
    assert not SlaAlert.objects.exists()  # rolled back: the clocks are still due
    monkeypatch.setattr(sweep_module, "_record_alerts", real)
    with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
        result = run()
    assert result.alerts == 2
    assert Notification.objects.filter(kind="sla_warning").count() == 2


@pytest.mark.django_db
def test_a_delivery_killed_half_way_loses_nothing_and_sends_nothing_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _critical_ticket()
    _critical_ticket()
    real = delivery_module.notification_send_many

    def crash(**kwargs: object) -> int:
        real(**kwargs)  # type: ignore[arg-type]
        raise RuntimeError("worker killed")

    with time_machine.travel(T0 + timedelta(minutes=16), tick=False):
        recorded = sla_sweep()
        monkeypatch.setattr(delivery_module, "notification_send_many", crash)
        with pytest.raises(RuntimeError):
            sla_deliver()
    # The breaches were announced in their own transaction; the alerts' batch rolled back and waits.
    assert recorded.alerts == 4 and recorded.breaches == 2
    assert not Notification.objects.exists()
    assert SlaAlert.objects.filter(delivered_at__isnull=True).count() == 4
    assert TicketEvent.objects.filter(kind=EventKind.SLA_BREACHED).count() == 2
    monkeypatch.setattr(delivery_module, "notification_send_many", real)
    with time_machine.travel(T0 + timedelta(minutes=17), tick=False):
        delivered = sla_deliver()
        again = sla_deliver()
    assert (delivered.alerts, again.alerts, again.breaches) == (4, 0, 0)
    assert Notification.objects.filter(kind="sla_warning").count() == 2
    assert not SlaAlert.objects.filter(delivered_at__isnull=True).exists()
    assert all(alert.recipients for alert in SlaAlert.objects.all())
    assert TicketEvent.objects.filter(kind=EventKind.SLA_BREACHED).count() == 2


@pytest.mark.django_db
def test_an_alert_whose_rule_was_deleted_is_delivered_to_nobody() -> None:
    _critical_ticket()
    with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
        sla_sweep()
    alert = SlaAlert.objects.get()
    assert alert.rule is not None
    alert.rule.delete()
    with time_machine.travel(T0 + timedelta(minutes=13), tick=False):
        assert sla_deliver().alerts == 1
    alert.refresh_from_db()
    assert alert.delivered_at is not None and alert.recipients == []
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_delivery_runs_a_constant_number_of_queries() -> None:
    def deliver_after_warnings(tickets: int) -> int:
        for _ in range(tickets):
            _critical_ticket()
        with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
            sla_sweep()
            with CaptureQueriesContext(connection) as queries:
                assert sla_deliver().alerts == tickets
        return len(queries.captured_queries)

    few = deliver_after_warnings(1)
    SlaAlert.objects.all().delete()
    Notification.objects.all().delete()
    assert deliver_after_warnings(6) == few


@pytest.mark.django_db
def test_small_batches_cover_everything_due() -> None:
    for _ in range(3):
        _critical_ticket()
    with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
        result = sla_sweep(batch_size=1)
        delivered = sla_deliver(batch_size=1)
    assert result.alerts == 3 and result.batches >= 3
    assert delivered.alerts == 3 and delivered.batches >= 3
    assert Notification.objects.count() == 3


# Decided at collection, not inside the test: a skipped transactional test would still flush the
# database. serialized_rollback: the flush afterwards would drop the roles seeded by migrations.
@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SKIP LOCKED needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweepers_at_once_send_each_warning_once() -> None:
    for _ in range(6):
        _critical_ticket()
    barrier = threading.Barrier(2)
    results = []
    deliveries = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            with time_machine.travel(T0 + timedelta(minutes=16), tick=False):
                results.append(sla_sweep(batch_size=2))
            barrier.wait()  # both sweeps done: now two deliveries at once
            deliveries.append(sla_deliver(batch_size=2))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    # 6 tickets x (warning + breach) on the response clock; resolution clocks are not due yet.
    assert sum(r.alerts for r in results) == 12
    assert SlaAlert.objects.count() == 12
    assert SlaBreach.objects.count() == 6
    assert sum(d.alerts for d in deliveries) == 12 and sum(d.breaches for d in deliveries) == 6
    assert TicketEvent.objects.filter(kind=EventKind.SLA_BREACHED).count() == 6
    keys = list(Notification.objects.values_list("recipient_id", "dedupe_key"))
    assert len(keys) == len(set(keys))
    # Each warning to the engineer, each breach to the engineer and the service managers.
    assert Notification.objects.filter(kind="sla_warning").count() == 6


@pytest.mark.django_db
def test_the_sweep_task_queues_a_delivery_only_when_it_recorded_something(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from config.celery import app
    from weibao.tickets import tasks

    queued: list[str] = []
    monkeypatch.setattr(tasks.sla_deliver_task, "delay", lambda: queued.append("deliver"))
    _critical_ticket()
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        assert tasks.sla_sweep_task() == {"clocks": 0, "breaches": 0, "alerts": 0}
    assert queued == []
    with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
        assert tasks.sla_sweep_task()["alerts"] == 1
        assert queued == ["deliver"]
        assert tasks.sla_deliver_task() == {"alerts": 1, "notifications": 1, "breaches": 0}
    # Beat also runs the delivery every minute: a lost message delays it by a minute, never loses it.
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"weibao.tickets.tasks.sla_sweep", "weibao.tickets.tasks.sla_deliver"} <= scheduled
