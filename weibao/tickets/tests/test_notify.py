"""The fan-out of ticket events to people and robots by the rules grid (issue 4, COM-1, SLA-5).

The seeded grid (notifications/0003) is the starting point; each test reads what a real fan-out
queued: in-app rows and deliveries (the outbox), not mocks.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from weibao.accounts.models import User
from weibao.accounts.tests.factories import TeamFactory, staff_user
from weibao.customers.models import Contact, Customer
from weibao.customers.tests.factories import ContactFactory, CustomerFactory
from weibao.notifications.choices import Channel, NotifyEvent, RuleAudience, WebhookKind
from weibao.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    NotificationRule,
    Webhook,
)
from weibao.tickets import services
from weibao.tickets.choices import EventKind, PendingReason, Priority
from weibao.tickets.models import Ticket, TicketEvent
from weibao.tickets.services.notify import pending_too_long_notify, ticket_event_notify
from weibao.tickets.tests.factories import Cast, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def hospital() -> Customer:
    return CustomerFactory.create(name="安庆市第一人民医院")


@pytest.fixture
def contact(hospital: Customer) -> Contact:
    return ContactFactory.create(customer=hospital, name="张主任", email="zhang@hosp.test")


@pytest.fixture
def cast() -> Cast:
    cast = Cast()
    cast._agent = staff_user(role_codes=["agent"], email="agent@weibao.test", username="agent")
    cast._engineer = staff_user(role_codes=["support_engineer"], email="wang@weibao.test", username="wang")
    return cast


def _notify_last(ticket: Ticket, kind: str) -> Any:
    event = TicketEvent.objects.filter(ticket=ticket, kind=kind).latest("id")
    return ticket_event_notify(event_id=event.pk)


def _emails(**filters: Any) -> list[Delivery]:
    return list(Delivery.objects.filter(channel=Channel.EMAIL, **filters).order_by("id"))


def test_a_new_ticket_tells_its_team_in_the_app_and_acknowledges_the_contact(
    hospital: Customer, contact: Contact, cast: Cast
) -> None:
    team = TeamFactory.create()
    member, other = staff_user(role_codes=["agent"]), staff_user(role_codes=["agent"])
    team.members.add(member, cast.agent)
    ticket = make_ticket(customer=hospital, contact_id=contact.pk, cast=cast)
    services.ticket_assign(actor=cast.agent, ticket_id=ticket.pk, team_id=team.pk)
    ticket.refresh_from_db()

    result = _notify_last(ticket, EventKind.CREATED)

    # The team is told (the agent who logged it is not told of their own act); others are not.
    told = set(
        Notification.objects.filter(dedupe_key__startswith="ev").values_list("recipient_id", flat=True)
    )
    assert member.pk in told and cast.agent.pk not in told and other.pk not in told
    (ack,) = _emails(event=NotifyEvent.TICKET_CREATED)
    assert ack.contact_id == contact.pk and ack.to_address == "zhang@hosp.test"
    assert f"#{ticket.number}" in ack.subject
    assert ack.headers["Message-ID"].startswith(f"<ticket-{ticket.number}.")
    assert ack.headers["In-Reply-To"] == f"<ticket-{ticket.number}.root@weibao.localhost>"
    assert ack.headers["Auto-Submitted"] == "auto-generated"  # so autoresponders stay quiet
    assert "门诊挂号系统无法打印发票" in ack.body and f"/tickets/{ticket.number}/" in ack.body
    assert result.deliveries == [ack.pk]


def test_running_a_fan_out_twice_tells_nobody_twice(hospital: Customer, contact: Contact, cast: Cast) -> None:
    ticket = make_ticket(customer=hospital, contact_id=contact.pk, status="assigned", cast=cast)
    _notify_last(ticket, EventKind.ASSIGNED)
    counts = (Notification.objects.count(), Delivery.objects.count())

    again = _notify_last(ticket, EventKind.ASSIGNED)

    assert again.in_app == 0 and again.deliveries == []
    assert (Notification.objects.count(), Delivery.objects.count()) == counts


def test_the_assignee_hears_of_the_assignment_in_the_app_and_by_email(hospital: Customer, cast: Cast) -> None:
    ticket = make_ticket(customer=hospital, status="assigned", cast=cast)

    _notify_last(ticket, EventKind.ASSIGNED)

    note = Notification.objects.get(recipient=cast.engineer)
    assert note.kind == "ticket_assigned" and note.url == f"/tickets/{ticket.number}/"
    (mail,) = _emails(user=cast.engineer)
    assert mail.to_address == "wang@weibao.test" and mail.next_attempt_at <= timezone.now()


def test_muted_events_are_not_sent_on_that_channel(hospital: Customer, cast: Cast) -> None:
    NotificationPreference.objects.create(user=cast.engineer, muted_email=[NotifyEvent.TICKET_ASSIGNED])
    ticket = make_ticket(customer=hospital, status="assigned", cast=cast)

    _notify_last(ticket, EventKind.ASSIGNED)

    assert Notification.objects.filter(recipient=cast.engineer).exists()
    assert _emails(user=cast.engineer) == []


@pytest.mark.parametrize(("priority", "held"), [(Priority.NORMAL, True), (Priority.CRITICAL, False)])
def test_quiet_hours_hold_email_except_for_critical_tickets(
    hospital: Customer, cast: Cast, priority: int, held: bool
) -> None:
    # A window that contains "now" wherever the test runs: from an hour ago to an hour ahead.
    now = timezone.localtime()
    start, end = (now - timedelta(hours=1)).time(), (now + timedelta(hours=1)).time()
    NotificationPreference.objects.create(
        user=cast.engineer, quiet_start=start.replace(microsecond=0), quiet_end=end.replace(microsecond=0)
    )
    ticket = make_ticket(customer=hospital, status="assigned", cast=cast)
    Ticket.objects.filter(pk=ticket.pk).update(priority=priority)

    _notify_last(ticket, EventKind.ASSIGNED)

    (mail,) = _emails(user=cast.engineer)
    assert (mail.next_attempt_at > timezone.now() + timedelta(minutes=30)) is held
    assert Notification.objects.filter(recipient=cast.engineer).exists()  # the app is silent anyway


def test_a_public_reply_is_emailed_to_the_contact_as_a_person_not_a_robot(
    hospital: Customer, contact: Contact, cast: Cast
) -> None:
    ticket = make_ticket(customer=hospital, contact_id=contact.pk, status="in_progress", cast=cast)
    services.comment_create(actor=cast.engineer, ticket_id=ticket.pk, body="请重启打印服务后再试。")

    _notify_last(ticket, EventKind.COMMENTED)

    (mail,) = _emails(event=NotifyEvent.AGENT_REPLIED)
    assert mail.contact_id == contact.pk
    assert "请重启打印服务后再试。" in mail.body and "请重启打印服务后再试。" in mail.html_body
    assert "Auto-Submitted" not in mail.headers


def test_an_internal_note_tells_nobody(hospital: Customer, contact: Contact, cast: Cast) -> None:
    ticket = make_ticket(customer=hospital, contact_id=contact.pk, status="in_progress", cast=cast)
    services.comment_create(
        actor=cast.engineer, ticket_id=ticket.pk, body="内部：驱动版本过旧", internal=True
    )
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.COMMENTED).latest("id")

    result = ticket_event_notify(event_id=event.pk)

    assert result.in_app == 0 and result.deliveries == []


def test_a_customer_reply_by_email_tells_the_assignee(
    hospital: Customer, contact: Contact, cast: Cast
) -> None:
    ticket = make_ticket(customer=hospital, contact_id=contact.pk, status="pending", cast=cast)
    services.comment_from_contact(ticket_id=ticket.pk, contact=contact, body="已重启，可以打印了。")

    _notify_last(ticket, EventKind.COMMENTED)

    note = Notification.objects.get(recipient=cast.engineer, kind="customer_replied")
    assert "张主任" in note.title and "已重启" in note.body
    (mail,) = _emails(event=NotifyEvent.CUSTOMER_REPLIED)
    assert mail.user_id == cast.engineer.pk


def test_a_low_rating_reaches_the_service_managers(hospital: Customer, contact: Contact, cast: Cast) -> None:
    manager = staff_user(role_codes=["service_manager"], email="boss@weibao.test")
    ticket = make_ticket(customer=hospital, contact_id=contact.pk, status="closed", cast=cast)
    services.ticket_rate(actor=cast.agent, ticket_id=ticket.pk, score=1, comment="响应太慢")

    _notify_last(ticket, EventKind.RATED)

    assert Notification.objects.get(recipient=manager).level == "danger"
    assert [d.to_address for d in _emails(event=NotifyEvent.RATED_LOW)] == ["boss@weibao.test"]


def test_a_good_rating_tells_nobody(hospital: Customer, cast: Cast) -> None:
    staff_user(role_codes=["service_manager"], email="boss@weibao.test")
    ticket = make_ticket(customer=hospital, status="closed", cast=cast)
    services.ticket_rate(actor=cast.agent, ticket_id=ticket.pk, score=5)

    result = _notify_last(ticket, EventKind.RATED)

    assert result.in_app == 0 and result.deliveries == []


def test_contacts_hear_of_resolution_and_closure_but_never_of_internal_events(
    hospital: Customer, contact: Contact, cast: Cast
) -> None:
    ticket = make_ticket(customer=hospital, contact_id=contact.pk, status="closed", cast=cast)
    for event in TicketEvent.objects.filter(ticket=ticket).order_by("id"):
        ticket_event_notify(event_id=event.pk)

    to_contact = {d.event for d in _emails(contact=contact)}
    assert to_contact == {
        NotifyEvent.TICKET_CREATED,
        NotifyEvent.RESOLVED,
        NotifyEvent.VERIFIED,
        NotifyEvent.CLOSED,
    }


def test_webhooks_hear_their_team_their_customer_and_their_events_only(
    hospital: Customer, cast: Cast
) -> None:
    team, other_team = TeamFactory.create(), TeamFactory.create()
    url = "https://oapi.dingtalk.com/robot/send?access_token="
    ours = Webhook.objects.create(name="运维群", kind=WebhookKind.DINGTALK, url=url + "a", team=team)
    theirs = Webhook.objects.create(name="别组", kind=WebhookKind.DINGTALK, url=url + "b", team=other_team)
    customer_group = Webhook.objects.create(
        name="医院群", kind=WebhookKind.WECOM, url=url + "c", customer=hospital
    )
    customer_ops = Webhook.objects.create(
        name="医院项目群",
        kind=WebhookKind.WECOM,
        url=url + "f",
        customer=hospital,
        events=["ticket_assigned"],
    )
    everything = Webhook.objects.create(name="总群", kind=WebhookKind.FEISHU, url=url + "d")
    closures_only = Webhook.objects.create(
        name="结单", kind=WebhookKind.GENERIC, url=url + "e", team=team, events=[NotifyEvent.CLOSED]
    )
    ticket = make_ticket(customer=hospital, cast=cast)
    services.ticket_assign(
        actor=cast.agent, ticket_id=ticket.pk, team_id=team.pk, assignee_id=cast.engineer.pk
    )

    _notify_last(ticket, EventKind.ASSIGNED)

    posted = set(Delivery.objects.filter(channel=Channel.WEBHOOK).values_list("webhook_id", flat=True))
    # A customer's group hears only customer-facing events unless an administrator chose more.
    assert posted == {ours.pk, customer_ops.pk, everything.pk}
    assert theirs.pk not in posted and closures_only.pk not in posted and customer_group.pk not in posted
    post = Delivery.objects.get(webhook=ours)
    assert post.subject.startswith(f"#{ticket.number} ") and post.payload["ticket"]["number"] == ticket.number


def test_a_rule_switched_off_tells_nobody(hospital: Customer, cast: Cast) -> None:
    NotificationRule.objects.filter(event=NotifyEvent.TICKET_ASSIGNED).delete()
    ticket = make_ticket(customer=hospital, status="assigned", cast=cast)

    result = _notify_last(ticket, EventKind.ASSIGNED)

    assert result.in_app == 0 and result.deliveries == []


def test_watchers_hear_of_resolution(hospital: Customer, cast: Cast) -> None:
    watcher = staff_user(role_codes=["support_engineer"], email="li@weibao.test")
    ticket = make_ticket(customer=hospital, status="in_progress", cast=cast)
    Ticket.objects.get(pk=ticket.pk).collaborators.add(watcher)
    services.ticket_resolve(actor=cast.engineer, ticket_id=ticket.pk, analysis="驱动", solution="重装")

    _notify_last(ticket, EventKind.TRANSITION)

    assert Notification.objects.filter(recipient=watcher, kind="ticket_update").exists()
    assert _emails(user=watcher) == []  # the seeded grid: watchers in the app only


def test_a_rule_cell_switched_to_email_adds_email(hospital: Customer, cast: Cast) -> None:
    watcher = staff_user(role_codes=["support_engineer"], email="li@weibao.test")
    NotificationRule.objects.update_or_create(
        event=NotifyEvent.RESOLVED, audience=RuleAudience.WATCHERS, defaults={"in_app": False, "email": True}
    )
    ticket = make_ticket(customer=hospital, status="in_progress", cast=cast)
    Ticket.objects.get(pk=ticket.pk).collaborators.add(watcher)
    services.ticket_resolve(actor=cast.engineer, ticket_id=ticket.pk, analysis="驱动", solution="重装")

    _notify_last(ticket, EventKind.TRANSITION)

    assert not Notification.objects.filter(recipient=watcher).exists()
    assert [d.to_address for d in _emails(user=watcher)] == ["li@weibao.test"]


def test_pending_too_long_tells_once_per_wait(hospital: Customer, cast: Cast) -> None:
    ticket = make_ticket(customer=hospital, status="pending", cast=cast)
    since = Ticket.objects.get(pk=ticket.pk).pending_since
    assert since is not None
    later = since + timedelta(hours=73)

    assert pending_too_long_notify(now=since + timedelta(hours=71)) == 0
    assert pending_too_long_notify(now=later) == 1
    assert pending_too_long_notify(now=later + timedelta(hours=1)) == 0  # the same wait: told already
    note = Notification.objects.get(recipient=cast.engineer, dedupe_key__startswith="pend:")
    assert "72" in note.title

    # Resumed and pending again: a new wait, told again once it is too long.
    services.ticket_resume(actor=cast.engineer, ticket_id=ticket.pk)
    assert Ticket.objects.get(pk=ticket.pk).pending_since is None
    services.ticket_pend(actor=cast.engineer, ticket_id=ticket.pk, reason=PendingReason.THIRD_PARTY)
    again = Ticket.objects.get(pk=ticket.pk).pending_since
    assert again is not None and again > since
    assert pending_too_long_notify(now=again + timedelta(hours=73)) == 1


def test_quiet_hours_window_across_midnight() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from weibao.notifications.quiet import quiet_until

    def at(day: int, hour: int, minute: int = 0) -> datetime:  # Shanghai wall time, handed over in UTC
        return datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)

    window: dict[str, Any] = {"start": time(22, 0), "end": time(7, 30), "time_zone": "Asia/Shanghai"}
    assert quiet_until(now=at(20, 21, 59), **window) is None
    late = quiet_until(now=at(20, 23), **window)
    early = quiet_until(now=at(21, 6), **window)
    assert late == early == at(21, 7, 30)
    assert quiet_until(now=at(21, 7, 30), **window) is None
    assert quiet_until(now=at(20, 12), start=time(12), end=time(14), time_zone="Asia/Shanghai") == at(20, 14)
    assert quiet_until(now=at(20, 12), start=None, end=None, time_zone="") is None


def test_an_inactive_user_is_never_told(hospital: Customer, cast: Cast) -> None:
    ticket = make_ticket(customer=hospital, status="assigned", cast=cast)
    User.objects.filter(pk=cast.engineer.pk).update(is_active=False)

    result = _notify_last(ticket, EventKind.ASSIGNED)

    assert result.in_app == 0 and result.deliveries == []


def test_the_fan_out_costs_the_same_queries_for_3_or_12_recipients(
    hospital: Customer, contact: Contact, cast: Cast
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def fan_out_queries(members: int) -> int:
        team = TeamFactory.create()
        team.members.add(
            *[staff_user(role_codes=["agent"], email=f"m{members}-{i}@weibao.test") for i in range(members)]
        )
        NotificationRule.objects.update_or_create(
            event=NotifyEvent.TICKET_ASSIGNED,
            audience=RuleAudience.TEAM,
            defaults={"in_app": True, "email": True},
        )
        Webhook.objects.create(
            name=f"群{members}", kind=WebhookKind.WECOM, url="https://qyapi.example/x", team=team
        )
        ticket = make_ticket(customer=hospital, contact_id=contact.pk, cast=cast)
        services.ticket_assign(
            actor=cast.agent, ticket_id=ticket.pk, team_id=team.pk, assignee_id=cast.engineer.pk
        )
        event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNED).latest("id")
        with CaptureQueriesContext(connection) as queries:
            result = ticket_event_notify(event_id=event.pk)
        assert len(result.deliveries) == members + 2  # each member + the assignee by email, the robot
        return len(queries.captured_queries)

    assert fan_out_queries(3) == fan_out_queries(12)


def test_each_recipient_reads_the_mail_in_their_own_language(hospital: Customer, cast: Cast) -> None:
    User.objects.filter(pk=cast.engineer.pk).update(language="en")
    chinese = staff_user(role_codes=["support_engineer"], email="li@weibao.test", language="zh-hans")
    ticket = make_ticket(customer=hospital, status="in_progress", cast=cast)
    Ticket.objects.get(pk=ticket.pk).collaborators.add(chinese)
    NotificationRule.objects.update_or_create(
        event=NotifyEvent.RESOLVED, audience=RuleAudience.WATCHERS, defaults={"in_app": True, "email": True}
    )
    NotificationRule.objects.update_or_create(
        event=NotifyEvent.RESOLVED, audience=RuleAudience.ASSIGNEE, defaults={"in_app": True, "email": True}
    )
    manager = staff_user(role_codes=["service_manager"])  # works on any ticket: not the assignee
    services.ticket_resolve(actor=manager, ticket_id=ticket.pk, analysis="驱动", solution="重装")

    _notify_last(ticket, EventKind.TRANSITION)

    english = Delivery.objects.get(user=cast.engineer)
    assert english.language == "en" and english.subject.startswith(f"[#{ticket.number}] Resolved: ")
    assert "Customer: " in english.body and "Open the ticket" in english.html_body
    zh = Delivery.objects.get(user=chinese)
    assert zh.language == "zh-hans" and zh.subject.startswith(f"【工单 #{ticket.number}】已解决：")
    assert "客户: " in zh.body
    assert Notification.objects.get(recipient=cast.engineer).title == f"#{ticket.number}: Resolved"


def test_an_sla_breach_is_emailed_by_the_rules_without_a_second_in_app_row(cast: Cast) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from weibao.tickets.models import SlaAlert
    from weibao.tickets.services.notify import sla_alert_notify
    from weibao.tickets.services.sla_delivery import sla_deliver
    from weibao.tickets.services.sla_sweep import sla_sweep

    start = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(status="assigned", cast=cast, is_emergency=True)
    with time_machine.travel(start + timedelta(minutes=16), tick=False):  # the 15-minute response target
        sla_sweep()
        sla_deliver()
        alert = SlaAlert.objects.filter(clock__ticket=ticket, rule__value=0).get()
        in_app_before = Notification.objects.filter(recipient=cast.engineer).count()
        result = sla_alert_notify(alert_id=alert.pk)
        again = sla_alert_notify(alert_id=alert.pk)

    mail = Delivery.objects.get(user=cast.engineer, event=NotifyEvent.SLA_BREACH)
    assert mail.is_critical and f"#{ticket.number}" in mail.subject
    assert result.deliveries == [mail.pk] and again.deliveries == []
    # The escalation rule told the engineer in the app already, under the same key: no second row.
    assert Notification.objects.filter(recipient=cast.engineer).count() == in_app_before
