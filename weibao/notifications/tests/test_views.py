"""The inbox page, the bell's htmx fragments and the mark-read posts, for staff and portal users."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from weibao.accounts.models import User
from weibao.accounts.tests.factories import UserFactory, staff_user
from weibao.notifications.models import Notification
from weibao.notifications.tests.factories import NotificationFactory, portal_account

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
# Upper bounds, so a regression that adds queries (not only one that grows with rows) is noticed.
LIST_MAX_QUERIES = 7
BELL_MAX_QUERIES = 3
MENU_MAX_QUERIES = 3


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _fill(user: User, count: int, **kwargs: Any) -> list[Notification]:
    now = timezone.now()
    return [
        NotificationFactory.create(
            recipient=user, created_at=now - timedelta(minutes=i), url=f"/x/{i}/", **kwargs
        )
        for i in range(count)
    ]


def _queries(client: Client, url: str, **headers: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --------------------------------------------------------------------------- the bell in base.html


@pytest.mark.parametrize("kind", ["staff", "portal"])
def test_bell_is_in_the_navbar_for_signed_in_users_and_costs_no_query(kind: str) -> None:
    user = staff_user(role_codes=["agent"]) if kind == "staff" else portal_account()
    client = _client(user)
    page = client.get(reverse("notifications:list")).content.decode()
    assert 'data-testid="notification-bell"' in page
    assert f'hx-get="{reverse("notifications:bell")}"' in page
    assert "every 60s" in page
    assert f'hx-get="{reverse("notifications:menu")}"' in page


def test_no_bell_for_anonymous_visitors() -> None:
    page = Client().get(reverse("accounts:login")).content.decode()
    assert 'data-testid="notification-bell"' not in page


def test_bell_badge_counts_unread() -> None:
    user = UserFactory.create()
    _fill(user, 3)
    _fill(user, 2, read_at=timezone.now())
    html = _client(user).get(reverse("notifications:bell"), headers=HTMX).content.decode()
    assert 'data-testid="notification-badge"' in html
    assert 'data-count="3"' in html


def test_bell_badge_is_empty_without_unread_and_caps_at_99() -> None:
    user = UserFactory.create()
    client = _client(user)
    assert "notification-badge" not in client.get(reverse("notifications:bell")).content.decode()
    Notification.objects.bulk_create(Notification(recipient=user, title=str(i)) for i in range(120))
    assert ">99+<" in client.get(reverse("notifications:bell")).content.decode()


def test_bell_for_an_expired_session_is_204_not_the_login_page() -> None:
    response = Client().get(reverse("notifications:bell"), headers=HTMX)
    assert response.status_code == 204
    assert response.content == b""


def test_bell_fragment_queries_are_constant(django_assert_max_num_queries: Any) -> None:
    user = staff_user(role_codes=["agent"])
    client = _client(user)
    _fill(user, 2)
    few = _queries(client, reverse("notifications:bell"), **HTMX)
    _fill(user, 40)
    assert _queries(client, reverse("notifications:bell"), **HTMX) == few
    with django_assert_max_num_queries(BELL_MAX_QUERIES):
        client.get(reverse("notifications:bell"), headers=HTMX)


def test_menu_shows_the_latest_ten_and_a_link_to_all(django_assert_max_num_queries: Any) -> None:
    user = UserFactory.create()
    rows = _fill(user, 12)
    NotificationFactory.create(recipient=UserFactory.create(), title="别人的通知")
    client = _client(user)
    with django_assert_max_num_queries(MENU_MAX_QUERIES):
        html = client.get(reverse("notifications:menu"), headers=HTMX).content.decode()
    assert html.count('data-testid="notification-item"') == 10
    assert rows[0].title in html
    assert rows[11].title not in html
    assert "别人的通知" not in html
    assert 'data-testid="notification-all-link"' in html
    assert "All notifications" in html


# --------------------------------------------------------------------------- the inbox page


def test_inbox_lists_own_notifications_with_filter() -> None:
    user = UserFactory.create()
    unread = NotificationFactory.create(recipient=user, title="未读通知", body="第一行\n第二行")
    NotificationFactory.create(recipient=user, title="已读通知", read_at=timezone.now())
    NotificationFactory.create(recipient=UserFactory.create(), title="别人的通知")
    client = _client(user)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "未读通知" in page
    assert "已读通知" in page
    assert "别人的通知" not in page
    assert "第一行<br>第二行" in page
    assert 'data-testid="notification-read-all"' in page
    only_unread = client.get(reverse("notifications:list"), {"show": "unread"}).content.decode()
    assert "未读通知" in only_unread
    assert "已读通知" not in only_unread
    assert f'data-notification-id="{unread.pk}"' in only_unread


def test_inbox_is_paginated() -> None:
    user = UserFactory.create()
    rows = _fill(user, 30)
    client = _client(user)
    first = client.get(reverse("notifications:list")).content.decode()
    second = client.get(reverse("notifications:list"), {"page": 2}).content.decode()
    assert first.count('data-testid="notification-item"') == 25
    assert second.count('data-testid="notification-item"') == 5
    assert f'data-notification-id="{rows[29].pk}"' in second


def test_inbox_escapes_text() -> None:
    user = UserFactory.create()
    NotificationFactory.create(recipient=user, title="<script>alert(1)</script>", body="<b>x</b>")
    page = _client(user).get(reverse("notifications:list")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


def test_inbox_needs_sign_in() -> None:
    response = Client().get(reverse("notifications:list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("kind", ["staff", "portal"])
def test_inbox_queries_do_not_grow(kind: str, django_assert_max_num_queries: Any) -> None:
    user = staff_user(role_codes=["agent"]) if kind == "staff" else portal_account()
    client = _client(user)
    url = reverse("notifications:list")
    _fill(user, 2)
    few = _queries(client, url)
    _fill(user, 40)
    _fill(user, 5, read_at=timezone.now())
    assert _queries(client, url) == few
    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        client.get(url)


# --------------------------------------------------------------------------- posts


def test_open_marks_read_and_follows_the_link() -> None:
    user = UserFactory.create()
    notification = NotificationFactory.create(recipient=user, url="/tickets/42/")
    response = _client(user).post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/tickets/42/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_open_without_link_goes_to_the_inbox() -> None:
    user = UserFactory.create()
    notification = NotificationFactory.create(recipient=user, url="")
    response = _client(user).post(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_open_never_redirects_off_site() -> None:
    user = UserFactory.create()
    # Written around the service (which refuses such links): the view still does not follow it.
    notification = NotificationFactory.create(recipient=user, url="https://evil.example.com/")
    response = _client(user).post(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:list")


@pytest.mark.parametrize("name", ["open", "read"])
def test_posting_on_someone_elses_notification_is_404_and_changes_nothing(name: str) -> None:
    theirs = NotificationFactory.create()
    response = _client(UserFactory.create()).post(reverse(f"notifications:{name}", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("name", ["open", "read"])
def test_get_is_not_allowed_on_posts(name: str) -> None:
    user = UserFactory.create()
    notification = NotificationFactory.create(recipient=user)
    assert _client(user).get(reverse(f"notifications:{name}", args=[notification.pk])).status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_read_by_htmx_returns_the_item_and_refreshes_the_bell() -> None:
    user = UserFactory.create()
    notification = NotificationFactory.create(recipient=user)
    response = _client(user).post(reverse("notifications:read", args=[notification.pk]), headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "notificationsChanged"
    html = response.content.decode()
    assert 'data-read="true"' in html
    assert 'data-testid="notification-mark-read"' not in html


def test_mark_read_by_form_goes_back() -> None:
    user = UserFactory.create()
    notification = NotificationFactory.create(recipient=user)
    back = reverse("notifications:list") + "?show=unread&page=2"
    response = _client(user).post(reverse("notifications:read", args=[notification.pk]), {"next": back})
    assert response["Location"] == back
    off_site = _client(user).post(
        reverse("notifications:read", args=[notification.pk]), {"next": "https://evil.example.com/"}
    )
    assert off_site["Location"] == reverse("notifications:list")


def test_mark_all_read() -> None:
    user, other = UserFactory.create(), UserFactory.create()
    _fill(user, 4)
    NotificationFactory.create(recipient=other)
    response = _client(user).post(reverse("notifications:read_all"), follow=True)
    assert response.status_code == 200
    assert "All notifications marked as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1
