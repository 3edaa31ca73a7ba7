"""Chinese by default whatever the browser says; the language switch and the profile override it."""

from __future__ import annotations

import pytest
from django.test import Client

from weibao.accounts.tests.factories import staff_user

pytestmark = pytest.mark.django_db


def test_english_browser_still_gets_chinese(client: Client) -> None:
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert 'lang="zh-hans"' in response.content.decode()


def test_language_switch_sets_english(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    response = client.get("/accounts/login/")
    assert response["Content-Language"] == "en"


def test_profile_language_applies_without_cookie(client: Client) -> None:
    user = staff_user(role_codes=["agent"], language="en")
    client.force_login(user)
    assert client.get("/console/")["Content-Language"] == "en"


def test_api_honours_accept_language(client: Client) -> None:
    english = client.get("/api/v1/tickets", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/api/v1/tickets")
    assert english.status_code == chinese.status_code == 401
    assert english["Content-Language"] == "en" and chinese["Content-Language"] == "zh-hans"
