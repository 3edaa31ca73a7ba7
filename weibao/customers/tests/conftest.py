"""Customers tests reuse the accounts fixtures (pages render while other apps' URLs are missing)."""

from weibao.accounts.tests.conftest import _english, _pages_render  # noqa: F401
