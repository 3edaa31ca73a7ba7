"""Reads are scoped to the actor: only their own notifications, a foreign id is a 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from weibao.accounts.tests.factories import UserFactory
from weibao.core.errors import NotFound, PermissionDenied, ValidationFailed
from weibao.notifications import selectors
from weibao.notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def _inbox(user, count: int, **kwargs):
    now = timezone.now()
    return [
        NotificationFactory.create(recipient=user, created_at=now - timedelta(minutes=i), **kwargs)
        for i in range(count)
    ]


def test_list_is_own_only_newest_first() -> None:
    alice, bob = UserFactory.create(), UserFactory.create()
    mine = _inbox(alice, 3)
    _inbox(bob, 2)
    assert list(selectors.notification_list(actor=alice)) == mine


def test_list_unread_only() -> None:
    alice = UserFactory.create()
    unread = NotificationFactory.create(recipient=alice)
    NotificationFactory.create(recipient=alice, read_at=timezone.now())
    assert list(selectors.notification_list(actor=alice, unread_only=True)) == [unread]
    assert selectors.notification_list(actor=alice).count() == 2


def test_same_created_at_ties_break_by_id() -> None:
    alice = UserFactory.create()
    now = timezone.now()
    rows = [NotificationFactory.create(recipient=alice, created_at=now) for _ in range(3)]
    assert list(selectors.notification_list(actor=alice)) == rows[::-1]


def test_keyset_pages_cover_everything_once() -> None:
    alice = UserFactory.create()
    rows = _inbox(alice, 7)
    NotificationFactory.create(recipient=alice, created_at=rows[3].created_at)  # a tie across the page border
    expected = list(selectors.notification_list(actor=alice))
    seen, cursor = [], None
    while True:
        page = selectors.notification_page(actor=alice, cursor=cursor, limit=3)
        seen.extend(page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == expected


def test_bad_cursor_is_a_validation_error() -> None:
    with pytest.raises(ValidationFailed):
        selectors.notification_page(actor=UserFactory.create(), cursor="not-a-cursor")


def test_latest_is_capped() -> None:
    alice = UserFactory.create()
    rows = _inbox(alice, selectors.MENU_SIZE + 3)
    assert selectors.notification_latest(actor=alice) == rows[: selectors.MENU_SIZE]


def test_unread_count() -> None:
    alice, bob = UserFactory.create(), UserFactory.create()
    _inbox(alice, 4)
    _inbox(alice, 2, read_at=timezone.now())
    _inbox(bob, 5)
    assert selectors.notification_unread_count(actor=alice) == 4
    assert selectors.notification_unread_count(actor=UserFactory.create()) == 0


def test_get_own_and_foreign() -> None:
    alice, bob = UserFactory.create(), UserFactory.create()
    mine = NotificationFactory.create(recipient=alice)
    theirs = NotificationFactory.create(recipient=bob)
    assert selectors.notification_get(actor=alice, notification_id=mine.pk) == mine
    with pytest.raises(NotFound):
        selectors.notification_get(actor=alice, notification_id=theirs.pk)
    with pytest.raises(NotFound):
        selectors.notification_get(actor=alice, notification_id=999_999)


@pytest.mark.parametrize("who", ["anonymous", "inactive"])
def test_signed_out_or_inactive_is_refused(who: str) -> None:
    actor = AnonymousUser() if who == "anonymous" else UserFactory.create(is_active=False)
    with pytest.raises(PermissionDenied):
        selectors.notification_unread_count(actor=actor)
