"""A user changes their own password: the current one is checked, the session survives."""

from __future__ import annotations

import pytest

from weibao.accounts.models import AuditEvent
from weibao.accounts.tests.factories import staff_user
from weibao.customers.tests.factories import CustomerFactory, portal_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["staff", "portal"])
def test_change_own_password(client, kind: str) -> None:
    user = (
        staff_user(role_codes=["agent"])
        if kind == "staff"
        else portal_user(customer=CustomerFactory.create())
    )
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {
            "current_password": "wrong",
            "new_password": "Xq9-long-enough",
            "new_password_again": "Xq9-long-enough",
        },
    )
    assert response.status_code == 200
    assert "current_password" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password("pw-Weibao-123")
    response = client.post(
        "/accounts/password/",
        {
            "current_password": "pw-Weibao-123",
            "new_password": "Xq9-long-enough",
            "new_password_again": "Xq9-long-enough",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Xq9-long-enough")
    assert AuditEvent.objects.filter(action="user.change_own_password").count() == 1
    assert client.get("/accounts/password/").status_code == 200  # still signed in


def test_weak_or_mismatched_new_password_is_refused(client) -> None:
    user = staff_user(role_codes=["agent"])
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {"current_password": "pw-Weibao-123", "new_password": "123", "new_password_again": "123"},
    )
    assert "new_password" in response.context["form"].errors
    response = client.post(
        "/accounts/password/",
        {
            "current_password": "pw-Weibao-123",
            "new_password": "Xq9-long-enough",
            "new_password_again": "other-Xq9",
        },
    )
    assert "new_password_again" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password("pw-Weibao-123")


def test_anonymous_is_sent_to_login(client) -> None:
    response = client.get("/accounts/password/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
