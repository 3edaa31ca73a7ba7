from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from weibao.accounts.tests.factories import UserFactory
from weibao.notifications.permissions import can_use_notifications
from weibao.notifications.tests.factories import portal_account

pytestmark = pytest.mark.django_db


def test_staff_and_portal_users_have_an_inbox() -> None:
    assert can_use_notifications(user=UserFactory.create())
    assert can_use_notifications(user=portal_account())


def test_anonymous_and_inactive_do_not() -> None:
    assert not can_use_notifications(user=AnonymousUser())
    assert not can_use_notifications(user=UserFactory.create(is_active=False))
    assert not can_use_notifications(user=None)
