"""A demo maintenance plan on top of ``load_demo_data`` (issue 5): this year's plan of the demo hospital,
approved and active, with a monthly call, a quarterly inspection and a yearly full check, scheduled for
the next 60 days. Idempotent (by title). Run by ``make run``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from weibao.accounts.models import User
from weibao.customers.models import Customer
from weibao.maintenance import services
from weibao.maintenance.choices import RoutineKind
from weibao.maintenance.models import MaintenancePlan


class Command(BaseCommand):
    help = "Load a demo maintenance plan (needs load_demo_data first). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        manager = User.objects.filter(username="manager").first()
        engineer = User.objects.filter(username="engineer").first()
        customer = Customer.objects.filter(name="示范市第一人民医院").first()
        if manager is None or engineer is None or customer is None:
            self.stdout.write("demo plan skipped: run load_demo_data first")
            return
        year = timezone.localdate().year
        title = f"{year} 年度 HIS 维保计划"
        if MaintenancePlan.objects.filter(title=title, customer=customer).exists():
            self.stdout.write("demo plan: 0 created")
            return
        system = customer.systems.order_by("pk").first()
        plan = services.plan_create(
            actor=manager,
            fields=services.PlanFields(
                customer_id=customer.pk,
                system_id=system.pk if system else None,
                year=year,
                title=title,
                responsible_id=manager.pk,
                goals="核心业务系统全年可用率不低于 99.9%；重大故障 4 小时内恢复。",
                scope="HIS 服务器、数据库、门诊与住院工作站、机房网络与 UPS。",
                budget="120000",
            ),
        )
        for kind, title_text, checklist in (
            (RoutineKind.CALL, "信息科用户回访", []),
            (
                RoutineKind.INSPECTION,
                "季度例行巡检",
                ["检查服务器运行状态与告警", "检查数据库备份", "检查机房温湿度与 UPS"],
            ),
            (RoutineKind.FULL_CHECK, "年度全面检查", ["全部设备与线路检查", "容灾演练", "出具年度检查报告"]),
        ):
            services.routine_add(
                actor=manager,
                plan_id=plan.pk,
                fields=services.RoutineFields(
                    kind=kind, title=title_text, assignee_ids=[engineer.pk], checklist=checklist
                ),
            )
        services.plan_approve(actor=manager, plan_id=plan.pk)
        services.plan_activate(actor=manager, plan_id=plan.pk)
        result = services.plans_generate(plan_ids=[plan.pk])
        self.stdout.write(f"demo plan: 1 created, {result.occurrences} occurrences scheduled")
