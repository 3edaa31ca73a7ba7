"""``manage.py api_token``: prints a working token; ``--revoke PREFIX`` revokes it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from weibao.accounts.models import ApiToken, User
from weibao.accounts.tests.factories import staff_user
from weibao.core.api_auth import token_user

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def user() -> User:
    return staff_user(role_codes=["agent"], username="bridge")


def test_prints_a_working_token(user: User) -> None:
    raw = run("bridge", "--name", "monitoring")
    assert raw.startswith("wb_")
    assert token_user(raw=raw) == user
    assert ApiToken.objects.get().name == "monitoring"


def test_revoke_by_prefix(user: User) -> None:
    raw = run("bridge")
    token = ApiToken.objects.get()
    out = run("bridge", "--revoke", token.prefix)
    assert "Revoked" in out
    assert token_user(raw=raw) is None
    with pytest.raises(CommandError):
        run("bridge", "--revoke", token.prefix)


def test_revoke_with_full_token(user: User) -> None:
    raw = run("bridge")
    run("bridge", "--revoke", raw)
    assert token_user(raw=raw) is None


def test_ambiguous_prefix(user: User) -> None:
    run("bridge")
    run("bridge")
    with pytest.raises(CommandError, match="give a longer prefix"):
        run("bridge", "--revoke", "wb_")
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()


def test_unknown_user() -> None:
    with pytest.raises(CommandError):
        run("nobody")


def test_inactive_user_gets_no_token(user: User) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(CommandError):
        run("bridge")
    assert not ApiToken.objects.exists()


def test_cannot_revoke_another_users_token(user: User) -> None:
    staff_user(role_codes=["agent"], username="other")
    run("other")
    token = ApiToken.objects.get()
    with pytest.raises(CommandError):
        run("bridge", "--revoke", token.prefix)
    token.refresh_from_db()
    assert token.revoked_at is None
