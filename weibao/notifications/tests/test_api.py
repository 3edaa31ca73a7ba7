"""Contract of /api/v1/notifications over HTTP: auth, shapes, scope, keyset pages, actions."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from weibao.accounts.models import User
from weibao.accounts.services import api_token_create
from weibao.accounts.tests.factories import UserFactory
from weibao.notifications.models import Notification
from weibao.notifications.tests.factories import NotificationFactory, portal_account

pytestmark = pytest.mark.django_db

BASE = "/api/v1/notifications"
FIELDS = {"id", "kind", "level", "title", "body", "url", "created_at", "read_at"}


class Api:
    """JSON with one user's Bearer token (or none)."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _token, raw = api_token_create(actor=user, name="tests")
            self.headers["Authorization"] = f"Bearer {raw}"

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params, headers=self.headers)

    def post(self, path: str) -> Any:
        return self.client.post(BASE + path, "{}", content_type="application/json", headers=self.headers)


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", ""), ("get", "/unread-count"), ("post", "/read-all"), ("post", "/1/read")],
)
def test_anonymous_gets_401(method: str, path: str) -> None:
    response = getattr(Api(None), method)(path)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_list_shape_and_scope() -> None:
    alice = UserFactory.create()
    now = timezone.now()
    mine = [
        NotificationFactory.create(recipient=alice, created_at=now - timedelta(minutes=i)) for i in range(3)
    ]
    NotificationFactory.create(recipient=UserFactory.create())
    body = Api(alice).get("").json()
    assert set(body) == {"items", "next_cursor"}
    assert [item["id"] for item in body["items"]] == [n.pk for n in mine]
    assert set(body["items"][0]) == FIELDS
    assert body["items"][0]["kind"] == "generic"
    assert body["items"][0]["read_at"] is None
    assert "+" in body["items"][0]["created_at"] or body["items"][0]["created_at"].endswith("Z")
    assert body["next_cursor"] is None


def test_list_unread_filter_and_cursor_pages() -> None:
    alice = UserFactory.create()
    now = timezone.now()
    for i in range(5):
        NotificationFactory.create(recipient=alice, created_at=now - timedelta(minutes=i))
    NotificationFactory.create(recipient=alice, read_at=now)
    api = Api(alice)
    assert len(api.get("", unread="true").json()["items"]) == 5
    assert len(api.get("").json()["items"]) == 6
    first = api.get("", unread="true", limit=2).json()
    second = api.get("", unread="true", limit=2, cursor=first["next_cursor"]).json()
    assert first["next_cursor"]
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


def test_list_bad_input() -> None:
    api = Api(UserFactory.create())
    bad_cursor = api.get("", cursor="###")
    assert bad_cursor.status_code == 422
    assert bad_cursor.json()["code"] == "invalid_cursor"
    assert api.get("", limit=0).status_code == 422
    assert api.get("", limit=1000).status_code == 422


def test_unread_count() -> None:
    alice = UserFactory.create()
    NotificationFactory.create_batch(2, recipient=alice)
    NotificationFactory.create(recipient=alice, read_at=timezone.now())
    NotificationFactory.create(recipient=UserFactory.create())
    assert Api(alice).get("/unread-count").json() == {"count": 2}


def test_read_one() -> None:
    alice = UserFactory.create()
    notification = NotificationFactory.create(recipient=alice)
    response = Api(alice).post(f"/{notification.pk}/read")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == FIELDS
    assert body["id"] == notification.pk
    assert body["read_at"] is not None
    notification.refresh_from_db()
    assert notification.read_at is not None
    # Idempotent: again is fine and keeps the first time.
    again = Api(alice).post(f"/{notification.pk}/read").json()
    assert again["read_at"] == body["read_at"]


def test_read_someone_elses_is_404_and_changes_nothing() -> None:
    theirs = NotificationFactory.create()
    response = Api(UserFactory.create()).post(f"/{theirs.pk}/read")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_read_all() -> None:
    alice, bob = UserFactory.create(), UserFactory.create()
    NotificationFactory.create_batch(3, recipient=alice)
    NotificationFactory.create(recipient=bob)
    api = Api(alice)
    assert api.post("/read-all").json() == {"marked": 3}
    assert api.post("/read-all").json() == {"marked": 0}
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 1


def test_portal_user_uses_the_api_with_the_session() -> None:
    portal = portal_account()
    NotificationFactory.create(recipient=portal)
    client = Client()
    client.force_login(portal)
    response = client.get(BASE + "/unread-count")
    assert response.status_code == 200
    assert json.loads(response.content) == {"count": 1}
