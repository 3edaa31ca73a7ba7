"""Contract tests of the tickets API over HTTP with real Bearer tokens (issue 2: API, bad input, safety)."""

from __future__ import annotations

import json
import typing
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from weibao.accounts.models import Team, User
from weibao.accounts.services import api_token_create
from weibao.accounts.tests.factories import TeamFactory, staff_user
from weibao.customers.models import Customer, DeliveredSystem
from weibao.customers.tests.factories import CustomerFactory, DeliveredSystemFactory, portal_user
from weibao.tickets import services
from weibao.tickets.choices import EventKind, Level, Priority, Status
from weibao.tickets.models import Category, Ticket, TicketAttachment, TicketComment, TicketEvent
from weibao.tickets.tests.factories import Cast, make_ticket

pytestmark = pytest.mark.django_db

BASE = "/api/v1"

TICKET_FIELDS = {
    "id", "number", "status", "priority", "category", "urgency", "impact", "is_emergency", "customer",
    "contact", "system", "module", "site", "assignee", "team", "channel", "title", "description",
    "problem_started_at", "reported_at", "created_at", "updated_at", "pending_reason", "dispatch_deadline",
    "resolved_at", "verified_at", "closed_at", "close_kind", "satisfaction", "merged_into", "progress_due_at",
    "version", "allowed_actions",
}  # fmt: skip


def new_customer() -> Customer:
    return typing.cast(Customer, CustomerFactory())


def new_system(customer: Customer) -> DeliveredSystem:
    return typing.cast(DeliveredSystem, DeliveredSystemFactory(customer=customer))


def new_team() -> Team:
    return typing.cast(Team, TeamFactory())


