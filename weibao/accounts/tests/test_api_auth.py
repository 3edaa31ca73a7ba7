"""weibao.core.api_auth: Bearer tokens (hash lookup, revoked, inactive, last_used) and sessions."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone
from ninja import Router

from weibao.accounts import services
from weibao.accounts.models import ApiToken, User
from weibao.accounts.tests.api_client import api_client, bearer
from weibao.accounts.tests.factories import staff_user
from weibao.core.api_auth import API_AUTH, BearerTokenAuth, SessionCookieAuth, token_hash, token_user

pytestmark = pytest.mark.django_db

router = Router(auth=API_AUTH)


@router.get("/whoami")
def whoami(request: Any) -> dict[str, Any]:
    return {"auth": request.auth.username, "user": request.user.username}


@router.post("/echo")
def echo(request: Any) -> dict[str, Any]:
    return {"user": request.user.username}


@pytest.fixture
def client() -> Any:
    return api_client(("", router))


@pytest.fixture
def user() -> User:
    return staff_user(role_codes=["agent"], username="alice")


def test_hash_is_sha256_hex() -> None:
    assert token_hash(raw="wb_x") == hashlib.sha256(b"wb_x").hexdigest()
    assert len(token_hash(raw="wb_x")) == 64


def test_valid_token_authenticates_and_sets_user(client: Any, user: User) -> None:
    _token, raw = services.api_token_create(actor=user, name="t")
    response = client.get("/whoami", **bearer(raw))
    assert response.status_code == 200
    assert response.json() == {"auth": "alice", "user": "alice"}


@pytest.mark.parametrize("header", ["", "Bearer ", "Bearer wb_nope", "Bearer nope", "Basic Zm9vOmJhcg=="])
def test_bad_credentials_are_401(client: Any, user: User, header: str) -> None:
    headers = {"headers": {"Authorization": header}} if header else {}
    response = client.get("/whoami", **headers)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_revoked_token_rejected(client: Any, user: User) -> None:
    token, raw = services.api_token_create(actor=user, name="t")
    services.api_token_revoke(actor=user, token_id=token.pk)
    assert client.get("/whoami", **bearer(raw)).status_code == 401


def test_inactive_user_rejected(client: Any, user: User) -> None:
    _token, raw = services.api_token_create(actor=user, name="t")
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/whoami", **bearer(raw)).status_code == 401


def test_last_used_updated_at_most_once_a_minute(user: User) -> None:
    token, raw = services.api_token_create(actor=user, name="t")
    assert token_user(raw=raw) == user
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    assert token_user(raw=raw) == user
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    token_user(raw=raw)
    touched = ApiToken.objects.get(pk=token.pk).last_used_at
    assert touched is not None
    assert timezone.now() - touched < timedelta(seconds=5)


def test_bearer_class_strips_scheme(user: User) -> None:
    _token, raw = services.api_token_create(actor=user, name="t")
    request = RequestFactory().get("/", HTTP_AUTHORIZATION=f"bearer {raw}")
    assert BearerTokenAuth()(request) == user
    assert request.user == user


class TestSession:
    def _request(self, user: Any, *, cookie: bool, method: str = "get", csrf_ok: bool = True) -> Any:
        factory = RequestFactory(enforce_csrf_checks=not csrf_ok)
        request = getattr(factory, method)("/")
        if cookie:
            request.COOKIES["sessionid"] = "abc"
        request.user = user
        if csrf_ok:
            request._dont_enforce_csrf_checks = True
        return request

    def test_signed_in_session_authenticates(self, user: User) -> None:
        assert SessionCookieAuth()(self._request(user, cookie=True)) == user

    def test_no_cookie_no_session(self, user: User) -> None:
        assert SessionCookieAuth()(self._request(user, cookie=False)) is None

    def test_inactive_user_rejected(self, user: User) -> None:
        user.is_active = False
        assert SessionCookieAuth()(self._request(user, cookie=True)) is None

    def test_post_without_csrf_is_refused(self, user: User) -> None:
        from ninja.errors import HttpError

        with pytest.raises(HttpError) as exc:
            SessionCookieAuth()(self._request(user, cookie=True, method="post", csrf_ok=False))
        assert exc.value.status_code == 403

    def test_anonymous_post_without_cookie_is_not_a_csrf_error(self) -> None:
        from django.contrib.auth.models import AnonymousUser

        request = self._request(AnonymousUser(), cookie=False, method="post", csrf_ok=False)
        assert SessionCookieAuth()(request) is None
