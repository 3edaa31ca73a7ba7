"""The demo spare parts ``make run`` loads, once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from weibao.inventory.models import Loan, LoanerUnit, Part, StockLevel
from weibao.inventory.services import stock_verify


@pytest.mark.django_db
def test_demo_stock_loads_once() -> None:
    call_command("load_demo_data", stdout=io.StringIO())
    call_command("load_demo_stock", stdout=io.StringIO())
    again = io.StringIO()
    call_command("load_demo_stock", stdout=again)
    assert "0 parts created" in again.getvalue()
    assert Part.objects.count() == 4 and StockLevel.objects.filter(location__kind="engineer").count() == 3
    assert stock_verify() == []
    assert LoanerUnit.objects.count() == 2 and Loan.objects.filter(returned_at__isnull=True).count() == 1