class Api:
    """A client speaking JSON with one user's Bearer token."""

    def __init__(self, user: User | None) -> None:
        self.user = user
        self.client = Client(raise_request_exception=False)
        self.headers: dict[str, str] = {}
        if user is not None:
            _token, raw = api_token_create(actor=user, name="tests")
            self.headers["Authorization"] = f"Bearer {raw}"

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params, headers=self.headers)

    def send(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body) if body is not None else ""
        call = getattr(self.client, method)
        return call(BASE + path, data=data, content_type="application/json", headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.send("post", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self.send("patch", path, body)

    def put(self, path: str, body: Any) -> Any:
        return self.send("put", path, body)

    def multipart(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(BASE + path, data=data, headers=self.headers)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cast() -> Cast:
    return Cast()


@pytest.fixture
def agent_api(cast: Cast) -> Api:
    return Api(cast.agent)


@pytest.fixture
def engineer_api(cast: Cast) -> Api:
    return Api(cast.engineer)


def _state(ticket: Ticket) -> tuple[int, int, str]:
    ticket.refresh_from_db()
    return ticket.version, TicketEvent.objects.filter(ticket=ticket).count(), ticket.status


def _iso(value: Any) -> str:
    return value.isoformat()


# --------------------------------------------------------------------------- authentication and errors


def test_anonymous_gets_401_in_the_error_shape() -> None:
    response = Api(None).get("/tickets")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert set(response.json()) >= {"detail", "code"}


def test_unknown_or_revoked_token_gets_401(cast: Cast) -> None:
    api = Api(None)
    api.headers["Authorization"] = "Bearer wb_not-a-real-token"
    assert api.get("/tickets").status_code == 401
    api = Api(cast.agent)
    from weibao.accounts.services import api_token_revoke

    for token in cast.agent.api_tokens.all():
        api_token_revoke(actor=cast.agent, token_id=token.pk)
    assert api.get("/tickets").status_code == 401


def test_session_auth_reads_the_api(cast: Cast) -> None:
    ticket = make_ticket(cast=cast)
    client = Client()
    client.force_login(cast.agent)
    response = client.get(f"{BASE}/tickets/{ticket.pk}")
    assert response.status_code == 200
    assert response.json()["number"] == ticket.number


def test_ninja_validation_errors_use_the_error_shape(agent_api: Api) -> None:
    response = agent_api.get("/tickets", limit=0)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["field"] == "limit"
    assert body["detail"]


def test_malformed_json_is_400(agent_api: Api, cast: Cast) -> None:
    ticket = make_ticket(cast=cast)
    response = agent_api.client.post(
        f"{BASE}/tickets/{ticket.pk}/assign",
        data="{nope",
        content_type="application/json",
        headers=agent_api.headers,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    response = agent_api.client.post(
        f"{BASE}/tickets", data="[1]", content_type="application/json", headers=agent_api.headers
    )
    assert response.status_code == 400


def test_unexpected_errors_do_not_leak_details(agent_api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from weibao.tickets import selectors

    def boom(**kwargs: Any) -> Any:
        raise RuntimeError("secret-connection-string")

    monkeypatch.setattr(selectors, "ticket_queue_counts", boom)
    response = agent_api.get("/tickets/counts")
    assert response.status_code == 500
    assert response.json() == {"detail": response.json()["detail"], "code": "server_error"}
    assert b"secret" not in response.content
    assert b"Traceback" not in response.content


# --------------------------------------------------------------------------- create


def test_create_returns_201_with_the_ticket(agent_api: Api) -> None:
    customer = new_customer()
    system = new_system(customer)
    category = Category.objects.filter(is_active=True).first()
    reported = timezone.now() - timedelta(hours=2)
    response = agent_api.post(
        "/tickets",
        {
            "customer_id": customer.pk,
            "system_id": system.pk,
            "title": "PACS 影像无法调阅",
            "description": "<p>放射科<b>全部</b>终端</p><script>alert(1)</script><img src=x onerror=f()>",
            "description_is_html": True,
            "channel": "phone",
            "reported_at": _iso(reported),
            "category_id": category.pk if category else None,
            "urgency": Level.HIGH,
            "impact": Level.HIGH,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= TICKET_FIELDS
    assert body["status"] == Status.NEW
    assert body["channel"] == "phone"
    assert body["customer"] == {"id": customer.pk, "name": customer.name}
    assert body["system"] == {"id": system.pk, "name": system.name}
    assert body["assignee"] is None
    assert body["team"] is None
    assert body["merged_into"] is None
    assert body["urgency"] == 1
    assert body["impact"] == 1
    assert body["priority"] in Priority.values
    assert body["version"] == 1
    assert "assign" in body["allowed_actions"]
    assert "start" not in body["allowed_actions"]
    assert "<script" not in body["description"]
    assert "onerror" not in body["description"]
    assert "<b>全部</b>" in body["description"]
    # ISO 8601 with an offset, the same instant as sent.
    from datetime import datetime

    parsed = datetime.fromisoformat(body["reported_at"])
    assert parsed.utcoffset() is not None
    assert parsed == reported
    assert body["created_at"].endswith("+08:00")
    if category:
        assert body["category"]["id"] == category.pk
        assert body["category"]["code"] == category.code
    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.number == body["number"]
    assert ticket.created_by == agent_api.user


def test_portal_user_creates_for_own_customer(cast: Cast) -> None:
    customer = new_customer()
    api = Api(portal_user(customer=customer))
    response = api.post("/tickets", {"title": "自助机黑屏", "description": "一楼大厅"})
    assert response.status_code == 201, response.content
    assert response.json()["customer"]["id"] == customer.pk
    assert response.json()["channel"] == "api"
    other = new_customer()
    response = api.post("/tickets", {"title": "x", "customer_id": other.pk})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reported_at": "FUTURE"}, "reported_at"),
        ({"reported_at": "2024-05-01T08:00:00"}, "reported_at"),  # naive: no offset
        ({"title": ""}, "title"),
        ({"customer_id": None}, "customer_id"),
        ({"urgency": 7}, "urgency"),
        ({"priority": 1}, "priority"),  # not an input field
    ],
)
def test_create_rejects_bad_input_with_422_naming_the_field(
    agent_api: Api, change: dict[str, Any], field: str
) -> None:
    body: dict[str, Any] = {
        "customer_id": new_customer().pk,
        "title": "网络中断",
        "channel": "phone",
        **change,
    }
    if body.get("reported_at") == "FUTURE":
        body["reported_at"] = _iso(timezone.now() + timedelta(hours=1))
    response = agent_api.post("/tickets", body)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert response.json()["code"]
    assert not Ticket.objects.exists()


def test_create_multipart_with_attachments_and_download(agent_api: Api) -> None:
    customer = new_customer()
    response = agent_api.multipart(
        "/tickets",
        {
            "customer_id": str(customer.pk),
            "title": "打印报错",
            "channel": "phone",
            "is_emergency": "false",
            "attachments": [
                SimpleUploadedFile("错误截图.png", b"\x89PNG fake", content_type="image/png"),
                SimpleUploadedFile("log.txt", b"<html><script>alert(1)</script>", content_type="text/html"),
            ],
        },
    )
    assert response.status_code == 201, response.content
    ticket_id = response.json()["id"]
    listing = agent_api.get(f"/tickets/{ticket_id}/attachments").json()
    assert [a["filename"] for a in listing] == ["错误截图.png", "log.txt"]
    text = next(a for a in listing if a["filename"] == "log.txt")
    assert text["content_type"] == "text/plain"  # from the allowed extension, never the client's header
    download = agent_api.client.get(text["download_url"], headers=agent_api.headers)
    assert download.status_code == 200
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert content == b"<html><script>alert(1)</script>"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_create_with_oversize_attachment_is_413_and_writes_nothing(agent_api: Api, settings: Any) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = agent_api.multipart(
        "/tickets",
        {
            "customer_id": str(new_customer().pk),
            "title": "大文件",
            "attachments": [SimpleUploadedFile("dump.zip", b"x" * 2048)],
        },
    )
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
    assert response.json()["field"] == "attachments"
    assert not Ticket.objects.exists()
    assert not TicketAttachment.objects.exists()


def test_create_with_forbidden_file_type_is_422(agent_api: Api) -> None:
    response = agent_api.multipart(
        "/tickets",
        {
            "customer_id": str(new_customer().pk),
            "title": "病毒",
            "attachments": [SimpleUploadedFile("setup.exe", b"MZ")],
        },
    )
    assert response.status_code == 422
    assert response.json()["code"] == "file_type_not_allowed"
    assert response.json()["field"] == "attachments"
    assert not Ticket.objects.exists()


def test_attach_files_later(agent_api: Api, cast: Cast) -> None:
    ticket = make_ticket(cast=cast)
    response = agent_api.multipart(
        f"/tickets/{ticket.pk}/attachments",
        {
            "attachments": [SimpleUploadedFile("a.pdf", b"%PDF"), SimpleUploadedFile("b.log", b"log")],
            "internal": "true",
        },
    )
    assert response.status_code == 201, response.content
    assert [a["internal"] for a in response.json()] == [True, True]
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ATTACHMENT).count() == 1


# --------------------------------------------------------------------------- read, list, filters, pagination


def test_get_by_id_and_number(agent_api: Api, cast: Cast) -> None:
    ticket = make_ticket(cast=cast)
    assert agent_api.get(f"/tickets/{ticket.pk}").json()["id"] == ticket.pk
    assert agent_api.get(f"/tickets/by-number/{ticket.number}").json()["id"] == ticket.pk
    missing = agent_api.get("/tickets/999999")
    assert missing.status_code == 404
    assert missing.json()["code"] == "ticket_not_found"
    assert agent_api.get("/tickets/by-number/999999").status_code == 404


def test_list_filters(agent_api: Api, cast: Cast) -> None:
    hospital, clinic = new_customer(), new_customer()
    system = new_system(hospital)
    team = new_team()
    new = make_ticket(cast=cast, customer=hospital, system_id=system.pk, title="挂号 打印机故障")
    assigned = make_ticket(cast=cast, customer=hospital, status=Status.ASSIGNED)
    urgent = make_ticket(cast=cast, customer=clinic, is_emergency=True, urgency=1, impact=1)
    closed = make_ticket(cast=cast, customer=clinic, status=Status.CLOSED)
    services.ticket_assign(actor=cast.agent, ticket_id=urgent.pk, team_id=team.pk)

    def ids(**params: Any) -> set[int]:
        response = agent_api.get("/tickets", **params)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert ids() == {new.pk, assigned.pk, urgent.pk, closed.pk}
    assert ids(status="new,assigned") == {new.pk, assigned.pk, urgent.pk}
    assert ids(status=["new", "closed"]) == {new.pk, closed.pk}
    assert ids(customer=hospital.pk) == {new.pk, assigned.pk}
    assert ids(system=system.pk) == {new.pk}
    assert ids(emergency="true") == {urgent.pk}
    assert ids(priority=Priority.CRITICAL) == {urgent.pk}
    assert ids(team=team.pk) == {urgent.pk}
    assert ids(assignee=cast.engineer.pk) == {assigned.pk, closed.pk}
    assert ids(assignee="none") == {new.pk, urgent.pk}
    assert ids(queue="unassigned") == {new.pk}
    assert ids(queue="emergency") == {urgent.pk}
    assert ids(queue="done") == {closed.pk}
    assert ids(q="打印机") == {new.pk}
    assert ids(q=str(assigned.number)) == {assigned.pk}
    later = _iso(timezone.now() + timedelta(minutes=5))
    earlier = _iso(timezone.now() - timedelta(days=1))
    assert ids(reported_from=earlier, reported_to=later) == {new.pk, assigned.pk, urgent.pk, closed.pk}
    assert ids(reported_from=later) == set()
    assert agent_api.get("/tickets", status="bogus").json()["field"] == "status"
    assert agent_api.get("/tickets", sort="bogus").json()["field"] == "sort"
    assert agent_api.get("/tickets", queue="bogus").json()["field"] == "queue"
    assert agent_api.get("/tickets", cursor="%%%").json()["field"] == "cursor"


def test_engineer_assignee_me(cast: Cast, engineer_api: Api) -> None:
    mine = make_ticket(cast=cast, status=Status.ASSIGNED)
    make_ticket(cast=cast)
    response = engineer_api.get("/tickets", assignee="me")
    assert [item["id"] for item in response.json()["items"]] == [mine.pk]
    assert engineer_api.get("/tickets/counts").json()["mine"] == 1


@pytest.mark.parametrize("sort", ["-reported_at", "+reported_at", "priority", "-number", "-updated_at"])
def test_keyset_pagination_has_no_duplicates_or_gaps(agent_api: Api, cast: Cast, sort: str) -> None:
    customer = new_customer()
    now = timezone.now()
    created = set()
    for i in range(8):
        # Pairs share reported_at and priority, so ties must be broken by id.
        ticket = make_ticket(
            cast=cast,
            customer=customer,
            reported_at=now - timedelta(hours=i // 2),
            urgency=1 + i % 3,
            impact=2,
        )
        created.add(ticket.pk)
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3, "sort": sort}
        if cursor:
            params["cursor"] = cursor
        body = agent_api.get("/tickets", **params).json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 8
    assert set(seen) == created


def test_queue_counts(agent_api: Api, cast: Cast) -> None:
    make_ticket(cast=cast)
    make_ticket(cast=cast, status=Status.RESOLVED)
    counts = agent_api.get("/tickets/counts").json()
    assert counts["open"] == 1
    assert counts["unassigned"] == 1
    assert counts["to_verify"] == 1


# --------------------------------------------------------------------------- PATCH


def test_patch_changes_editable_fields_and_bumps_version(agent_api: Api, cast: Cast) -> None:
    ticket = make_ticket(cast=cast)
    response = agent_api.patch(
        f"/tickets/{ticket.pk}",
        {
            "title": "新标题",
            "urgency": 1,
            "impact": 1,
            "description": "<i>ok</i><script>x()</script>",
            "version": 1,
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "新标题"
    assert body["priority"] == Priority.CRITICAL
    assert body["version"] == 2
    assert "<script" not in body["description"]
    assert "<i>ok</i>" in body["description"]
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.UPDATED).get()
    assert event.changes["title"] == [ticket.title, "新标题"]


def test_patch_unknown_or_read_only_field_is_422(agent_api: Api, cast: Cast) -> None:
    ticket = make_ticket(cast=cast)
    before = _state(ticket)
    for body in ({"status": "closed"}, {"version": 1, "satisfaction": 5}, {"bogus": 1}):
        response = agent_api.patch(f"/tickets/{ticket.pk}", body)
        assert response.status_code == 422, response.content
        assert response.json()["field"] == next(iter(set(body) - {"version"}))
    assert _state(ticket) == before


def test_patch_reported_at_in_future_is_422(agent_api: Api, cast: Cast) -> None:
    ticket = make_ticket(cast=cast)
    response = agent_api.patch(
        f"/tickets/{ticket.pk}", {"reported_at": _iso(timezone.now() + timedelta(days=1))}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "reported_at"


def test_stale_version_is_409_and_writes_nothing(agent_api: Api, cast: Cast) -> None:
    ticket = make_ticket(cast=cast)
    services.ticket_update(actor=cast.agent, ticket_id=ticket.pk, changes={"title": "别人改过"})
    before = _state(ticket)
    response = agent_api.patch(f"/tickets/{ticket.pk}", {"title": "我的修改", "version": 1})
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    response = agent_api.post(f"/tickets/{ticket.pk}/assign", {"assignee_id": cast.engineer.pk, "version": 1})
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert _state(ticket) == before


# --------------------------------------------------------------------------- actions


def test_the_whole_lifecycle_through_the_api(cast: Cast) -> None:
    customer = new_customer()
    reporter = portal_user(customer=customer)
    portal, agent, engineer = Api(reporter), Api(cast.agent), Api(cast.engineer)
    team = new_team()

    ticket = portal.post("/tickets", {"title": "检验结果无法回传", "description": "LIS 到 HIS"}).json()
    tid = ticket["id"]

    def act(api: Api, action: str, body: dict[str, Any] | None = None, status: int = 200) -> dict[str, Any]:
        response = api.post(f"/tickets/{tid}/{action}", body)
        assert response.status_code == status, (action, response.content)
        return response.json()

    deadline = _iso(timezone.now() + timedelta(hours=4))
    body = act(agent, "assign", {"assignee_id": cast.engineer.pk, "team_id": team.pk, "deadline": deadline,
                                 "requirements": "先远程", "version": 1})  # fmt: skip
    assert body["status"] == Status.ASSIGNED
    assert body["assignee"]["id"] == cast.engineer.pk
    assert body["team"]["id"] == team.pk
    assert body["dispatch_requirements"] == "先远程"
    body = act(engineer, "start", {"version": body["version"]})
    assert body["status"] == Status.IN_PROGRESS
    assert "resolve" in body["allowed_actions"]
    body = act(engineer, "pend", {"reason": "customer", "note": "等医院提供日志"})
    assert body["status"] == Status.PENDING
    assert body["pending_reason"] == "customer"
    body = act(engineer, "resume", {})
    assert body["status"] == Status.IN_PROGRESS
    assert body["pending_reason"] is None
    body = act(agent, "progress", {"body": "工程师正在分析接口日志"})
    assert body["status"] == Status.IN_PROGRESS
    assert TicketEvent.objects.filter(ticket_id=tid, kind=EventKind.PROGRESS).count() == 1
    body = act(engineer, "resolve", {"analysis": "接口证书过期", "solution": "更新证书"})
    assert body["status"] == Status.RESOLVED
    assert body["resolved_at"]
    body = act(agent, "verify", {"note": "已电话告知科室"})
    assert body["status"] == Status.VERIFIED
    assert body["verified_at"]
    body = act(portal, "close", {"score": 5, "comment": "很快"})
    assert body["status"] == Status.CLOSED
    assert body["close_kind"] == "confirmed"
    assert body["satisfaction"] == 5
    body = act(portal, "reopen", {"reason": "又出现了"})
    assert body["status"] == Status.ASSIGNED
    assert body["satisfaction"] is None
    body = act(engineer, "start")  # no body at all
    assert body["status"] == Status.IN_PROGRESS
    act(engineer, "resolve", {"analysis": "证书链不全", "solution": "补全证书链"})
    act(agent, "verify", {"note": "已确认"})
    body = act(agent, "rate", {"score": 4, "comment": "代客户评价"})
    assert body["satisfaction"] == 4
    body = act(agent, "close")
    assert body["status"] == Status.CLOSED
    assert body["close_kind"] == "on_behalf"

    kinds = [e["kind"] for e in agent.get(f"/tickets/{tid}/events").json()]
    assert kinds[0] == EventKind.CREATED
    assert kinds.count(EventKind.RATED) == 2


def test_cancel_merge_escalate_collaborators(cast: Cast) -> None:
    agent = Api(cast.agent)
    customer = new_customer()
    boss = staff_user(role_codes=["service_manager"])
    helper = staff_user(role_codes=["ops_engineer"])
    engineer = staff_user(role_codes=["support_engineer"], superior=boss)
    first = make_ticket(cast=cast, customer=customer, engineer=engineer, status=Status.IN_PROGRESS)
    duplicate = make_ticket(cast=cast, customer=customer)
    mistake = make_ticket(cast=cast, customer=customer)

    response = agent.post(f"/tickets/{mistake.pk}/cancel", {"reason": "误报"})
    assert response.status_code == 200
    assert response.json()["status"] == Status.CANCELLED

    response = agent.post(f"/tickets/{duplicate.pk}/merge", {"into_ticket_id": first.pk, "note": "同一故障"})
    assert response.status_code == 200, response.content
    assert response.json()["merged_into"] == first.number
    assert response.json()["close_kind"] == "merged"

    response = Api(engineer).post(f"/tickets/{first.pk}/escalate", {"reason": "需要数据库专家"})
    assert response.status_code == 200, response.content
    assert response.json()["escalated_to"]["id"] == boss.pk
    assert boss.pk in {u["id"] for u in response.json()["collaborators"]}

    response = agent.post(f"/tickets/{first.pk}/collaborators", {"user_id": helper.pk, "note": "网络"})
    assert response.status_code == 200, response.content
    assert helper.pk in {u["id"] for u in response.json()["collaborators"]}
    again = agent.post(f"/tickets/{first.pk}/collaborators", {"user_id": helper.pk})
    assert again.status_code == 409
    assert again.json()["code"] == "already_collaborator"


def test_comments_public_and_internal(cast: Cast) -> None:
    customer = new_customer()
    ticket = make_ticket(cast=cast, customer=customer, status=Status.ASSIGNED)
    agent = Api(cast.agent)
    response = agent.post(
        f"/tickets/{ticket.pk}/comments",
        {
            "body": "<p>请重启<script>steal()</script><a href='javascript:x()'>这里</a></p>",
            "body_is_html": True,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()["body"]
    assert "<script" not in body
    assert "javascript:" not in body
    assert "请重启" in body
    plain = agent.post(f"/tickets/{ticket.pk}/comments", {"body": "<b>not html</b>"}).json()
    assert "<b>" not in plain["body"]
    assert "&lt;b&gt;" in plain["body"]
    note = agent.post(f"/tickets/{ticket.pk}/comments", {"body": "内部：客户很着急", "internal": True})
    assert note.status_code == 201
    assert note.json()["visibility"] == "internal"
    with_file = agent.multipart(
        f"/tickets/{ticket.pk}/comments",
        {"body": "附上日志", "attachments": [SimpleUploadedFile("x.log", b"log")]},
    )
    assert with_file.status_code == 201, with_file.content
    assert [a["filename"] for a in with_file.json()["attachments"]] == ["x.log"]
    comments = agent.get(f"/tickets/{ticket.pk}/comments").json()
    assert [c["visibility"] for c in comments] == ["public", "public", "internal", "public"]
    assert comments[0]["author"] == {"id": cast.agent.pk, "name": str(cast.agent)}


def test_categories_matrix_and_desk_settings(cast: Cast) -> None:
    admin = Api(staff_user(role_codes=["admin"]))
    agent = Api(cast.agent)
    response = admin.post("/categories", {"code": "net", "name": "网络", "kind": "technical"})
    assert response.status_code == 201, response.content
    parent = response.json()["id"]
    child = admin.post(
        "/categories", {"code": "net-vpn", "name": "VPN", "kind": "technical", "parent_id": parent}
    )
    assert child.status_code == 201
    assert child.json()["full_name"] == "网络 / VPN"
    renamed = admin.put(f"/categories/{parent}", {"code": "net", "name": "网络设备", "kind": "technical"})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "网络设备"
    assert agent.post("/categories", {"code": "x", "name": "x", "kind": "usage"}).status_code == 403
    codes = {c["code"] for c in agent.get("/categories").json()}
    assert {"net", "net-vpn"} <= codes

    matrix = agent.get("/priority-matrix").json()["cells"]
    assert len(matrix) == 9
    cells = [{**cell, "priority": 4} for cell in matrix]
    assert agent.put("/priority-matrix", {"cells": cells}).status_code == 403
    response = admin.put("/priority-matrix", {"cells": cells})
    assert response.status_code == 200
    assert {c["priority"] for c in response.json()["cells"]} == {4}
    incomplete = admin.put("/priority-matrix", {"cells": cells[:3]})
    assert incomplete.status_code == 422
    assert incomplete.json()["field"] == "cells"

    assert set(agent.get("/desk-settings").json()) == {
        "auto_close_days",
        "progress_interval_hours",
        "pending_alert_hours",
    }
    response = admin.put("/desk-settings", {"auto_close_days": 5, "progress_interval_hours": 12})
    assert response.status_code == 200
    assert response.json()["auto_close_days"] == 5
    assert agent.get("/desk-settings").json() == {
        "auto_close_days": 5,
        "progress_interval_hours": 12,
        "pending_alert_hours": 72,
    }
    response = admin.put(
        "/desk-settings", {"auto_close_days": 5, "progress_interval_hours": 12, "pending_alert_hours": 24}
    )
    assert response.json()["pending_alert_hours"] == 24
    too_long = {"auto_close_days": 5, "progress_interval_hours": 12, "pending_alert_hours": 721}
    assert admin.put("/desk-settings", too_long).json()["field"] == "pending_alert_hours"
    bad = admin.put("/desk-settings", {"auto_close_days": 0, "progress_interval_hours": 12})
    assert bad.status_code == 422
    assert bad.json()["field"] == "auto_close_days"


# --------------------------------------------------------------------------- bad input and safety


@pytest.mark.parametrize(
    ("status", "action", "body"),
    [
        (Status.NEW, "start", {}),
        (Status.NEW, "resolve", {"analysis": "a", "solution": "b"}),
        (Status.ASSIGNED, "verify", {"note": "n"}),
        (Status.IN_PROGRESS, "close", {}),
        (Status.CLOSED, "cancel", {"reason": "r"}),
        (Status.CANCELLED, "reopen", {"reason": "r"}),
        (Status.RESOLVED, "pend", {"reason": "customer"}),
    ],
)
def test_forbidden_transition_is_409_and_writes_nothing(
    cast: Cast, status: str, action: str, body: dict
) -> None:
    # A service manager may do everything, so only the state machine can refuse.
    manager = staff_user(role_codes=["service_manager"])
    ticket = make_ticket(cast=cast, status=status)
    before = _state(ticket)
    response = Api(manager).post(f"/tickets/{ticket.pk}/{action}", body)
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["detail"]
    assert _state(ticket) == before


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("assign", {"assignee_id": None}),
        ("cancel", {"reason": "财务不能取消"}),
        ("verify", {"note": "x"}),
    ],
)
def test_wrong_role_is_403_and_writes_nothing(cast: Cast, action: str, body: dict) -> None:
    finance = staff_user(role_codes=["finance"])
    ticket = make_ticket(cast=cast, status=Status.RESOLVED if action == "verify" else Status.NEW)
    if action == "assign":
        body = {"assignee_id": cast.engineer.pk}
    before = _state(ticket)
    response = Api(finance).post(f"/tickets/{ticket.pk}/{action}", body)
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "permission_denied"
    assert _state(ticket) == before
    assert Api(finance).get(f"/tickets/{ticket.pk}").json()["allowed_actions"] == []


def test_finance_cannot_create_or_patch(cast: Cast) -> None:
    finance = Api(staff_user(role_codes=["finance"]))
    ticket = make_ticket(cast=cast)
    before = _state(ticket)
    assert finance.post("/tickets", {"customer_id": ticket.customer_id, "title": "x"}).status_code == 403
    assert finance.patch(f"/tickets/{ticket.pk}", {"title": "x"}).status_code == 403
    assert _state(ticket) == before
    assert Ticket.objects.count() == 1


def test_portal_user_cannot_see_other_customers_tickets(cast: Cast) -> None:
    mine, theirs = new_customer(), new_customer()
    own = make_ticket(cast=cast, customer=mine)
    foreign = make_ticket(cast=cast, customer=theirs, status=Status.VERIFIED)
    portal = Api(portal_user(customer=mine))
    paths = [f"/tickets/{foreign.pk}", f"/tickets/by-number/{foreign.number}"]
    paths += [f"/tickets/{foreign.pk}/{sub}" for sub in ("events", "comments", "attachments")]
    for path in paths:
        response = portal.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "ticket_not_found"
    before = _state(foreign)
    response = portal.post(f"/tickets/{foreign.pk}/close", {"score": 1})
    assert response.status_code == 404
    assert portal.post(f"/tickets/{foreign.pk}/comments", {"body": "hi"}).status_code == 404
    assert _state(foreign) == before
    assert [t["id"] for t in portal.get("/tickets").json()["items"]] == [own.pk]
    assert [t["id"] for t in portal.get("/tickets", customer=theirs.pk).json()["items"]] == []


def test_portal_user_never_sees_internal_notes_events_or_files(cast: Cast) -> None:
    customer = new_customer()
    boss = staff_user(role_codes=["service_manager"])
    engineer = staff_user(role_codes=["support_engineer"], superior=boss)
    ticket = make_ticket(cast=cast, customer=customer, engineer=engineer, status=Status.IN_PROGRESS)
    services.comment_create(actor=cast.agent, ticket_id=ticket.pk, body="内部：这个客户难缠", internal=True)
    services.comment_create(actor=cast.agent, ticket_id=ticket.pk, body="我们正在处理")
    services.ticket_escalate(actor=engineer, ticket_id=ticket.pk, reason="升级")
    services.ticket_attach(actor=cast.agent, ticket_id=ticket.pk, is_internal=True,
                           files=[SimpleUploadedFile("internal.txt", b"secret")])  # fmt: skip
    internal_file = TicketAttachment.objects.get(ticket=ticket)

    portal = Api(portal_user(customer=customer))
    comments = portal.get(f"/tickets/{ticket.pk}/comments").json()
    assert [c["body"] for c in comments] == ["<p>我们正在处理</p>"]
    events = portal.get(f"/tickets/{ticket.pk}/events").json()
    assert events
    assert all(not e["internal"] for e in events)
    kinds = {e["kind"] for e in events}
    assert EventKind.ESCALATED not in kinds
    assert EventKind.ATTACHMENT not in kinds
    assert TicketEvent.objects.filter(ticket=ticket, is_internal=True).count() >= 3
    detail = portal.get(f"/tickets/{ticket.pk}").json()
    assert detail["escalated_to"] is None
    assert detail["collaborators"] is None
    assert detail["dispatch_requirements"] is None
    assert "note" not in detail["allowed_actions"]
    assert "assign" not in detail["allowed_actions"]
    assert portal.get(f"/tickets/{ticket.pk}/attachments").json() == []
    assert portal.get(f"/attachments/{internal_file.pk}/download").status_code == 404
    assert portal.post(f"/tickets/{ticket.pk}/comments", {"body": "x", "internal": True}).status_code == 403
    assert TicketComment.objects.filter(ticket=ticket).count() == 2
    # Staff see everything.
    staff_events = Api(cast.agent).get(f"/tickets/{ticket.pk}/events").json()
    assert EventKind.ESCALATED in {e["kind"] for e in staff_events}
    assert all({"id", "at", "actor", "kind", "changes", "note"} <= set(e) for e in staff_events)
