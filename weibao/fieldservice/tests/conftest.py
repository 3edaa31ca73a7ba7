"""Field-service tests assert on English msgids (the report itself is always rendered in Chinese)."""

from weibao.accounts.tests.conftest import _english  # noqa: F401
