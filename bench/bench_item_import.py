"""Excel import of 50,000 configuration items (issue 6), and their export.

    bash bench/pg.sh start                      # the benchmark PostgreSQL
    uv run python bench/bench_item_import.py    # a few minutes; a Markdown table on stdout
    uv run python bench/bench_item_import.py --sqlite   # the embedded default instead

Setup (not timed): a customer with 3 delivered systems and 5 sites, 3 suppliers, and an .xlsx of
50,000 rows in the import layout (asset tag, name, kind in Chinese, system, model, serial, site,
location, supplier, purchase date as an Excel date, warranty end as text, status; one row in ten
names the server it runs on). Timed, once each, in the order a user meets them:

* the check (``item_import_check``: read, validate every row, progress every 1,000 rows);
* the all-or-nothing apply (``item_import_apply``: read and check again, write in one transaction);
* the same file again: 50,000 updates matched on the asset tag;
* the export of the 50,000 items to .xlsx.

The process's peak resident memory is reported too (``ru_maxrss``): read-only/write-only openpyxl
keeps it flat however long the sheet.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
parser.add_argument("--rows", type=int, default=50_000)
parser.add_argument(
    "--sqlite", action="store_true", help="the embedded SQLite database instead of PostgreSQL"
)
args = parser.parse_args()

os.environ.setdefault("SECRET_KEY", "weibao-bench-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("LOG_LEVEL", "WARNING")
if args.sqlite:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='weibao-bench-')}/bench.sqlite3"
else:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    os.environ.setdefault("DATABASE_URL", "postgres://weibao:weibao@127.0.0.1:54331/weibao_bench")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")  # the bench runs the tasks itself
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="weibao-bench-media-"))

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from weibao.accounts.models import Role, User  # noqa: E402
from weibao.assets import selectors  # noqa: E402
from weibao.assets.excel import COLUMNS, write_sheet  # noqa: E402
from weibao.assets.models import ConfigurationItem, ItemImport, ItemRelation, Supplier  # noqa: E402
from weibao.assets.services import item_import_apply, item_import_check, item_import_start  # noqa: E402
from weibao.customers.models import Customer, DeliveredSystem, Site  # noqa: E402

KINDS = ["服务器", "网络设备", "终端", "存储", "线路"]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def make_sheet(rows: int, *, moved: bool = False) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("配置项")
    sheet.append([c.zh for c in COLUMNS])
    start = date(2022, 1, 1)
    for i in range(1, rows + 1):
        kind = KINDS[i % len(KINDS)]
        runs_on = f"BENCH-{i - 1:06d}" if i % 10 == 0 and (i - 1) % 10 else None
        values = {
            "code": f"BENCH-{i:06d}",
            "name": f"{kind} {i}",
            "kind": kind,
            "system_id": f"基准系统 {i % 3}",
            "model": f"M-{i % 97}",
            "serial_number": f"SN{i:010d}",
            "site_id": f"基准院区 {i % 5}",
            "location": f"{i % 12 + 1} 楼 {i % 30 + 1} 室" + (" (搬迁后)" if moved else ""),
            "supplier_id": f"基准供应商 {i % 3}",
            "purchase_date": start + timedelta(days=i % 900),
            "warranty_end": (start + timedelta(days=i % 900 + 1095)).isoformat(),
            "status": "在用",
            "runs_on": runs_on,
        }
        sheet.append([values.get(c.key) for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cleanup(customer: Customer | None) -> None:
    if customer is None:
        return
    ItemRelation.objects.filter(source__customer=customer).delete()
    ConfigurationItem.objects.filter(customer=customer).delete()
    ItemImport.objects.filter(customer=customer).delete()
    DeliveredSystem.objects.filter(customer=customer).delete()
    Site.objects.filter(customer=customer).delete()
    customer.delete()
    Supplier.objects.filter(name__startswith="基准供应商").delete()


def run_import(actor: User, customer: Customer, content: bytes) -> tuple[float, float, ItemImport]:
    job = item_import_start(
        actor=actor, customer_id=customer.pk, upload=SimpleUploadedFile("bench.xlsx", content)
    )
    t0 = time.perf_counter()
    item_import_check(import_id=job.pk)
    check_s = time.perf_counter() - t0
    job.refresh_from_db()
    assert job.status == "ready", (job.status, job.message, job.errors[:3])
    ItemImport.objects.filter(pk=job.pk).update(status="importing")  # what the confirmation does
    t0 = time.perf_counter()
    item_import_apply(import_id=job.pk)
    apply_s = time.perf_counter() - t0
    job.refresh_from_db()
    assert job.status == "done", (job.status, job.message)
    return check_s, apply_s, job


def main() -> None:
    call_command("migrate", verbosity=0)
    cleanup(Customer.objects.filter(name="基准医院").first())
    actor, _created = User.objects.get_or_create(username="bench-items-admin", defaults={"kind": "staff"})
    actor.roles.set(Role.objects.filter(code="admin"))
    customer = Customer.objects.create(name="基准医院")
    for i in range(3):
        DeliveredSystem.objects.create(customer=customer, name=f"基准系统 {i}")
        Supplier.objects.get_or_create(name=f"基准供应商 {i}")
    for i in range(5):
        Site.objects.create(customer=customer, name=f"基准院区 {i}")
    log(f"writing an .xlsx of {args.rows:,} rows")
    t0 = time.perf_counter()
    content = make_sheet(args.rows)
    log(f"  {len(content) / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s")
    try:
        log("import (new items)")
        check_s, apply_s, job = run_import(actor, customer, content)
        assert ConfigurationItem.objects.filter(customer=customer).count() == args.rows
        relations = ItemRelation.objects.filter(source__customer=customer).count()
        log("import again, every row moved (updates)")
        check2_s, apply2_s, job2 = run_import(actor, customer, make_sheet(args.rows, moved=True))
        assert job2.to_update == args.rows
        assert ConfigurationItem.objects.filter(customer=customer, row_version=2).count() == args.rows
        log("import the same file again (nothing changes)")
        _check3_s, apply3_s, _job3 = run_import(actor, customer, make_sheet(args.rows, moved=True))
        log("export")
        t0 = time.perf_counter()
        exported = write_sheet(
            rows=selectors.item_export_rows(
                actor=actor, filters=selectors.ItemFilters(customer_id=customer.pk)
            ),
            lang="zh-hans",
        )
        export_s = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        total = check_s + apply_s
        print(
            f"\n{args.rows:,} rows, {len(content) / 1e6:.1f} MB .xlsx, {relations:,} relations, "
            f"database: {'SQLite' if args.sqlite else 'PostgreSQL'}\n"
        )
        print("| step | time | rows/s |\n|---|---|---|")
        for name, seconds in (
            ("check (read + validate every row)", check_s),
            ("apply: create (read + check again + write in one transaction)", apply_s),
            ("**new items, check + apply**", total),
            ("check, every row changed", check2_s),
            ("apply: update every item", apply2_s),
            ("apply: the same file once more (nothing to write)", apply3_s),
            ("export to .xlsx", export_s),
        ):
            print(f"| {name} | {seconds:.1f} s | {args.rows / seconds:,.0f} |")
        print(f"\nExported file {len(exported) / 1e6:.1f} MB; peak resident memory {peak_mb:.0f} MB.")
        assert job.errors == []
    finally:
        log("cleaning up")
        cleanup(customer)
        User.objects.filter(username="bench-items-admin").delete()


if __name__ == "__main__":
    main()
