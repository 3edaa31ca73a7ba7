"""Service-report PDF render time (issue 5): one realistic signed work order rendered N times.

    uv run python bench/bench_report.py            # ~1 minute; a Markdown table on stdout

The order: an on-site visit with 10 checklist items, 4 parts, 5 charge lines (paid service), 2 equipment
receipts, 6 photos (1600x1200 JPEG, ~300 KB each, as a phone takes them) and a drawn signature. It
lives in a throwaway SQLite database (the embedded profile, its own WEIBAO_VAR_DIR), so the figure is
WeasyPrint's work plus the template and the reads, not the database. Reports the first render (Pango
and fonts loading) and then min / median / p95 of ``service_report_pdf`` over ``-n`` renders, the PDF
size, and that the CJK font is embedded (pdffonts).
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = Path(tempfile.mkdtemp(prefix="weibao-bench-report-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["WEIBAO_VAR_DIR"] = str(VAR)
os.environ["DATABASE_URL"] = f"sqlite:///{VAR / 'bench.sqlite3'}"
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["CELERY_BROKER_URL"] = "memory://"  # the report task is not run here; the bench renders

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from weibao.accounts.models import Role, User  # noqa: E402
from weibao.customers.models import Customer, DeliveredSystem, Site  # noqa: E402
from weibao.fieldservice import services  # noqa: E402


def photo(seed: int) -> bytes:
    image = Image.new("RGB", (1600, 1200), (40 + seed * 20, 90, 160))
    draw = ImageDraw.Draw(image)
    for i in range(0, 1600, 40):  # some texture, so the JPEG is phone-sized rather than tiny
        draw.line([(i, 0), (1600 - i, 1200)], fill=(200, (i * 7) % 255, seed * 30), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def signature() -> str:
    image = Image.new("RGBA", (800, 300), (255, 255, 255, 0))
    ImageDraw.Draw(image).line(
        [(40, 240), (200, 60), (380, 220), (560, 80), (760, 200)], fill=(0, 0, 0, 255), width=6
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    customer = Customer.objects.create(name="安庆市第一人民医院", code="bench-report")
    site = Site.objects.create(customer=customer, name="门诊楼", address="安庆市迎江区人民路 1 号")
    system = DeliveredSystem.objects.create(
        customer=customer, name="HIS", version="5.2", warranty_end=timezone.localdate() - timedelta(days=30)
    )
    agent = User.objects.create(username="bench-agent")
    agent.roles.set(Role.objects.filter(code="agent"))
    engineer = User.objects.create(username="bench-engineer", display_name="王工程师")
    engineer.roles.set(Role.objects.filter(code__in=["support_engineer", "service_manager"]))
    start = timezone.now() - timedelta(hours=2)
    order = services.work_order_create(
        actor=agent,
        plan=services.OrderPlan(
            title="门诊收费处打印机与工作站年度巡检",
            customer_id=customer.pk,
            site_id=site.pk,
            system_id=system.pk,
            planned_start=start,
            planned_end=start + timedelta(hours=3),
            engineer_ids=[engineer.pk],
            checklist=[f"检查项目 {i}：设备运行状态、日志与告警" for i in range(1, 11)],
        ),
    )
    services.work_order_set_charges(
        actor=engineer,
        order_id=order.pk,
        lines=[services.ChargeInput(description=f"收费项目 {i}", component=f"部件 {i}", unit_price=100 * i,
                                    warranty_end=timezone.localdate() + timedelta(days=30 * (i % 2 * 2 - 1)))
               for i in range(1, 6)],
    )  # fmt: skip
    services.work_order_accept_quote(actor=engineer, order_id=order.pk, accepted_by="信息科李科长")
    services.work_order_check_in(actor=engineer, order_id=order.pk, latitude="30.51", longitude="117.04")
    items = list(order.checklist.all())
    services.work_order_record(
        actor=engineer,
        order_id=order.pk,
        work_done="逐台检查收费处打印机与工作站，清理打印机进纸通道，更新驱动，检查网络与电源。\n" * 6,
        findings="两台打印机搓纸轮磨损，建议下季度更换。",
        results=[services.CheckResultInput(item_id=i.pk, result="ok", note="正常") for i in items],
        parts=[services.PartInput(name=f"配件 {i}", quantity=i, serial=f"SN-{i:04d}") for i in range(1, 5)],
    )
    for i in range(6):
        services.work_order_add_photo(
            actor=engineer, order_id=order.pk, data=photo(i), filename=f"{i}.jpg", caption=f"现场照片 {i + 1}"
        )
    for i in range(2):
        services.receipt_issue(
            actor=engineer,
            order_id=order.pk,
            description=f"HP 打印机 {i + 1}",
            handed_over_by="张主任",
            serial=f"CNB{i}",
        )
    services.work_order_check_out(actor=engineer, order_id=order.pk)
    services.work_order_sign(actor=engineer, order_id=order.pk, signer_name="张主任", signature=signature())
    order.refresh_from_db()

    t0 = time.perf_counter()
    pdf = services.service_report_pdf(order=order)
    first = (time.perf_counter() - t0) * 1000
    timings = []
    for _ in range(args.n):
        t0 = time.perf_counter()
        pdf = services.service_report_pdf(order=order)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    path = VAR / "report.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=False).stdout
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    print("\n| measure | value |\n|---|---|")
    print(f"| first render (loads Pango and fonts) | {first:.0f} ms |")
    print(f"| renders | {args.n} |")
    print(f"| min / median / p95 | {timings[0]:.0f} / {statistics.median(timings):.0f} / {p95:.0f} ms |")
    print(f"| PDF size | {len(pdf) / 1024:.0f} KB, 6 photos + signature |")
    print(f"| CJK font embedded | {'yes' if 'WenQuanYi' in fonts else 'NO'} |")


if __name__ == "__main__":
    main()
