"""Fixtures for accounts tests (also imported by customers tests)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

_BASE_TEMPLATE_NAMES = ["tickets:console", "tickets:log_call", "tickets:portal_list", "tickets:portal_create"]


def _real_urls_work() -> bool:
    try:
        for name in _BASE_TEMPLATE_NAMES:
            reverse(name)
    except Exception:  # any failure (missing name, import error) means "use the stubs"
        return False
    return True


@pytest.fixture(autouse=True)
def _pages_render(settings: Any) -> None:
    """Let pages extending base.html render even while the service desk URLs are missing."""
    if not _real_urls_work():
        settings.ROOT_URLCONF = "weibao.accounts.tests.stub_urls"


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Iterator[None]:
    """Assert on English msgids: the zh_Hans catalogue may translate them at any time."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
