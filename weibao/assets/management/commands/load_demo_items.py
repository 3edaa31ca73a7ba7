"""Demo installed base on top of ``load_demo_data`` (issue 6): the demo hospital's servers, network,
terminals, application modules and lines with suppliers, warranties in every state, components,
relations and a handover checklist; the first open ticket names the server. Idempotent: items are
matched on their asset tag. Run by ``make run``."""

from __future__ import annotations

import zlib
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.utils import timezone

from weibao.accounts.models import User
from weibao.assets.models import ConfigurationItem, HandoverDocument, Supplier
from weibao.assets.services import (
    handover_upload,
    handover_waive,
    item_create,
    item_relate,
    item_set_components,
    supplier_create,
)
from weibao.customers.models import Customer

SUPPLIERS = ["华为技术有限公司", "联想（北京）有限公司", "中国电信"]


class Command(BaseCommand):
    help = "Load the demo installed base (needs load_demo_data first). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        admin = User.objects.filter(username="admin").first()
        customer = Customer.objects.filter(name="示范市第一人民医院").first()
        if admin is None or customer is None:
            self.stdout.write("demo items skipped: run load_demo_data first")
            return
        for name in SUPPLIERS:
            if not Supplier.objects.filter(name=name).exists():
                supplier_create(actor=admin, name=name)
        supplier = {s.name: s.pk for s in Supplier.objects.all()}
        system = customer.systems.order_by("pk").first()
        site = customer.sites.order_by("pk").first()
        today = timezone.localdate()
        rows = [
            ("SRV-DB-01", "server", "HIS 数据库服务器", "RH2288H V5", SUPPLIERS[0], 400, 500),
            ("SRV-APP-01", "server", "HIS 应用服务器", "RH2288H V5", SUPPLIERS[0], 1200, -30),
            ("SW-CORE-01", "network", "核心交换机", "S7706", SUPPLIERS[0], 900, 60),
            ("STO-01", "storage", "集中存储", "OceanStor 5300", SUPPLIERS[0], 700, 200),
            ("PC-MZ-001", "terminal", "门诊收费处工作站", "ThinkCentre M720", SUPPLIERS[1], 800, -100),
            ("PRN-MZ-001", "terminal", "门诊收费处票据打印机", "LQ-730K", SUPPLIERS[1], 800, -100),
            ("LINE-01", "line", "院区互联专线 100M", "", SUPPLIERS[2], 365, 120),
            ("HIS-MZ", "module", "门诊挂号收费模块", "", None, None, None),
        ]
        created = 0
        for code, kind, name, model, vendor, bought_days_ago, warranty_left in rows:
            if ConfigurationItem.objects.filter(customer=customer, code=code).exists():
                continue
            item_create(
                actor=admin,
                customer_id=customer.pk,
                values={
                    "kind": kind,
                    "code": code,
                    "name": name,
                    "model": model,
                    "version": "5.2.1" if kind == "module" else "",
                    "serial_number": f"SN{zlib.crc32(code.encode()) % 10**8:08d}" if kind != "module" else "",
                    "system_id": system.pk if system else None,
                    "site_id": site.pk if site else None,
                    "location": "信息中心机房 A 排" if kind in ("server", "storage", "network") else "",
                    "supplier_id": supplier[vendor] if vendor else None,
                    "purchase_date": today - timedelta(days=bought_days_ago) if bought_days_ago else None,
                    "warranty_end": today + timedelta(days=warranty_left)
                    if warranty_left is not None
                    else None,
                },
            )
            created += 1
        by_code = {i.code: i for i in ConfigurationItem.objects.filter(customer=customer)}
        if created:
            item_set_components(
                actor=admin,
                item_id=by_code["SRV-DB-01"].pk,
                components=[
                    {"name": "硬盘 1.2TB ×4", "warranty_end": (today + timedelta(days=500)).isoformat()},
                    {"name": "电源模块", "warranty_end": (today - timedelta(days=10)).isoformat()},
                ],
            )
            item_relate(
                actor=admin,
                source_id=by_code["HIS-MZ"].pk,
                kind="runs_on",
                target_id=by_code["SRV-APP-01"].pk,
            )
            item_relate(
                actor=admin,
                source_id=by_code["SRV-APP-01"].pk,
                kind="connected_to",
                target_id=by_code["SW-CORE-01"].pk,
            )
            item_relate(
                actor=admin,
                source_id=by_code["SRV-DB-01"].pk,
                kind="connected_to",
                target_id=by_code["STO-01"].pk,
            )
            item_relate(
                actor=admin,
                source_id=by_code["PRN-MZ-001"].pk,
                kind="connected_to",
                target_id=by_code["PC-MZ-001"].pk,
            )
            ticket = (
                customer.tickets.filter(status__in=["new", "assigned", "in_progress"]).order_by("pk").first()
            )
            if ticket is not None:
                ticket.items.add(by_code["PRN-MZ-001"])
        if system is not None and not HandoverDocument.objects.filter(system=system).exists():
            handover_upload(
                actor=admin,
                system_id=system.pk,
                kind="manual",
                title="HIS 用户操作手册",
                upload=SimpleUploadedFile(
                    "HIS用户手册.txt", "门诊挂号收费模块操作说明……".encode(), "text/plain"
                ),
            )
            handover_waive(actor=admin, system_id=system.pk, kind="drawing", reason="软件项目，无施工图纸")
        self.stdout.write(f"demo items: {created} created")
