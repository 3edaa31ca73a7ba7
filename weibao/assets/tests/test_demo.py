"""The demo installed base ``make run`` loads, once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from weibao.assets.models import ConfigurationItem, HandoverDocument, ItemRelation


@pytest.mark.django_db
def test_demo_items_load_once() -> None:
    call_command("load_demo_data", stdout=io.StringIO())
    call_command("load_demo_items", stdout=io.StringIO())
    again = io.StringIO()
    call_command("load_demo_items", stdout=again)
    assert "0 created" in again.getvalue()

    assert ConfigurationItem.objects.count() == 8 and ItemRelation.objects.count() == 4
    assert HandoverDocument.objects.count() == 1
    server = ConfigurationItem.objects.get(code="SRV-DB-01")
    assert server.components.count() == 2 and server.tickets.count() == 0
    assert ConfigurationItem.objects.get(code="PRN-MZ-001").tickets.exists()
