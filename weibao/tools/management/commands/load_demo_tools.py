"""Demo tools on top of ``load_demo_data`` (issue 6): test equipment kept by the demo engineers, one
fixed asset, one lent to a colleague, and a purchase request awaiting approval. Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from weibao.accounts.models import User
from weibao.tools.models import PurchaseRequest, Tool
from weibao.tools.services import purchase_request, tool_check_out, tool_register


class Command(BaseCommand):
    help = "Load demo tools and a purchase request (needs load_demo_data first). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        manager = User.objects.filter(username="manager").first()
        engineer = User.objects.filter(username="engineer").first()
        if manager is None or engineer is None:
            self.stdout.write("demo tools skipped: run load_demo_data first")
            return
        if Tool.objects.exists():
            self.stdout.write("demo tools: 0 created")
            return
        meter = tool_register(
            actor=manager, code="YQ-NET-01", name="网络测试仪", kind="test_equipment", keeper_id=manager.pk,
            model="Fluke LinkIQ", is_fixed_asset=True, asset_number="GZ-2024-015", value="18600.00",
        )  # fmt: skip
        tool_register(actor=manager, code="GJ-01", name="压线钳套装", keeper_id=engineer.pk, value="260.00")
        tool_register(
            actor=manager,
            code="GJ-02",
            name="笔记本电脑（调试用）",
            keeper_id=engineer.pk,
            model="ThinkPad T14",
        )
        tool_check_out(actor=manager, tool_id=meter.pk, borrower_id=engineer.pk, purpose="住院部网络巡检")
        if not PurchaseRequest.objects.exists():
            purchase_request(
                actor=engineer,
                title="光功率计",
                quantity=1,
                unit_price="1200",
                reason="光纤链路排障需要，现有设备已老化",
            )
        self.stdout.write("demo tools: 3 created")
