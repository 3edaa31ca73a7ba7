"""Demo spare parts on top of ``load_demo_data`` (issue 6): a warehouse, the demo engineer's own
stock, a few parts received and some handed to the engineer, one below its minimum; two loaner
units, one lent to the demo hospital. Idempotent: a
part that exists is left alone. Run by ``make run``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from weibao.accounts.models import User
from weibao.customers.models import Customer
from weibao.inventory.choices import LocationKind, MoveKind
from weibao.inventory.models import LoanerUnit, Location, Part
from weibao.inventory.services import loan_lend, loaner_create, part_create, stock_move, stock_transfer

PARTS = [
    ("RL1-1442", "搓纸轮", "LQ-730K 适用", 10, 40, 4),
    ("PSU-550W", "服务器电源模块", "550W 热插拔", 2, 3, 1),
    ("HDD-1.2T", "服务器硬盘", "1.2TB SAS 10K", 2, 1, 0),  # below its minimum: an alert
    ("SFP-10G", "光模块", "10G SFP+ 多模", 4, 12, 2),
]


class Command(BaseCommand):
    help = "Load demo spare parts and stock (needs load_demo_data first). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        manager = User.objects.filter(username="manager").first()
        engineer = User.objects.filter(username="engineer").first()
        if manager is None or engineer is None:
            self.stdout.write("demo stock skipped: run load_demo_data first")
            return
        warehouse, _created = Location.objects.get_or_create(
            code="main", defaults={"name": "总仓", "kind": LocationKind.WAREHOUSE}
        )
        van, _created = Location.objects.get_or_create(
            code=f"eng-{engineer.username}",
            defaults={
                "name": f"{engineer.display_name} 随身库存",
                "kind": LocationKind.ENGINEER,
                "holder": engineer,
            },
        )
        created = 0
        for code, name, spec, minimum, received, handed in PARTS:
            if Part.objects.filter(code=code).exists():
                continue
            part = part_create(actor=manager, code=code, name=name, spec=spec, min_stock=minimum)
            stock_move(
                actor=manager,
                part_id=part.pk,
                location_id=warehouse.pk,
                kind=MoveKind.RECEIVE,
                quantity=received,
                reference="PO-2026-118",
            )
            if handed:
                stock_transfer(
                    actor=manager,
                    part_id=part.pk,
                    from_location_id=warehouse.pk,
                    to_location_id=van.pk,
                    quantity=handed,
                )
            created += 1
        if not LoanerUnit.objects.exists():
            loaner_create(
                actor=manager,
                code="BY-PRN-01",
                name="备用票据打印机",
                model="LQ-730K",
                location_id=warehouse.pk,
            )
            loaner_create(
                actor=manager,
                code="BY-PC-01",
                name="备用工作站",
                model="ThinkCentre M720",
                location_id=warehouse.pk,
            )
            hospital = Customer.objects.filter(name="示范市第一人民医院").first()
            if hospital is not None:
                unit = LoanerUnit.objects.get(code="BY-PRN-01")
                loan_lend(
                    actor=manager, unit_id=unit.pk, customer_id=hospital.pk,
                    due_on=timezone.localdate() + timedelta(days=10), contact_name="门诊收费处",
                )  # fmt: skip
        self.stdout.write(f"demo stock: {created} parts created")
