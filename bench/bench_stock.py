# ruff: noqa: E501 - SQL statements of the setup read better unwrapped
"""On-hand quantities at scale (issue 6): 10,000 parts with 1,000,000 ledger rows.

    bash bench/pg.sh start                 # the benchmark PostgreSQL
    uv run python bench/bench_stock.py     # ~1 minute; a Markdown table on stdout

Setup (not timed; plain SQL with generate_series, dropped afterwards unless ``--keep``): 10,000 parts,
20 locations (10 warehouses, 10 engineers' stock), 1,000,000 ledger rows spread over them (receipts
first, then issues that never take a level below zero), and the per-(part, location) levels the
services keep, computed from the ledger. Timed, 30 runs each after 3 warm-ups:

* the whole on-hand list the stock page shows (``selectors.on_hand``: 10,000 parts, warehouse totals);
* the parts below their minimum;
* one part's on hand at every location;
* for comparison, the same totals summed straight from the 1,000,000 ledger rows;
* ``stock_verify()`` (every level against its ledger sum: the audit job).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("DATABASE_URL", "postgres://weibao:weibao@127.0.0.1:54331/weibao_bench")
os.environ.setdefault("SECRET_KEY", "weibao-bench-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from weibao.accounts.models import Role, User  # noqa: E402
from weibao.inventory import selectors  # noqa: E402
from weibao.inventory.services import stock_verify  # noqa: E402

PARTS, LOCATIONS, MOVES = 10_000, 20, 1_000_000


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def setup() -> None:
    with transaction.atomic():
        sql(
            "INSERT INTO inventory_part (code, name, spec, unit, min_stock, is_active, created_at) "
            "SELECT 'bench-' || i, '基准备件 ' || i, '', '个', (i %% 7) * 3, true, now() FROM generate_series(1, %s) i",
            [PARTS],
        )
        sql(
            "INSERT INTO inventory_location (code, name, kind, holder_id, is_active) "
            "SELECT 'bench-w' || i, '基准仓库 ' || i, 'warehouse', NULL, true FROM generate_series(1, %s) i",
            [LOCATIONS // 2],
        )
        holder = User.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True).first()
        sql(
            "INSERT INTO inventory_location (code, name, kind, holder_id, is_active) "
            "SELECT 'bench-e' || i, '基准工程师 ' || i, 'engineer', %s, true FROM generate_series(1, %s) i",
            [holder, LOCATIONS // 2],
        )
        # Receipts (positive) for the first 60 % of the rows, then issues of 1 that stay below what
        # was received per (part, location): receipts are 5-20, at most a third of the rows are issues.
        sql(
            """
            WITH p AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM inventory_part WHERE code LIKE 'bench-%%'),
                 l AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM inventory_location WHERE code LIKE 'bench-%%'),
                 g AS (SELECT i, ((i::bigint * 7919) %% %s) + 1 AS pn, ((i::bigint * 104729) %% %s) + 1 AS ln FROM generate_series(1, %s) i)
            INSERT INTO inventory_stockmove (part_id, location_id, kind, quantity, balance_after, reference, note, actor_id, at)
            SELECT p.id, l.id,
                   CASE WHEN g.i <= %s THEN 'receive' ELSE 'issue' END,
                   CASE WHEN g.i <= %s THEN 5 + (g.i %% 16) ELSE -1 END,
                   0, '', '', NULL, now() - make_interval(secs => %s - g.i)
            FROM g JOIN p ON p.n = g.pn JOIN l ON l.n = g.ln
            """,
            [PARTS, LOCATIONS, MOVES, int(MOVES * 0.6), int(MOVES * 0.6), MOVES],
        )
        sql(
            "INSERT INTO inventory_stocklevel (part_id, location_id, on_hand, updated_at) "
            "SELECT part_id, location_id, GREATEST(SUM(quantity), 0), now() FROM inventory_stockmove m "
            "JOIN inventory_part p ON p.id = m.part_id WHERE p.code LIKE 'bench-%%' GROUP BY part_id, location_id"
        )
    sql(
        "ANALYZE inventory_part; ANALYZE inventory_stockmove; ANALYZE inventory_stocklevel; ANALYZE inventory_location"
    )


def cleanup() -> None:
    with transaction.atomic():
        sql(
            "DELETE FROM inventory_stocklevel WHERE part_id IN (SELECT id FROM inventory_part WHERE code LIKE 'bench-%%')"
        )
        sql(
            "DELETE FROM inventory_stockmove WHERE part_id IN (SELECT id FROM inventory_part WHERE code LIKE 'bench-%%')"
        )
        sql("DELETE FROM inventory_part WHERE code LIKE 'bench-%%'")
        sql("DELETE FROM inventory_location WHERE code LIKE 'bench-%%'")
        User.objects.filter(username="bench-stock-admin").delete()


def timed(call: Callable[[], Any], runs: int = 30) -> tuple[float, float]:
    for _ in range(3):
        call()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    cleanup()
    log("loading 10,000 parts and 1,000,000 ledger rows")
    setup()
    actor, _created = User.objects.get_or_create(username="bench-stock-admin", defaults={"kind": "staff"})
    actor.roles.set(Role.objects.filter(code="admin"))
    part_id = selectors.on_hand(actor=actor).filter(code="bench-42").values_list("pk", flat=True).first() or 0
    try:
        rows: list[tuple[str, tuple[float, float]]] = [
            (
                "on-hand list, 10,000 parts (warehouse totals)",
                timed(lambda: list(selectors.on_hand(actor=actor))),
            ),
            (
                "parts below their minimum",
                timed(lambda: list(selectors.on_hand(actor=actor, below_minimum=True))),
            ),
            (
                "one part at every location",
                timed(lambda: list(selectors.on_hand(actor=actor).filter(pk=part_id))),
            ),
            (
                "for comparison: totals summed from the 1,000,000 ledger rows",
                timed(
                    lambda: sql("SELECT part_id, SUM(quantity) FROM inventory_stockmove GROUP BY part_id"),
                    runs=5,
                ),
            ),
        ]
        t0 = time.perf_counter()
        mismatches = stock_verify()
        verify_s = time.perf_counter() - t0
        print("\n| query | p50 | p95 |\n|---|---|---|")
        for name, (p50, p95) in rows:
            print(f"| {name} | {p50:.0f} ms | {p95:.0f} ms |")
        print(f"\n`stock_verify()` over every level: {verify_s:.1f} s, {len(mismatches)} mismatches.")
    finally:
        if not args.keep:
            log("cleaning up")
            cleanup()


if __name__ == "__main__":
    main()
