"""HTML pages of the service desk: who may open what, forms and their errors, every action form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from weibao.accounts.tests.factories import TeamFactory, staff_user
from weibao.customers.tests.factories import (
    ContactFactory,
    CustomerFactory,
    DeliveredSystemFactory,
    SystemModuleFactory,
    portal_user,
)
from weibao.tickets import services
from weibao.tickets.choices import Level, PendingReason, Status
from weibao.tickets.models import Category, DeskSettings, PriorityRule, Ticket, TicketComment, TicketEvent
from weibao.tickets.tests.factories import Cast, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return Cast()


@pytest.fixture
def customer() -> Any:
    return CustomerFactory()


class PageClient(Client):
    """The test client with responses typed loosely (``url``, ``context``, ``streaming_content``)."""

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return super().get(*args, **kwargs)

    def post(self, *args: Any, **kwargs: Any) -> Any:
        return super().post(*args, **kwargs)


def login(user: Any, *, language: str = "en") -> PageClient:
    client = PageClient()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def new_customer() -> Any:
    return CustomerFactory()


def new_team() -> Any:
    return TeamFactory()


def local_input(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


# --- console ---------------------------------------------------------------------------------------


def test_console_lists_tickets_for_staff(cast: Cast, customer: Any) -> None:
    ticket = make_ticket(cast=cast, customer=customer, title="PACS 影像无法调阅")
    response = login(cast.agent).get(reverse("tickets:console"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"#{ticket.number}" in body
    assert "PACS 影像无法调阅" in body
    assert 'data-testid="queue-open"' in body
    assert 'data-testid="ticket-table"' in body


@pytest.mark.parametrize("role", ["agent", "support_engineer", "finance", "service_manager", "admin"])
def test_console_renders_for_every_staff_role(role: str) -> None:
    assert login(staff_user(role_codes=[role])).get(reverse("tickets:console")).status_code == 200


def test_console_redirects_portal_users_and_anonymous(customer: Any) -> None:
    response = login(portal_user(customer=customer)).get(reverse("tickets:console"))
    assert response.status_code == 302
    assert response.url == reverse("tickets:portal_list")
    anonymous = PageClient().get(reverse("tickets:console"))
    assert anonymous.status_code == 302
    assert reverse("accounts:login") in anonymous.url


def test_console_filters_and_htmx_partial(cast: Cast, customer: Any) -> None:
    pending = make_ticket(cast=cast, customer=customer, status=Status.PENDING, title="等待客户")
    new = make_ticket(cast=cast, customer=customer, title="新工单")
    client = login(cast.agent)
    response = client.get(reverse("tickets:console"), {"queue": "all", "status": ["pending"]})
    body = response.content.decode()
    assert f'data-number="{pending.number}"' in body
    assert f'data-number="{new.number}"' not in body
    assert "Waiting for the customer" in body  # a pending ticket shows its reason

    partial = client.get(
        reverse("tickets:console"), {"queue": "all", "assignee": "none"}, HTTP_HX_REQUEST="true"
    )
    text = partial.content.decode()
    assert partial.status_code == 200
    assert "<html" not in text
    assert 'id="ticket-table"' in text
    assert f'data-number="{new.number}"' in text
    assert f'data-number="{pending.number}"' not in text


def test_console_keyset_pages_and_sorting(cast: Cast, customer: Any) -> None:
    tickets = [make_ticket(cast=cast, customer=customer, title=f"工单{i}") for i in range(3)]
    client = login(cast.agent)
    from weibao.tickets.views import console as console_views

    original = console_views.PAGE_SIZE
    console_views.PAGE_SIZE = 2
    try:
        first = client.get(reverse("tickets:console"), {"queue": "all", "sort": "+number"})
        assert first.context["page"].next_cursor
        numbers = [t.number for t in first.context["page"].items]
        assert numbers == [tickets[0].number, tickets[1].number]
        second = client.get(
            reverse("tickets:console"),
            {"queue": "all", "sort": "+number", "cursor": first.context["page"].next_cursor},
        )
        assert [t.number for t in second.context["page"].items] == [tickets[2].number]
        assert 'data-testid="page-first"' in second.content.decode()
    finally:
        console_views.PAGE_SIZE = original


def test_console_survives_bad_query_values(cast: Cast) -> None:
    client = login(cast.agent)
    response = client.get(
        reverse("tickets:console"), {"status": "bogus", "sort": "evil", "cursor": "!!!", "assignee": "x"}
    )
    assert response.status_code == 200


def test_console_text_search(cast: Cast, customer: Any) -> None:
    hit = make_ticket(cast=cast, customer=customer, title="检验科打印机卡纸")
    miss = make_ticket(cast=cast, customer=customer, title="门诊收费异常")
    body = login(cast.agent).get(reverse("tickets:console"), {"queue": "all", "q": "打印机"}).content.decode()
    assert f'data-number="{hit.number}"' in body
    assert f'data-number="{miss.number}"' not in body


# --- log a call ------------------------------------------------------------------------------------


def test_log_call_page_roles(customer: Any) -> None:
    assert login(staff_user(role_codes=["agent"])).get(reverse("tickets:log_call")).status_code == 200
    assert login(staff_user(role_codes=["finance"])).get(reverse("tickets:log_call")).status_code == 403
    assert login(portal_user(customer=customer)).get(reverse("tickets:log_call")).status_code == 403


def test_log_call_creates_ticket_and_redirects(cast: Cast, customer: Any) -> None:
    system: Any = DeliveredSystemFactory(customer=customer)
    module: Any = SystemModuleFactory(system=system)
    contact: Any = ContactFactory(customer=customer, phone="13911112222")
    category = Category.objects.get(code="technical-network")
    reported = timezone.now() - timedelta(hours=2)
    data = {
        "channel": "phone",
        "customer": customer.pk,
        "contact": contact.pk,
        "system": system.pk,
        "module": module.pk,
        "title": "住院部网络中断",
        "description": "三楼护士站无法上网",
        "reported_at": local_input(reported),
        "category": category.pk,
        "urgency": Level.HIGH,
        "impact": Level.HIGH,
        "needs_onsite": "on",
        "attachments": [SimpleUploadedFile("error.png", b"\x89PNG data", content_type="image/png")],
    }
    response = login(cast.agent).post(reverse("tickets:log_call"), data)
    ticket = Ticket.objects.get(title="住院部网络中断")
    # A visit is needed: the on-site clock runs from the report time (SLA-1).
    assert ticket.needs_onsite
    assert ticket.sla_clocks.filter(kind="onsite").exists()
    assert response.status_code == 302
    assert response.url == reverse("tickets:detail", args=[ticket.number])
    assert ticket.customer == customer
    assert ticket.module == module
    assert ticket.category == category
    assert ticket.reporter_phone == "13911112222"
    assert ticket.attachments.count() == 1
    # The browser sends local time (Asia/Shanghai); it is stored as the same instant.
    assert abs((ticket.reported_at - reported).total_seconds()) < 60


def test_log_call_shows_service_errors_beside_fields(cast: Cast, customer: Any) -> None:
    data = {
        "channel": "phone",
        "customer": customer.pk,
        "title": "未来的电话",
        "reported_at": local_input(timezone.now() + timedelta(days=1)),
        "urgency": 2,
        "impact": 2,
    }
    response = login(cast.agent).post(reverse("tickets:log_call"), data)
    assert response.status_code == 422
    assert response.context["form"].errors["reported_at"] == ["This time cannot be in the future."]
    assert 'data-testid="error-reported_at"' in response.content.decode()
    assert not Ticket.objects.exists()


def test_log_call_form_errors_and_foreign_system(cast: Cast, customer: Any) -> None:
    foreign: Any = DeliveredSystemFactory()
    response = login(cast.agent).post(
        reverse("tickets:log_call"),
        {"channel": "phone", "customer": customer.pk, "system": foreign.pk, "title": ""},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "title" in errors
    assert "system" in errors
    assert not Ticket.objects.exists()


@override_settings(ATTACHMENT_MAX_BYTES=10)
def test_log_call_too_large_attachment_is_413_beside_the_field(cast: Cast, customer: Any) -> None:
    data = {
        "channel": "phone",
        "customer": customer.pk,
        "title": "大附件",
        "urgency": 2,
        "impact": 2,
        "attachments": [SimpleUploadedFile("big.log", b"x" * 100)],
    }
    response = login(cast.agent).post(reverse("tickets:log_call"), data)
    assert response.status_code == 413
    assert "attachments" in response.context["form"].errors
    assert not Ticket.objects.exists()


def test_log_call_options_are_limited_to_the_customer(cast: Cast, customer: Any) -> None:
    mine: Any = DeliveredSystemFactory(customer=customer, name="HIS-mine")
    module: Any = SystemModuleFactory(system=mine, name="挂号模块")
    DeliveredSystemFactory(name="HIS-other")
    response = login(cast.agent).get(
        reverse("tickets:log_call_options"), {"customer": customer.pk, "system": mine.pk}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="customer-fields"' in body
    assert "HIS-mine" in body
    assert "HIS-other" not in body
    assert module.name in body


def test_log_call_shows_priority_matrix(cast: Cast) -> None:
    body = login(cast.agent).get(reverse("tickets:log_call")).content.decode()
    assert 'id="priority-matrix"' in body
    assert 'data-testid="priority-preview"' in body
    assert 'data-testid="submit-ticket"' in body


# --- ticket page -------------------------------------------------------------------------------------


def test_ticket_page_for_staff_shows_actions_and_internal_notes(cast: Cast, customer: Any) -> None:
    ticket = make_ticket(cast=cast, customer=customer)
    services.comment_create(actor=cast.agent, ticket_id=ticket.pk, body="内部备注：客户很着急", internal=True)
    response = login(cast.agent).get(reverse("tickets:detail", args=[ticket.number]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="action-assign"' in body
    assert 'data-testid="form-assign"' in body
    assert 'data-testid="action-start"' not in body  # not allowed in "new"
    assert "内部备注" in body
    assert 'data-visibility="internal"' in body
    assert 'data-testid="reply-form"' in body
    assert 'name="internal"' in body


def test_ticket_page_for_portal_hides_internal_parts(cast: Cast, customer: Any) -> None:
    ticket = make_ticket(cast=cast, customer=customer, status=Status.ASSIGNED)
    services.comment_create(actor=cast.agent, ticket_id=ticket.pk, body="内部备注", internal=True)
    services.comment_create(actor=cast.agent, ticket_id=ticket.pk, body="已安排工程师")
    response = login(portal_user(customer=customer)).get(reverse("tickets:detail", args=[ticket.number]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "已安排工程师" in body
    assert "内部备注" not in body
    assert 'name="internal"' not in body
    assert 'data-testid="action-assign"' not in body
    assert 'data-testid="reply-form"' in body


def test_portal_user_cannot_open_another_customers_ticket(cast: Cast, customer: Any) -> None:
    ticket = make_ticket(cast=cast, customer=customer)
    stranger = portal_user(customer=new_customer())
    client = login(stranger)
    assert client.get(reverse("tickets:detail", args=[ticket.number])).status_code == 404
    response = client.post(reverse("tickets:action", args=[ticket.number, "comment"]), {"body": "hi"})
    assert response.status_code == 404
    assert not TicketComment.objects.filter(ticket=ticket).exists()


def test_ticket_page_unknown_number_and_anonymous(cast: Cast) -> None:
    assert login(cast.agent).get(reverse("tickets:detail", args=[999999])).status_code == 404
    ticket = make_ticket(cast=cast)
    response = PageClient().get(reverse("tickets:detail", args=[ticket.number]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_ticket_page_sanitises_description(cast: Cast) -> None:
    ticket = make_ticket(
        cast=cast,
        description='<p>ok</p><script>alert("x")</script><img src=x onerror=alert(1)>',
        description_is_html=True,
    )
    services.comment_create(
        actor=cast.agent, ticket_id=ticket.pk, body="<b>bold</b><script>evil()</script>", body_is_html=True
    )
    body = login(cast.agent).get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert "<script>alert" not in body
    assert "evil()" not in body
    assert "onerror" not in body
    assert "<b>bold</b>" in body


def test_ticket_title_is_escaped(cast: Cast) -> None:
    ticket = make_ticket(cast=cast, title="<script>alert(1)</script>")
    body = login(cast.agent).get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_timeline_shows_labels_old_to_new(cast: Cast) -> None:
    ticket = make_ticket(cast=cast, status=Status.PENDING)
    response = login(cast.agent).get(reverse("tickets:detail", args=[ticket.number]))
    timeline = response.content.decode().split('data-testid="timeline"')[1]
    assert "In progress" in timeline
    assert "Pending" in timeline
    assert "Waiting for the customer" in timeline
    assert "in_progress" not in timeline.replace('data-kind="', "")


def test_attachment_download_is_scoped_and_never_inline(cast: Cast, customer: Any) -> None:
    ticket = make_ticket(
        cast=cast,
        customer=customer,
        attachments=[SimpleUploadedFile("日志.txt", b"hello", content_type="text/html")],
    )
    attachment = ticket.attachments.get()
    url = reverse("tickets:attachment_download", args=[attachment.pk])
    response = login(portal_user(customer=customer)).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].startswith("text/plain")
    assert b"".join(response.streaming_content) == b"hello"
    assert login(portal_user(customer=new_customer())).get(url).status_code == 404


def test_internal_attachment_hidden_from_portal(cast: Cast, customer: Any) -> None:
    ticket = make_ticket(cast=cast, customer=customer)
    services.comment_create(
        actor=cast.agent,
        ticket_id=ticket.pk,
        body="日志",
        internal=True,
        attachments=[SimpleUploadedFile("secret.log", b"secret")],
    )
    attachment = ticket.attachments.get()
    url = reverse("tickets:attachment_download", args=[attachment.pk])
    assert login(portal_user(customer=customer)).get(url).status_code == 404
    assert login(cast.agent).get(url).status_code == 200


# --- actions -----------------------------------------------------------------------------------------


def _future() -> str:
    return local_input(timezone.now() + timedelta(days=1))


# (action, starting status, who acts, form data, expected status afterwards or None = unchanged)
ACTION_CASES: list[tuple[str, str, str, dict[str, Any], str | None]] = [
    (
        "assign",
        Status.NEW,
        "agent",
        {"assignee": "ENGINEER", "deadline": "FUTURE", "requirements": "今天处理"},
        Status.ASSIGNED,
    ),
    ("start", Status.ASSIGNED, "engineer", {}, Status.IN_PROGRESS),
    (
        "pend",
        Status.IN_PROGRESS,
        "engineer",
        {"reason": PendingReason.THIRD_PARTY, "note": "等厂家"},
        Status.PENDING,
    ),
    ("resume", Status.PENDING, "engineer", {"note": "厂家已回复"}, Status.IN_PROGRESS),
    (
        "resolve",
        Status.IN_PROGRESS,
        "engineer",
        {"analysis": "驱动损坏", "solution": "重装"},
        Status.RESOLVED,
    ),
    ("verify", Status.RESOLVED, "agent", {"note": "已电话确认"}, Status.VERIFIED),
    ("close", Status.VERIFIED, "agent", {"score": "4", "comment": "代客户确认"}, Status.CLOSED),
    ("close", Status.VERIFIED, "portal", {"score": "5", "comment": "很满意"}, Status.CLOSED),
    ("rate", Status.CLOSED, "portal", {"score": "3", "comment": "还行"}, None),
    ("reopen", Status.CLOSED, "portal", {"reason": "问题又出现了"}, Status.ASSIGNED),
    ("cancel", Status.NEW, "agent", {"reason": "误报"}, Status.CANCELLED),
    ("merge", Status.NEW, "agent", {"into_ticket": "OTHER", "note": "重复"}, Status.CLOSED),
    ("escalate", Status.IN_PROGRESS, "engineer", {"to_user": "AGENT", "reason": "需要网络组"}, None),
    ("add_collaborator", Status.IN_PROGRESS, "agent", {"user": "AGENT", "note": "协助"}, None),
    ("progress", Status.IN_PROGRESS, "agent", {"body": "已电话告知客户进展"}, None),
    ("comment", Status.IN_PROGRESS, "agent", {"body": "请提供截图"}, None),
    ("comment", Status.IN_PROGRESS, "agent", {"body": "内部讨论", "internal": "on"}, None),
    ("comment", Status.IN_PROGRESS, "portal", {"body": "截图已上传"}, None),
    ("note", Status.IN_PROGRESS, "engineer", {"body": "内部备注"}, None),
    (
        "edit",
        Status.NEW,
        "agent",
        {"title": "新标题", "urgency": "1", "impact": "1", "reported_at": "REPORTED"},
        None,
    ),
]


@pytest.mark.parametrize(("action", "start", "who", "data", "expected"), ACTION_CASES)
def test_every_action_form_posts_and_redirects(
    cast: Cast, customer: Any, action: str, start: str, who: str, data: dict[str, Any], expected: str | None
) -> None:
    portal = portal_user(customer=customer)
    ticket = make_ticket(cast=cast, customer=customer, status=start)
    if action == "rate":
        ticket = make_ticket(cast=cast, customer=customer, status=Status.CLOSED)
    actors = {"agent": cast.agent, "engineer": cast.engineer, "portal": portal}
    replacements = {
        "ENGINEER": str(cast.engineer.pk),
        "AGENT": str(cast.agent.pk),
        "FUTURE": _future(),
        "REPORTED": local_input(ticket.reported_at),
    }
    if action == "merge":
        replacements["OTHER"] = str(make_ticket(cast=cast, customer=customer).number)
    payload = {k: replacements.get(v, v) if isinstance(v, str) else v for k, v in data.items()}
    payload["version"] = ticket.version
    events_before = TicketEvent.objects.filter(ticket=ticket).count()

    client = login(actors[who])
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    if action not in ("comment", "note"):
        assert f'data-testid="action-{action}"' in page  # the button is offered to this viewer
    response = client.post(reverse("tickets:action", args=[ticket.number, action]), payload)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url.startswith(reverse("tickets:detail", args=[ticket.number]))
    ticket.refresh_from_db()
    if expected is not None:
        assert ticket.status == expected
    assert TicketEvent.objects.filter(ticket=ticket).count() > events_before
    follow = client.get(response.url)
    assert follow.status_code == 200
    assert 'role="alert"' in follow.content.decode()


def _snapshot(ticket: Ticket) -> tuple[Any, ...]:
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.version,
        ticket.assignee_id,
        TicketEvent.objects.filter(ticket=ticket).count(),
        TicketComment.objects.filter(ticket=ticket).count(),
    )


def test_stale_version_is_409_with_reload_hint_and_writes_nothing(cast: Cast) -> None:
    ticket = make_ticket(cast=cast)
    stale = ticket.version
    services.ticket_update(actor=cast.agent, ticket_id=ticket.pk, changes={"title": "别人改过"})
    before = _snapshot(ticket)
    response = login(cast.agent).post(
        reverse("tickets:action", args=[ticket.number, "assign"]),
        {"assignee": cast.engineer.pk, "version": stale},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert 'data-testid="conflict-alert"' in body
    assert 'data-testid="reload-ticket"' in body
    assert _snapshot(ticket) == before


def test_invalid_transition_is_409_and_writes_nothing(cast: Cast) -> None:
    ticket = make_ticket(cast=cast, status=Status.RESOLVED)
    before = _snapshot(ticket)
    response = login(cast.agent).post(
        reverse("tickets:action", args=[ticket.number, "cancel"]), {"reason": "x", "version": ticket.version}
    )
    assert response.status_code == 409
    assert _snapshot(ticket) == before


def test_missing_required_text_is_shown_beside_the_field(cast: Cast) -> None:
    ticket = make_ticket(cast=cast, status=Status.IN_PROGRESS)
    before = _snapshot(ticket)
    response = login(cast.engineer).post(
        reverse("tickets:action", args=[ticket.number, "resolve"]),
        {"analysis": "找到原因", "solution": "  ", "version": ticket.version},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["solution"] == ["Describe the solution."]
    assert 'data-testid="error-solution"' in response.content.decode()
    assert _snapshot(ticket) == before


def test_wrong_role_action_is_403_and_writes_nothing(cast: Cast, customer: Any) -> None:
    ticket = make_ticket(cast=cast, customer=customer, status=Status.RESOLVED)
    before = _snapshot(ticket)
    response = login(portal_user(customer=customer)).post(
        reverse("tickets:action", args=[ticket.number, "verify"]),
        {"note": "我自己确认", "version": ticket.version},
    )
    assert response.status_code == 403
    assert _snapshot(ticket) == before


def test_reassign_without_reason_is_a_conflict(cast: Cast) -> None:
    ticket = make_ticket(cast=cast, status=Status.ASSIGNED)
    other = staff_user(role_codes=["ops_engineer"])
    before = _snapshot(ticket)
    response = login(cast.agent).post(
        reverse("tickets:action", args=[ticket.number, "assign"]),
        {"assignee": other.pk, "version": ticket.version},
    )
    assert response.status_code == 409
    assert _snapshot(ticket) == before
    ok = login(cast.agent).post(
        reverse("tickets:action", args=[ticket.number, "assign"]),
        {"assignee": other.pk, "team": new_team().pk, "reason": "换人", "version": ticket.version},
    )
    assert ok.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == other


def test_merge_into_unknown_or_foreign_ticket_is_a_field_error(cast: Cast, customer: Any) -> None:
    ticket = make_ticket(cast=cast, customer=customer)
    foreign = make_ticket(cast=cast)
    client = login(cast.agent)
    for number in (999999, foreign.number):
        before = _snapshot(ticket)
        response = client.post(
            reverse("tickets:action", args=[ticket.number, "merge"]),
            {"into_ticket": number, "version": ticket.version},
        )
        assert response.status_code == 422
        assert "into_ticket" in response.context["form"].errors
        assert _snapshot(ticket) == before


def test_unknown_action_is_404(cast: Cast) -> None:
    ticket = make_ticket(cast=cast)
    assert (
        login(cast.agent).post(reverse("tickets:action", args=[ticket.number, "explode"])).status_code == 404
    )


def test_action_get_renders_the_form_page(cast: Cast) -> None:
    ticket = make_ticket(cast=cast, status=Status.IN_PROGRESS)
    response = login(cast.engineer).get(reverse("tickets:action", args=[ticket.number, "pend"]))
    assert response.status_code == 200
    assert 'data-testid="form-pend"' in response.content.decode()


def test_comment_with_attachment_and_too_large_one(cast: Cast) -> None:
    ticket = make_ticket(cast=cast, status=Status.IN_PROGRESS)
    client = login(cast.agent)
    url = reverse("tickets:action", args=[ticket.number, "comment"])
    ok = client.post(url, {"body": "见附件", "attachments": [SimpleUploadedFile("a.txt", b"abc")]})
    assert ok.status_code == 302
    assert ticket.attachments.count() == 1
    with override_settings(ATTACHMENT_MAX_BYTES=2):
        before = _snapshot(ticket)
        too_big = client.post(
            url, {"body": "大文件", "attachments": [SimpleUploadedFile("b.txt", b"abcdef")]}
        )
    assert too_big.status_code == 413
    assert "attachments" in too_big.context["form"].errors
    assert _snapshot(ticket) == before


def test_portal_sees_confirm_and_rate_with_stars(cast: Cast, customer: Any) -> None:
    ticket = make_ticket(cast=cast, customer=customer, status=Status.VERIFIED)
    body = (
        login(portal_user(customer=customer))
        .get(reverse("tickets:detail", args=[ticket.number]))
        .content.decode()
    )
    assert 'data-testid="action-close"' in body
    assert 'data-testid="rate-5"' in body
    assert body.count('data-testid="rate-5"') == 1  # one rating form only (close asks for it)
    assert 'data-testid="action-reopen"' in body


# --- portal ------------------------------------------------------------------------------------------


def test_portal_list_shows_only_own_tickets(cast: Cast, customer: Any) -> None:
    mine = make_ticket(cast=cast, customer=customer, title="我的工单")
    other = make_ticket(cast=cast, title="别人的工单")
    client = login(portal_user(customer=customer))
    body = client.get(reverse("tickets:portal_list")).content.decode()
    assert f'data-number="{mine.number}"' in body
    assert f'data-number="{other.number}"' not in body
    filtered = client.get(reverse("tickets:portal_list"), {"status": "closed"}).content.decode()
    assert f'data-number="{mine.number}"' not in filtered
    searched = client.get(reverse("tickets:portal_list"), {"q": "我的"}, HTTP_HX_REQUEST="true")
    assert "<html" not in searched.content.decode()
    assert f'data-number="{mine.number}"' in searched.content.decode()


def test_staff_on_portal_urls_go_to_the_console(cast: Cast) -> None:
    client = login(cast.agent)
    for name in ("tickets:portal_list", "tickets:portal_create"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url == reverse("tickets:console")


def test_portal_create_reports_for_own_customer(customer: Any) -> None:
    system: Any = DeliveredSystemFactory(customer=customer)
    user = portal_user(customer=customer)
    client = login(user)
    page = client.get(reverse("tickets:portal_create")).content.decode()
    assert system.name in page
    assert 'data-testid="submit-ticket"' in page
    response = client.post(
        reverse("tickets:portal_create"),
        {
            "title": "无法登录系统",
            "description": "提示密码错误",
            "system": system.pk,
            "urgency": 1,
            "impact": 3,
        },
    )
    ticket = Ticket.objects.get(title="无法登录系统")
    assert response.status_code == 302
    assert response.url == reverse("tickets:detail", args=[ticket.number])
    assert ticket.customer == customer
    assert ticket.channel == "portal"
    assert ticket.contact == user.contact
    assert (ticket.urgency, ticket.impact) == (1, 3)


def test_portal_create_refuses_other_customers_system(customer: Any) -> None:
    foreign: Any = DeliveredSystemFactory()
    response = login(portal_user(customer=customer)).post(
        reverse("tickets:portal_create"), {"title": "x", "system": foreign.pk, "urgency": 2, "impact": 2}
    )
    assert response.status_code == 400
    assert "system" in response.context["form"].errors
    assert not Ticket.objects.exists()


# --- administration ----------------------------------------------------------------------------------

MANAGE_PAGES = ["tickets:manage_categories", "tickets:manage_matrix", "tickets:manage_settings"]


@pytest.mark.parametrize("name", MANAGE_PAGES)
def test_manage_pages_need_config_manage(name: str, customer: Any) -> None:
    assert login(staff_user(role_codes=["admin"])).get(reverse(name)).status_code == 200
    assert login(staff_user(role_codes=["agent"])).get(reverse(name)).status_code == 403
    assert login(portal_user(customer=customer)).get(reverse(name)).status_code == 403


def test_manage_categories_create_edit_and_errors() -> None:
    client = login(staff_user(role_codes=["admin"]))
    parent = Category.objects.get(code="technical")
    response = client.post(
        reverse("tickets:manage_categories"),
        {
            "code": "technical-printer",
            "name": "打印机",
            "kind": "technical",
            "parent": parent.pk,
            "sort_order": 15,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    created = Category.objects.get(code="technical-printer")
    assert created.parent == parent
    assert created.is_active
    page = client.get(reverse("tickets:manage_category_edit", args=[created.pk]))
    assert page.status_code == 200
    assert "打印机" in page.content.decode()
    edit = client.post(
        reverse("tickets:manage_category_edit", args=[created.pk]),
        {
            "code": "technical-printer",
            "name": "打印机故障",
            "kind": "technical",
            "parent": parent.pk,
            "sort_order": 16,
        },
    )
    assert edit.status_code == 302
    created.refresh_from_db()
    assert created.name == "打印机故障"
    assert not created.is_active
    duplicate = client.post(
        reverse("tickets:manage_categories"),
        {"code": "technical", "name": "重复", "kind": "technical", "sort_order": 1},
    )
    assert duplicate.status_code == 422
    assert "code" in duplicate.context["form"].errors
    wrong_kind = client.post(
        reverse("tickets:manage_categories"),
        {"code": "usage-x", "name": "x", "kind": "usage", "parent": parent.pk, "sort_order": 1},
    )
    assert wrong_kind.status_code == 422
    assert "parent" in wrong_kind.context["form"].errors
    assert client.get(reverse("tickets:manage_category_edit", args=[999999])).status_code == 404


def test_manage_categories_shows_translated_builtin_labels() -> None:
    client = login(staff_user(role_codes=["admin"]), language="en")
    body = client.get(reverse("tickets:manage_categories")).content.decode()
    assert "Network fault" in body


def test_manage_matrix_saves_every_cell() -> None:
    client = login(staff_user(role_codes=["admin"]))
    data = {f"cell_{u}_{i}": 4 for u in (1, 2, 3) for i in (1, 2, 3)}
    data["cell_1_1"] = 1
    assert client.post(reverse("tickets:manage_matrix"), data).status_code == 302
    assert PriorityRule.objects.get(urgency=1, impact=1).priority == 1
    assert PriorityRule.objects.get(urgency=2, impact=2).priority == 4
    bad = client.post(reverse("tickets:manage_matrix"), {**data, "cell_2_2": 9})
    assert bad.status_code == 400
    assert PriorityRule.objects.get(urgency=2, impact=2).priority == 4


def test_manage_settings_saves_and_shows_range_errors() -> None:
    client = login(staff_user(role_codes=["admin"]))
    assert (
        client.post(
            reverse("tickets:manage_settings"), {"auto_close_days": 5, "progress_interval_hours": 12}
        ).status_code
        == 302
    )
    row = DeskSettings.objects.get(pk=1)
    assert (row.auto_close_days, row.progress_interval_hours) == (5, 12)
    bad = client.post(
        reverse("tickets:manage_settings"), {"auto_close_days": 500, "progress_interval_hours": 12}
    )
    assert bad.status_code == 422
    assert "auto_close_days" in bad.context["form"].errors
    row.refresh_from_db()
    assert row.auto_close_days == 5


def test_posts_need_csrf(cast: Cast) -> None:
    ticket = make_ticket(cast=cast)
    client = PageClient(enforce_csrf_checks=True)
    client.force_login(cast.agent)
    response = client.post(reverse("tickets:action", args=[ticket.number, "cancel"]), {"reason": "x"})
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_queue_counts_match_the_lists_with_collaborators_and_teams(cast: Cast, customer: Any) -> None:
    ticket = make_ticket(cast=cast, customer=customer, status=Status.IN_PROGRESS)
    for _ in range(3):
        services.ticket_add_collaborator(
            actor=cast.agent, ticket_id=ticket.pk, user_id=staff_user(role_codes=["ops_engineer"]).pk
        )
    team = new_team()
    team.members.add(cast.engineer, cast.agent)
    services.ticket_assign(
        actor=cast.agent, ticket_id=ticket.pk, assignee_id=cast.engineer.pk, team_id=team.pk, reason="加团队"
    )
    make_ticket(cast=cast, customer=customer)
    for user in (cast.agent, cast.engineer):
        response = login(user).get(reverse("tickets:console_counts"))
        counts = {q["code"]: q["count"] for q in response.context["queues"]}
        assert counts["open"] == 2
        for queue in ("mine", "my_teams", "unassigned"):
            listed = login(user).get(reverse("tickets:console"), {"queue": queue}).context["page"].items
            assert counts[queue] == len(listed), queue


def test_lists_vary_on_hx_request(cast: Cast, customer: Any) -> None:
    assert "HX-Request" in login(cast.agent).get(reverse("tickets:console"))["Vary"]
    assert "HX-Request" in login(portal_user(customer=customer)).get(reverse("tickets:portal_list"))["Vary"]


def test_console_loads_counts_after_the_page(cast: Cast, customer: Any) -> None:
    make_ticket(cast=cast, customer=customer)
    client = login(cast.agent)
    page = client.get(reverse("tickets:console"), {"queue": "open", "priority": "3"}).content.decode()
    assert reverse("tickets:console_counts") in page and 'hx-trigger="load"' in page
    tabs = client.get(reverse("tickets:console_counts"), {"queue": "open", "priority": "3"})
    body = tabs.content.decode()
    assert tabs.status_code == 200 and 'hx-trigger="load"' not in body
    assert {q["code"]: q["count"] for q in tabs.context["queues"]}["open"] == 1
    assert "priority=3" in body  # the tab links keep the active filters
    portal = login(portal_user(customer=customer))
    assert portal.get(reverse("tickets:console_counts")).status_code == 403


def test_system_filter_lists_the_chosen_customers_systems_only(cast: Cast, customer: Any) -> None:
    from weibao.customers.tests.factories import DeliveredSystemFactory

    mine = DeliveredSystemFactory.create(customer=customer, name="HIS-本院")
    other = DeliveredSystemFactory.create(name="HIS-外院")
    client = login(cast.agent)
    page = client.get(reverse("tickets:console")).content.decode()
    assert "HIS-本院" not in page and "HIS-外院" not in page
    options = client.get(
        reverse("tickets:console_system_options"), {"customer": customer.pk}
    ).content.decode()
    assert f'value="{mine.pk}"' in options and f'value="{other.pk}"' not in options
