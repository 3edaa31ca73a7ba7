"""SLA clocks of tickets (SLA-1..4): start at the report, pause, resume, meet, recompute.

Times are Asia/Shanghai; the default policy and the cn-workday / 24x7 calendars come from migrations.
2026-02-14 (Saturday) is a make-up workday; 2026-03-02 is an ordinary Monday.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from weibao.accounts.tests.factories import staff_user
from weibao.calendars.models import Calendar
from weibao.customers.choices import DistanceClass
from weibao.customers.tests.factories import CustomerFactory, SiteFactory
from weibao.sla.choices import ClockState, SegmentKind, TargetKind, TargetMode
from weibao.sla.models import ServiceContract, SlaPolicy, SlaTarget
from weibao.tickets import services
from weibao.tickets.choices import Level, PendingReason, Priority
from weibao.tickets.models import SlaBreach, SlaClock, Ticket
from weibao.tickets.tests.factories import Cast, make_ticket

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc,arg-type]


def clocks(ticket: Ticket) -> dict[str, SlaClock]:
    return {c.kind: c for c in SlaClock.objects.filter(ticket=ticket).prefetch_related("segments")}


def local(value: datetime | None) -> datetime | None:
    return value.astimezone(SH) if value else None


def test_normal_ticket_counts_on_cn_workday_with_a_makeup_saturday() -> None:
    with time_machine.travel(at(2026, 2, 13, 16, 0), tick=False):
        ticket = make_ticket(urgency=Level.MEDIUM, impact=Level.MEDIUM)
    assert ticket.priority == Priority.NORMAL
    c = clocks(ticket)
    assert set(c) == {TargetKind.RESPONSE, TargetKind.RESOLUTION}
    # 16:00-17:30 is 90 of the 120 minutes; Saturday 14 Feb is a make-up workday from 08:30.
    assert local(c[TargetKind.RESPONSE].due_at) == at(2026, 2, 14, 9, 0)
    # "By the end of the next working day": the next working day is that Saturday.
    assert local(c[TargetKind.RESOLUTION].due_at) == at(2026, 2, 14, 17, 30)
    assert c[TargetKind.RESPONSE].calendar.slug == "cn-workday"
    assert ticket.sla_due_at == c[TargetKind.RESPONSE].due_at
    assert ticket.sla_policy is not None and ticket.sla_policy.is_default


def test_critical_ticket_with_a_visit_runs_on_24x7() -> None:
    with time_machine.travel(at(2026, 10, 1, 22, 0), tick=False):  # National Day, at night
        ticket = make_ticket(is_emergency=True, needs_onsite=True)
    c = clocks(ticket)
    assert ticket.priority == Priority.CRITICAL
    assert local(c[TargetKind.RESPONSE].due_at) == at(2026, 10, 1, 22, 15)
    assert local(c[TargetKind.ONSITE].due_at) == at(2026, 10, 2, 2, 0)
    assert local(c[TargetKind.RESOLUTION].due_at) == at(2026, 10, 2, 4, 0)
    assert c[TargetKind.ONSITE].calendar.slug == "24x7"


def test_remote_site_gets_48_hours_to_arrive() -> None:
    customer = CustomerFactory.create()
    site = SiteFactory.create(customer=customer, distance_class=DistanceClass.REMOTE)
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(customer=customer, site_id=site.pk, is_emergency=True, needs_onsite=True)
    assert local(clocks(ticket)[TargetKind.ONSITE].due_at) == at(2026, 3, 4, 9, 0)


def test_reported_in_the_past_counts_from_the_report() -> None:
    with time_machine.travel(at(2026, 3, 2, 15, 0), tick=False):
        ticket = make_ticket(reported_at=at(2026, 3, 2, 9, 0))
    assert local(clocks(ticket)[TargetKind.RESPONSE].due_at) == at(2026, 3, 2, 11, 0)


def _pending_cycle() -> tuple[Ticket, Cast]:
    cast = Cast()
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(status="in_progress", cast=cast)
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        services.ticket_pend(actor=cast.engineer, ticket_id=ticket.pk, reason=PendingReason.CUSTOMER)
    with time_machine.travel(at(2026, 3, 2, 14, 0), tick=False):
        services.ticket_resume(actor=cast.engineer, ticket_id=ticket.pk)
    ticket.refresh_from_db()
    return ticket, cast


def test_pending_for_the_customer_pauses_only_the_resolution_clock() -> None:
    ticket, _cast = _pending_cycle()
    c = clocks(ticket)
    resolution = c[TargetKind.RESOLUTION]
    # Budget: Monday 09:00 to the end of Tuesday = 870 working minutes; 60 used before the pause,
    # 810 from Monday 14:00: 210 on Monday, 450 on Tuesday, 150 on Wednesday from 08:30.
    assert local(resolution.due_at) == at(2026, 3, 4, 11, 0)
    assert resolution.paused_minutes == 240
    kinds = [(s.kind, s.reason) for s in resolution.segments.all()]
    assert kinds == [
        (SegmentKind.RUNNING, ""),
        (SegmentKind.PAUSED, PendingReason.CUSTOMER),
        (SegmentKind.RUNNING, ""),
    ]
    assert local(c[TargetKind.RESPONSE].due_at) == at(2026, 3, 2, 11, 0)  # not paused
    assert [s.kind for s in c[TargetKind.RESPONSE].segments.all()] == [SegmentKind.RUNNING]


def test_while_paused_there_is_no_deadline() -> None:
    cast = Cast()
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(status="in_progress", cast=cast)
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        services.ticket_pend(actor=cast.engineer, ticket_id=ticket.pk, reason=PendingReason.THIRD_PARTY)
    resolution = clocks(ticket)[TargetKind.RESOLUTION]
    assert resolution.state == ClockState.PAUSED
    assert resolution.due_at is None and resolution.next_check_at is None


def test_pending_for_other_reasons_does_not_pause_by_default() -> None:
    cast = Cast()
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(status="in_progress", cast=cast)
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        services.ticket_pend(
            actor=cast.engineer, ticket_id=ticket.pk, reason=PendingReason.OTHER, note="等备件"
        )
    assert clocks(ticket)[TargetKind.RESOLUTION].state == ClockState.RUNNING


def test_priority_change_recomputes_from_history_keeping_paused_time() -> None:
    ticket, cast = _pending_cycle()
    with time_machine.travel(at(2026, 3, 2, 15, 0), tick=False):
        services.ticket_update(
            actor=cast.agent, ticket_id=ticket.pk, changes={"urgency": Level.HIGH, "impact": Level.MEDIUM}
        )
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
    resolution = clocks(ticket)[TargetKind.RESOLUTION]
    # High: 6 h on 24x7. Ran 09:00-10:00 (60 min), paused 10:00-14:00, running again since 14:00.
    assert local(resolution.due_at) == at(2026, 3, 2, 19, 0)
    assert resolution.paused_minutes == 240
    assert resolution.calendar.slug == "24x7"
    assert resolution.budget_minutes == 360
    assert len(resolution.segments.all()) == 3


def test_first_public_reply_meets_the_response_target() -> None:
    cast = Cast()
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(cast=cast)
    with time_machine.travel(at(2026, 3, 2, 9, 40), tick=False):
        services.comment_create(actor=cast.agent, ticket_id=ticket.pk, body="已收到，正在处理")
    response = clocks(ticket)[TargetKind.RESPONSE]
    assert response.state == ClockState.MET
    assert local(response.met_at) == at(2026, 3, 2, 9, 40)
    assert not response.is_breached
    ticket.refresh_from_db()
    assert local(ticket.first_response_at) == at(2026, 3, 2, 9, 40)


def test_internal_note_does_not_count_as_a_response() -> None:
    cast = Cast()
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(cast=cast)
        services.comment_create(actor=cast.agent, ticket_id=ticket.pk, body="内部记录", internal=True)
    assert clocks(ticket)[TargetKind.RESPONSE].state == ClockState.RUNNING


def test_a_late_response_is_recorded_as_a_breach_with_how_late() -> None:
    cast = Cast()
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(cast=cast)
    with time_machine.travel(at(2026, 3, 2, 11, 25), tick=False):
        services.comment_create(actor=cast.agent, ticket_id=ticket.pk, body="抱歉回复晚了")
    breach = SlaBreach.objects.get(ticket=ticket)
    assert breach.kind == TargetKind.RESPONSE
    assert breach.late_minutes == 25
    ticket.refresh_from_db()
    assert ticket.sla_breached


def test_resolve_meets_resolution_and_reopen_resumes_it_with_the_gap_recorded() -> None:
    cast = Cast()
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(status="in_progress", cast=cast)
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        services.ticket_resolve(actor=cast.engineer, ticket_id=ticket.pk, analysis="原因", solution="办法")
    c = clocks(ticket)
    assert c[TargetKind.RESOLUTION].state == ClockState.MET
    assert c[TargetKind.RESPONSE].state == ClockState.MET  # a resolution answers too
    with time_machine.travel(at(2026, 3, 2, 11, 0), tick=False):
        services.ticket_reopen(actor=cast.agent, ticket_id=ticket.pk, reason="问题复现")
    resolution = clocks(ticket)[TargetKind.RESOLUTION]
    assert resolution.state == ClockState.RUNNING and resolution.met_at is None
    segments = [(s.kind, s.reason, local(s.started_at)) for s in resolution.segments.all()]
    assert segments[-2] == (SegmentKind.PAUSED, "reopened", at(2026, 3, 2, 10, 0))
    assert segments[-1] == (SegmentKind.RUNNING, "", at(2026, 3, 2, 11, 0))
    # 60 of 870 minutes were used; the hour between resolve and reopen does not count.
    assert local(resolution.due_at) == at(2026, 3, 4, 9, 30)


def test_cancel_stops_every_clock() -> None:
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(status="cancelled")
    assert {c.state for c in clocks(ticket).values()} == {ClockState.STOPPED}
    assert all(c.next_check_at is None for c in clocks(ticket).values())
    ticket.refresh_from_db()
    assert ticket.sla_due_at is None


def test_the_contract_policy_applies_to_the_customer() -> None:
    policy = SlaPolicy.objects.create(code="gold", name="Gold")
    SlaTarget.objects.create(
        policy=policy, priority=Priority.NORMAL, kind=TargetKind.RESPONSE, mode=TargetMode.MINUTES, minutes=30
    )
    customer = CustomerFactory.create()
    ServiceContract.objects.create(
        customer=customer,
        number="WB-2026-001",
        name="2026 维保",
        policy=policy,
        starts_on=at(2026, 1, 1).date(),
    )
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(customer=customer)
    c = clocks(ticket)
    assert ticket.sla_policy == policy
    assert set(c) == {TargetKind.RESPONSE}
    assert local(c[TargetKind.RESPONSE].due_at) == at(2026, 3, 2, 9, 30)


def test_a_site_calendar_overrides_the_default_working_calendar() -> None:
    night = Calendar.objects.create(slug="night", name="Night shift", uses_holidays=False)
    night.periods.create(weekday=0, start_minute=22 * 60, end_minute=6 * 60)  # Monday night
    customer = CustomerFactory.create()
    site = SiteFactory.create(customer=customer, calendar=night)
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(customer=customer, site_id=site.pk)
    response = clocks(ticket)[TargetKind.RESPONSE]
    assert response.calendar == night
    assert local(response.due_at) == at(2026, 3, 3, 0, 0)


def test_recording_the_arrival_meets_the_onsite_target() -> None:
    cast = Cast()
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(cast=cast, is_emergency=True, needs_onsite=True, status="assigned")
    with time_machine.travel(at(2026, 3, 2, 14, 0), tick=False):
        services.ticket_record_arrival(
            actor=cast.agent, ticket_id=ticket.pk, arrived_at=at(2026, 3, 2, 13, 30)
        )
    onsite = clocks(ticket)[TargetKind.ONSITE]
    assert onsite.state == ClockState.MET and onsite.is_breached  # due 13:00 (4 h on 24x7)
    breach = SlaBreach.objects.get(ticket=ticket, kind=TargetKind.ONSITE)
    assert breach.late_minutes == 30


def test_engineer_explains_a_breach() -> None:
    cast = Cast()
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(cast=cast, status="assigned")
    with time_machine.travel(at(2026, 3, 2, 12, 0), tick=False):
        services.comment_create(actor=cast.agent, ticket_id=ticket.pk, body="回复")
        services.ticket_explain_breach(
            actor=cast.engineer, ticket_id=ticket.pk, kind=TargetKind.RESPONSE, reason="电话占线"
        )
    breach = SlaBreach.objects.get(ticket=ticket)
    assert breach.reason == "电话占线" and breach.reason_by == cast.engineer


def test_someone_else_cannot_explain_a_breach() -> None:
    from weibao.core.errors import PermissionDenied

    cast = Cast()
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(cast=cast, status="assigned")
    with time_machine.travel(at(2026, 3, 2, 12, 0), tick=False):
        services.comment_create(actor=cast.agent, ticket_id=ticket.pk, body="回复")
    other = staff_user(role_codes=["support_engineer"])
    with pytest.raises(PermissionDenied):
        services.ticket_explain_breach(actor=other, ticket_id=ticket.pk, kind=TargetKind.RESPONSE, reason="x")
    assert SlaBreach.objects.get(ticket=ticket).reason == ""


def test_clock_segments_survive_many_pauses() -> None:
    cast = Cast()
    start = at(2026, 3, 2, 9, 0)
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(status="in_progress", cast=cast)
    moment = start
    for _round in range(3):
        moment += timedelta(minutes=10)
        with time_machine.travel(moment, tick=False):
            services.ticket_pend(actor=cast.engineer, ticket_id=ticket.pk, reason=PendingReason.CUSTOMER)
        moment += timedelta(minutes=20)
        with time_machine.travel(moment, tick=False):
            services.ticket_resume(actor=cast.engineer, ticket_id=ticket.pk)
    resolution = clocks(ticket)[TargetKind.RESOLUTION]
    assert resolution.paused_minutes == 60
    assert len(resolution.segments.all()) == 7
    # 870 working minutes, 60 of them paused in 09:00-10:30, so everything shifts by one hour.
    assert local(resolution.due_at) == at(2026, 3, 4, 9, 30)


def test_the_target_is_shown_in_the_readers_words() -> None:
    from django.utils import translation

    from weibao.tickets.templatetags.sla_tags import target_text

    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket()
    c = clocks(ticket)
    with translation.override("en"):
        assert target_text(c[TargetKind.RESOLUTION]) == "by the end of the next working day"
        assert target_text(c[TargetKind.RESPONSE]) == "2h 0m"
    with translation.override("zh-hans"):
        assert target_text(c[TargetKind.RESOLUTION]) == "下一个工作日结束前"
