"""The demo installed base and stock ``make run`` loads, once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from weibao.assets.models import ConfigurationItem, HandoverDocument, ItemRelation
from weibao.inventory.models import Part, StockLevel
from weibao.inventory.services import stock_verify


@pytest.mark.django_db
def test_demo_items_and_stock_load_once() -> None:
    call_command("load_demo_data", stdout=io.StringIO())
    for command in ("load_demo_items", "load_demo_stock"):
        call_command(command, stdout=io.StringIO())
    again = io.StringIO()
    call_command("load_demo_items", stdout=again)
    call_command("load_demo_stock", stdout=again)
    assert "0 created" in again.getvalue() and "0 parts created" in again.getvalue()

    assert ConfigurationItem.objects.count() == 8 and ItemRelation.objects.count() == 4
    assert HandoverDocument.objects.count() == 1
    server = ConfigurationItem.objects.get(code="SRV-DB-01")
    assert server.components.count() == 2 and server.tickets.count() == 0
    assert ConfigurationItem.objects.get(code="PRN-MZ-001").tickets.exists()
    assert Part.objects.count() == 4 and StockLevel.objects.filter(location__kind="engineer").count() == 3
    assert stock_verify() == []
