"""Database guarantees of Notification: one row per (recipient, dedupe_key) when the key is set."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from weibao.accounts.tests.factories import UserFactory
from weibao.notifications.models import Notification
from weibao.notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def test_dedupe_key_is_unique_per_recipient() -> None:
    alice = UserFactory.create()
    NotificationFactory.create(recipient=alice, dedupe_key="k")
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationFactory.create(recipient=alice, dedupe_key="k")
    NotificationFactory.create(recipient=UserFactory.create(), dedupe_key="k")  # another recipient: fine


def test_empty_keys_never_collide() -> None:
    alice = UserFactory.create()
    NotificationFactory.create_batch(3, recipient=alice, dedupe_key="")
    assert Notification.objects.filter(recipient=alice).count() == 3


def test_rows_go_with_their_recipient() -> None:
    notification = NotificationFactory.create()
    notification.recipient.delete()
    assert not Notification.objects.exists()


def test_str_and_is_read() -> None:
    notification = NotificationFactory.build(title="工单已派给你")
    assert str(notification) == "工单已派给你"
    assert not notification.is_read
