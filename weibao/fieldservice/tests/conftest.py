"""Field-service tests assert on English msgids (the report itself is always rendered in Chinese)."""

from __future__ import annotations

from typing import Any

import pytest

from weibao.accounts.tests.conftest import _english  # noqa: F401
from weibao.accounts.tests.factories import staff_user
from weibao.customers.models import Customer
from weibao.customers.tests.factories import CustomerFactory


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def hospital() -> Customer:
    return CustomerFactory.create(name="安庆市第一人民医院")


@pytest.fixture
def manager() -> Any:
    return staff_user(role_codes=["agent"])


@pytest.fixture
def engineer() -> Any:
    return staff_user(role_codes=["support_engineer"], display_name="王工")
