"""SLA in the pages: console badges and filter, the ticket page's service-level card and its forms,
the compliance report. Times are Asia/Shanghai; 2026-03-02 is an ordinary Monday (cn-workday 08:30-17:30
with a lunch break, normal priority: response 120 working minutes).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from weibao.accounts.tests.factories import staff_user
from weibao.customers.tests.factories import CustomerFactory, portal_user
from weibao.sla.choices import ClockState, TargetKind
from weibao.tickets import services
from weibao.tickets.choices import Priority
from weibao.tickets.models import SlaBreach, SlaClock, Ticket
from weibao.tickets.tests.factories import Cast, make_ticket

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc,arg-type]


def client_for(user: Any) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the countdown texts are asserted in English
    client.force_login(user)
    return client


def _late_response(cast: Cast, **fields: Any) -> Ticket:
    """A ticket reported Monday 09:00 whose first reply came at 11:25: the response target breached."""
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(cast=cast, status="assigned", **fields)
    with time_machine.travel(at(2026, 3, 2, 11, 25), tick=False):
        services.comment_create(actor=cast.agent, ticket_id=ticket.pk, body="抱歉回复晚了")
    ticket.refresh_from_db()
    return ticket


# --------------------------------------------------------------------------- console


def test_console_row_shows_a_countdown_badge_with_the_deadline() -> None:
    cast = Cast()
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(cast=cast)
    with time_machine.travel(at(2026, 3, 2, 9, 45), tick=False):
        html = client_for(cast.agent).get(reverse("tickets:console"), {"queue": "all"}).content.decode()
    assert 'data-sla-formats="' in html
    assert 'data-sla-state="running"' in html
    assert f'data-sla-due="{ticket.sla_due_at.isoformat()}"' in html  # type: ignore[union-attr]
    assert "1h 15m left" in html


def test_console_badge_turns_red_when_overdue_and_grey_while_paused() -> None:
    cast = Cast()
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        late = make_ticket(cast=cast, title="overdue one")
        paused = make_ticket(cast=cast, status="pending", title="paused one")
        services.comment_create(actor=cast.agent, ticket_id=paused.pk, body="已收到")
    with time_machine.travel(at(2026, 3, 2, 11, 35), tick=False):
        html = client_for(cast.agent).get(reverse("tickets:console"), {"queue": "all"}).content.decode()
    assert late.number and 'data-sla-state="overdue"' in html and "overdue 35m" in html
    assert 'data-sla-state="paused"' in html


def test_console_sla_filter_lists_breached_or_at_risk_tickets() -> None:
    cast = Cast()
    breached = _late_response(cast, title="late")
    with time_machine.travel(at(2026, 3, 2, 11, 30), tick=False):
        fresh = make_ticket(cast=cast, title="fresh")
        response = client_for(cast.agent).get(reverse("tickets:console"), {"queue": "all", "sla": "breached"})
    numbers = {row.number for row in response.context["page"].items}
    assert breached.number in numbers and fresh.number not in numbers
    assert 'data-testid="filter-sla"' in response.content.decode()


# --------------------------------------------------------------------------- ticket page


def test_ticket_page_shows_the_service_level_card_with_segments() -> None:
    cast = Cast()
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(cast=cast, status="pending")
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        response = client_for(cast.agent).get(reverse("tickets:detail", args=[ticket.number]))
    html = response.content.decode()
    assert 'data-testid="sla-card"' in html
    assert 'data-kind="response"' in html and 'data-kind="resolution"' in html
    assert 'data-testid="sla-segments"' in html
    assert 'data-testid="sla-segment" data-kind="paused"' in html


def test_portal_user_sees_badges_but_no_segments_alerts_or_breach_reasons() -> None:
    cast = Cast()
    customer: Any = CustomerFactory()
    ticket = _late_response(cast, customer=customer)
    services.ticket_explain_breach(
        actor=cast.engineer, ticket_id=ticket.pk, kind=TargetKind.RESPONSE, reason="内部原因：电话占线"
    )
    html = client_for(portal_user(customer=customer)).get(reverse("tickets:detail", args=[ticket.number]))
    text = html.content.decode()
    assert 'data-testid="sla-card"' in text and 'data-testid="sla-badge"' in text
    assert "sla-segments" not in text and "sla-breaches" not in text and "sla-alerts" not in text
    assert "电话占线" not in text


def test_arrival_form_meets_the_onsite_target() -> None:
    cast = Cast()
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(cast=cast, is_emergency=True, needs_onsite=True, status="assigned")
    client = client_for(cast.agent)
    with time_machine.travel(at(2026, 3, 2, 11, 0), tick=False):
        page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
        assert 'data-testid="form-arrive"' in page
        assert 'value="2026-03-02T11:00"' in page  # defaults to now
        response = client.post(
            reverse("tickets:action", args=[ticket.number, "arrive"]),
            {"arrived_at": "2026-03-02T10:30", "version": ticket.version},
        )
    assert response.status_code == 302 and response["Location"].endswith("#sla")
    onsite = SlaClock.objects.get(ticket=ticket, kind=TargetKind.ONSITE)
    assert onsite.state == ClockState.MET and not onsite.is_breached
    assert onsite.met_at == at(2026, 3, 2, 10, 30)
    with time_machine.travel(at(2026, 3, 2, 11, 5), tick=False):
        page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert 'data-testid="form-arrive"' not in page


def test_arrival_in_the_future_is_refused_beside_the_field() -> None:
    cast = Cast()
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(cast=cast, is_emergency=True, needs_onsite=True, status="assigned")
        response = client_for(cast.agent).post(
            reverse("tickets:action", args=[ticket.number, "arrive"]),
            {"arrived_at": "2026-03-02T12:00", "version": ticket.version},
        )
    assert response.status_code in (400, 422)
    assert 'data-testid="error-arrived_at"' in response.content.decode()
    assert SlaClock.objects.get(ticket=ticket, kind=TargetKind.ONSITE).state == ClockState.RUNNING


def test_explain_form_saves_the_reason_of_a_breach() -> None:
    cast = Cast()
    ticket = _late_response(cast)
    client = client_for(cast.engineer)
    with time_machine.travel(at(2026, 3, 2, 12, 0), tick=False):
        page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
        assert 'data-testid="form-explain-response"' in page
        response = client.post(
            reverse("tickets:action", args=[ticket.number, "explain_breach"]),
            {"kind": "response", "reason": "电话占线"},
        )
    assert response.status_code == 302
    assert SlaBreach.objects.get(ticket=ticket).reason == "电话占线"


def test_explain_without_a_reason_is_refused_beside_the_field() -> None:
    cast = Cast()
    ticket = _late_response(cast)
    response = client_for(cast.engineer).post(
        reverse("tickets:action", args=[ticket.number, "explain_breach"]), {"kind": "response", "reason": ""}
    )
    assert response.status_code in (400, 422)
    assert 'data-testid="error-reason"' in response.content.decode()
    assert SlaBreach.objects.get(ticket=ticket).reason == ""


def test_edit_form_sets_needs_onsite_and_keeps_the_policy_unless_chosen() -> None:
    cast = Cast()
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        ticket = make_ticket(cast=cast, is_emergency=True)
        response = client_for(cast.agent).post(
            reverse("tickets:action", args=[ticket.number, "edit"]),
            {
                "version": ticket.version,
                "title": ticket.title,
                "urgency": ticket.urgency,
                "impact": ticket.impact,
                "is_emergency": "on",
                "reported_at": "2026-03-02T09:00",
                "needs_onsite": "on",
                "sla_policy": ticket.sla_policy_id,
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket.refresh_from_db()
    assert ticket.needs_onsite
    assert SlaClock.objects.filter(ticket=ticket, kind=TargetKind.ONSITE).exists()


# --------------------------------------------------------------------------- compliance


def _compliance_fixture() -> tuple[Cast, Ticket, Ticket]:
    cast = Cast()
    late = _late_response(cast, title="late")
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        on_time = make_ticket(cast=cast, title="on time")
    with time_machine.travel(at(2026, 3, 2, 9, 30), tick=False):
        services.comment_create(actor=cast.agent, ticket_id=on_time.pk, body="已收到")
    return cast, late, on_time


def test_compliance_page_counts_met_breached_and_open_targets() -> None:
    _cast, late, on_time = _compliance_fixture()
    manager = staff_user(role_codes=["service_manager"])
    with time_machine.travel(at(2026, 3, 20, 12, 0), tick=False):
        response = client_for(manager).get(
            reverse("tickets:sla_compliance"), {"date_from": "2026-03-01", "date_to": "2026-03-31"}
        )
    assert response.status_code == 200
    total = response.context["report"].total
    # Two responses due (one met, one breached) and two resolutions due on 3 March, now overdue.
    assert (total.total, total.met) == (4, 1)
    assert total.breached == 3 and total.open == 0
    html = response.content.decode()
    assert 'data-testid="compliance-total"' in html
    assert f"#{late.number}" in html and 'data-testid="breach-row" data-kind="response"' in html
    # Overdue running clocks count as breached at once; their breach rows come with the sweeper.
    assert f"#{on_time.number}</a>" not in html


def test_compliance_page_defaults_to_this_month_and_groups_by_priority() -> None:
    _compliance_fixture()
    manager = staff_user(role_codes=["service_manager"])
    with time_machine.travel(at(2026, 3, 2, 12, 0), tick=False):
        response = client_for(manager).get(reverse("tickets:sla_compliance"), {"group_by": "priority"})
    assert response.context["date_from"].isoformat() == "2026-03-01"
    assert response.context["group_by"] == "priority"
    assert [row.key for row in response.context["report"].rows] == [Priority.NORMAL]


def test_agent_without_the_report_permission_gets_403() -> None:
    cast = Cast()
    assert client_for(cast.agent).get(reverse("tickets:sla_compliance")).status_code == 403


def test_portal_user_gets_403_on_compliance() -> None:
    customer: Any = CustomerFactory()
    client = client_for(portal_user(customer=customer))
    assert client.get(reverse("tickets:sla_compliance")).status_code == 403


def test_compliance_page_queries_do_not_grow_with_tickets() -> None:
    manager = staff_user(role_codes=["service_manager"])
    client = client_for(manager)
    url = reverse("tickets:sla_compliance")
    params = {"date_from": "2026-03-01", "date_to": "2026-03-31", "group_by": "engineer"}
    _compliance_fixture()
    with time_machine.travel(at(2026, 3, 20, 12, 0), tick=False), CaptureQueriesContext(connection) as few:
        client.get(url, params)
    for _ in range(4):
        _compliance_fixture()
    with time_machine.travel(at(2026, 3, 20, 12, 0), tick=False), CaptureQueriesContext(connection) as many:
        client.get(url, params)
    assert len(many.captured_queries) == len(few.captured_queries)
