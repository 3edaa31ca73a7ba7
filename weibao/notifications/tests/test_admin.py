"""The admin lists and shows notifications but does not create or edit them (services do)."""

from __future__ import annotations

import pytest
from django.test import Client

from weibao.accounts.tests.factories import staff_user
from weibao.notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def test_changelist_and_detail_open_read_only() -> None:
    root = staff_user(role_codes=["admin"], is_superuser=True, is_staff=True)
    notification = NotificationFactory.create(recipient=root)
    client = Client()
    client.force_login(root)
    assert client.get("/django-admin/notifications/notification/").status_code == 200
    detail = client.get(f"/django-admin/notifications/notification/{notification.pk}/change/")
    assert detail.status_code == 200
    assert b'name="title"' not in detail.content  # read-only: shown, not editable
    assert client.get("/django-admin/notifications/notification/add/").status_code == 403
