"""The navbar bell in the browser: lazy badge, dropdown on open, open-marks-read, htmx mark read."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.e2e.conftest import NewPage, PageProblems
from tests.e2e.helpers import assert_styled, sign_in
from weibao.accounts.tests.factories import staff_user
from weibao.notifications.choices import NotificationKind, NotificationLevel
from weibao.notifications.models import Notification
from weibao.notifications.tests.factories import NotificationFactory, portal_account

# serialized_rollback: the flush after a transactional test drops the roles seeded by migrations.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_bell_for_staff(
    live_server: LiveServer, new_page: tuple[NewPage, PageProblems], page: Page, screenshot_dir: Path
) -> None:
    user = staff_user(role_codes=["agent"])
    now = timezone.now()
    for i in range(12):
        NotificationFactory.create(
            recipient=user,
            title=f"旧通知{i}",
            created_at=now - timedelta(hours=1, minutes=i),
            read_at=now,
        )
    NotificationFactory.create(recipient=user, title="待读通知", created_at=now - timedelta(minutes=2))
    newest = NotificationFactory.create(
        recipient=user,
        title="工单 #42 即将超时",
        kind=NotificationKind.SLA_WARNING,
        level=NotificationLevel.WARNING,
        url="/notifications/?show=unread",
        created_at=now,
    )
    _make, problems = new_page
    sign_in(page, live_server.url, user)
    assert_styled(page)
    bell = page.get_by_test_id("notification-bell")
    expect(bell.get_by_test_id("notification-badge")).to_have_text("2")

    bell.get_by_test_id("notification-bell-toggle").click()
    menu = page.get_by_test_id("notification-menu")
    expect(menu).to_be_visible()
    expect(menu.get_by_test_id("notification-item")).to_have_count(10)
    expect(menu.get_by_test_id("notification-item").first).to_contain_text("工单 #42 即将超时")
    expect(menu.get_by_test_id("notification-all-link")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "notification-bell.png"))

    # Opening an unread notification marks it read and follows its link.
    menu.get_by_test_id("notification-item").first.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/notifications/\?show=unread$"))
    newest.refresh_from_db()
    assert newest.read_at is not None
    expect(bell.get_by_test_id("notification-badge")).to_have_text("1")

    # In the inbox, "mark as read" swaps the item in place and the badge follows at once.
    item = page.locator('[data-testid="notification-item"][data-read="false"]')
    expect(item).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "notification-inbox.png"), full_page=True)
    item.get_by_test_id("notification-mark-read").click()
    expect(page.locator('[data-testid="notification-list"] [data-read="true"]')).to_have_count(1)
    expect(bell.get_by_test_id("notification-badge")).to_have_count(0)
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert not problems.failed, problems.failed
    assert not problems.js_errors, problems.js_errors


def test_bell_for_portal_users_and_mark_all_read(
    live_server: LiveServer, new_page: tuple[NewPage, PageProblems], page: Page
) -> None:
    user = portal_account()
    NotificationFactory.create_batch(3, recipient=user)
    _make, problems = new_page
    sign_in(page, live_server.url, user)
    page.goto(f"{live_server.url}/notifications/")
    expect(page.get_by_test_id("notification-badge")).to_have_text("3")
    page.get_by_test_id("notification-read-all").click()
    expect(page.get_by_test_id("notification-list").locator('[data-read="false"]')).to_have_count(0)
    expect(page.get_by_test_id("notification-badge")).to_have_count(0)
    assert not problems.js_errors, problems.js_errors
