"""Notifications tests: English msgids, and pages that render while other apps' URLs are broken."""

from __future__ import annotations

from typing import Any

import pytest

from weibao.accounts.tests.conftest import _english, _real_urls_work  # noqa: F401


@pytest.fixture(autouse=True)
def _pages_render(settings: Any) -> None:
    """Like the accounts fixture, but the stub URLconf keeps the notifications URLs."""
    if not _real_urls_work():
        settings.ROOT_URLCONF = "weibao.notifications.tests.stub_urls"


# The browser fixtures of the end-to-end suite, for test_e2e_bell.py.
from tests.e2e.conftest import (  # noqa: E402, F401
    browser,
    new_page,
    page,
    pytest_runtest_makereport,
    screenshot_dir,
)
