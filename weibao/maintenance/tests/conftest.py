"""Maintenance-plan tests: English msgids; a hospital with a contact and a contract; staff."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from weibao.accounts.tests.conftest import _english  # noqa: F401
from weibao.accounts.tests.factories import staff_user
from weibao.customers.models import Customer
from weibao.customers.tests.factories import ContactFactory, CustomerFactory
from weibao.sla.models import ServiceContract, SlaPolicy


@pytest.fixture
def hospital() -> Customer:
    customer = CustomerFactory.create(name="安庆市第一人民医院")
    ContactFactory.create(customer=customer, name="张主任", email="zhang@hosp.test")
    # Plans run under a maintenance contract: their visits are contract service, not paid work.
    ServiceContract.objects.create(
        customer=customer,
        policy=SlaPolicy.objects.get(is_default=True),
        number="HT-2026-08",
        name="年度维保",
        starts_on=date(2025, 1, 1),
    )
    return customer


@pytest.fixture
def manager() -> Any:
    return staff_user(role_codes=["service_manager"], email="boss@weibao.test")


@pytest.fixture
def engineer() -> Any:
    return staff_user(role_codes=["support_engineer"], email="wang@weibao.test")
