"""Factories for notifications. Users come from ``weibao.accounts.tests.factories``."""

from __future__ import annotations

from typing import Any

import factory

from weibao.accounts.choices import UserKind
from weibao.accounts.models import User
from weibao.accounts.tests.factories import UserFactory
from weibao.notifications.choices import NotificationKind, NotificationLevel
from weibao.notifications.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory[Notification]):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = NotificationKind.GENERIC
    level = NotificationLevel.INFO
    title = factory.Sequence(lambda n: f"通知{n}")
    body = "正文"
    url = ""


def portal_account(**kwargs: Any) -> User:
    """A customer's portal user (no contact needed: notifications are per user)."""
    return UserFactory.create(kind=UserKind.CUSTOMER, **kwargs)
