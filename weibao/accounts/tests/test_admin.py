"""Django admin registration: the change lists and forms open for a superuser."""

from __future__ import annotations

import pytest
from django.test import Client

from weibao.accounts import services
from weibao.accounts.models import User
from weibao.accounts.tests.factories import TeamFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["user", "role", "team", "apitoken", "loginfailure", "auditevent"])
def test_changelists_open(model: str) -> None:
    root = staff_user(role_codes=["admin"], is_superuser=True, is_staff=True)
    TeamFactory.create()
    services.api_token_create(actor=root, name="x")
    client = Client()
    client.force_login(root)
    assert client.get(f"/django-admin/accounts/{model}/").status_code == 200


def test_user_change_form_opens() -> None:
    root = staff_user(role_codes=["admin"], is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(root)
    assert client.get(f"/django-admin/accounts/user/{root.pk}/change/").status_code == 200
    assert User.objects.count() == 1
