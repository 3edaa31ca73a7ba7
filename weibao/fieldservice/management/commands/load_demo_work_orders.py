"""Demo work orders on top of ``load_demo_data`` (issue 5): a visit for the demo engineer today, one
signed yesterday with its service report, and a paid visit awaiting the customer's acceptance.
Idempotent: an order whose title exists is not created again. Run by ``make run``."""

from __future__ import annotations

import base64
import io
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from PIL import Image, ImageDraw

from weibao.accounts.models import User
from weibao.customers.models import Customer, DeliveredSystem
from weibao.customers.services import customer_create, site_create, system_create
from weibao.fieldservice import services
from weibao.fieldservice.models import WorkOrder
from weibao.tickets.choices import OPEN_STATUSES
from weibao.tickets.models import Ticket

TODAY = "门诊收费处打印机上门检修"
SIGNED = "住院部护士站工作站例行检查"
PAID = "过保服务器电源更换"


def _signature() -> str:
    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    ImageDraw.Draw(image).line(
        [(30, 160), (150, 40), (300, 150), (450, 50), (570, 140)], fill=(0, 0, 0, 255), width=5
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


class Command(BaseCommand):
    help = "Load demo work orders (needs load_demo_data first). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        agent = User.objects.filter(username="agent").first()
        engineer = User.objects.filter(username="engineer").first()
        customer = Customer.objects.filter(name="示范市第一人民医院").first()
        if agent is None or engineer is None or customer is None:
            self.stdout.write("demo work orders skipped: run load_demo_data first")
            return
        created = 0
        now = timezone.localtime().replace(second=0, microsecond=0)
        system = DeliveredSystem.objects.filter(customer=customer).order_by("pk").first()
        site = customer.sites.order_by("pk").first()
        if not WorkOrder.objects.filter(title=TODAY).exists():
            ticket = Ticket.objects.filter(customer=customer, status__in=OPEN_STATUSES).order_by("pk").first()
            start = now.replace(hour=14, minute=0)
            services.work_order_create(
                actor=agent,
                plan=services.OrderPlan(
                    title=TODAY,
                    ticket_id=ticket.pk if ticket else None,
                    customer_id=None if ticket else customer.pk,
                    site_id=site.pk if site and not ticket else None,
                    planned_start=start,
                    planned_end=start + timedelta(hours=2),
                    engineer_ids=[engineer.pk],
                    tools="螺丝刀套装、清洁套装",
                    parts_needed="搓纸轮 ×2",
                    checklist=["检查打印驱动与端口", "清洁进纸通道", "打印测试页"],
                ),
            )
            created += 1
        if not WorkOrder.objects.filter(title=SIGNED).exists():
            start = now - timedelta(days=1)
            order = services.work_order_create(
                actor=agent,
                plan=services.OrderPlan(
                    title=SIGNED,
                    customer_id=customer.pk,
                    site_id=site.pk if site else None,
                    system_id=system.pk if system else None,
                    planned_start=start - timedelta(hours=1),
                    planned_end=start + timedelta(hours=1),
                    engineer_ids=[engineer.pk],
                    checklist=["检查工作站运行状态", "检查网络连接", "清理临时文件"],
                ),
            )
            if order.service_type != "paid":
                services.work_order_check_in(
                    actor=engineer, order_id=order.pk, latitude="31.2304", longitude="121.4737"
                )
                services.work_order_record(
                    actor=engineer,
                    order_id=order.pk,
                    work_done="检查护士站 6 台工作站，清理临时文件，更新杀毒软件病毒库，网络连接正常。",
                    findings="2 号工作站硬盘有坏道预警，建议下季度更换。",
                    results=[
                        services.CheckResultInput(item_id=i.pk, result="ok") for i in order.checklist.all()
                    ],
                    time_spent_minutes=95,
                )
                services.work_order_check_out(actor=engineer, order_id=order.pk)
                services.work_order_sign(
                    actor=engineer, order_id=order.pk, signer_name="护士长 刘芳", signature=_signature()
                )
                services.work_order_produce_report(order_id=order.pk)
            created += 1
        if not WorkOrder.objects.filter(title=PAID).exists():
            # Every demo hospital has a contract; a paid visit needs a customer without one.
            other, other_site, other_system = self._customer_without_contract(
                admin=User.objects.get(username="admin"), today=now.date()
            )
            start = now + timedelta(days=1)
            order = services.work_order_create(
                actor=agent,
                plan=services.OrderPlan(
                    title=PAID,
                    customer_id=other.pk,
                    site_id=other_site.pk,
                    system_id=other_system.pk,
                    planned_start=start,
                    planned_end=start + timedelta(hours=2),
                    engineer_ids=[engineer.pk],
                ),
            )
            if order.service_type == "paid":
                services.work_order_set_charges(
                    actor=agent,
                    order_id=order.pk,
                    lines=[
                        services.ChargeInput(description="上门服务费", unit_price=300),
                        services.ChargeInput(
                            description="服务器冗余电源", component="电源模块", unit_price=1200
                        ),
                    ],
                )
            created += 1
        self.stdout.write(f"demo work orders: {created} created")

    def _customer_without_contract(self, *, admin: User, today: Any) -> tuple[Customer, Any, DeliveredSystem]:
        customer = Customer.objects.filter(code="demo-dental").first()
        if customer is None:
            customer = customer_create(
                actor=admin,
                code="demo-dental",
                name="示范市口腔医院",
                region="示范省示范市",
                address="示范市和平路 9 号",
            )
        site = customer.sites.order_by("pk").first() or site_create(
            actor=admin, customer_id=customer.pk, name="本部", address="示范市和平路 9 号"
        )
        system = DeliveredSystem.objects.filter(customer=customer).order_by("pk").first() or system_create(
            actor=admin,
            customer_id=customer.pk,
            name="机房服务器",
            version="DL380 Gen9",
            site_id=site.pk,
            warranty_end=today.replace(year=today.year - 1),
        )
        return customer, site, system
