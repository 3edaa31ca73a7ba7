"""Demo returns on top of ``load_demo_items`` (issue 6): the demo hospital's receipt printer sent back
to its supplier, with its root cause. Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from weibao.accounts.models import User
from weibao.assets.models import ConfigurationItem
from weibao.returns.models import Rma
from weibao.returns.services import rma_analyse, rma_create, rma_transition


class Command(BaseCommand):
    help = "Load a demo return (needs load_demo_data and load_demo_items first). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        manager = User.objects.filter(username="manager").first()
        printer = ConfigurationItem.objects.filter(code="PRN-MZ-001").first()
        if manager is None or printer is None:
            self.stdout.write("demo returns skipped: run load_demo_data and load_demo_items first")
            return
        if Rma.objects.exists():
            self.stdout.write("demo returns: 0 created")
            return
        ticket = printer.tickets.order_by("pk").first()
        rma = rma_create(
            actor=manager, customer_id=printer.customer_id, item_id=printer.pk,
            ticket_id=ticket.pk if ticket else None, reason="打印头断针，现场无法修复，返厂检测",
        )  # fmt: skip
        rma_transition(actor=manager, rma_id=rma.pk, action="approve")
        rma_analyse(
            actor=manager, rma_id=rma.pk,
            changes={"root_cause": "打印头批次缺陷", "responsible_department": "供应商质量部"},
        )  # fmt: skip
        rma_transition(actor=manager, rma_id=rma.pk, action="send", shipping_reference="SF1029384756")
        self.stdout.write("demo returns: 1 created")
