"""Where does one request spend its time? In-process, on the bench database; not part of the test suite.

    uv run python bench/profile_request.py "/api/v1/tickets?q=打印"
    uv run python bench/profile_request.py /console/ --explain
    uv run --with pyinstrument python bench/profile_request.py /console/ --pyinstrument
    uv run python bench/profile_request.py /api/v1/tickets --post '{"customer_id": 1, "title": "测试"}'
    uv run python bench/profile_request.py /api/v1/tickets --post '...' --all-queries --cprofile

Runs the path through Django's test client signed in as ``bench-agent-01`` (the API with a Bearer
token), ``--warmup`` times and then ``-n`` times, and reports per request: wall time, the number of
SQL queries and the time spent in them (measured around each execute), and the slowest queries.
``--explain`` prints ``EXPLAIN (ANALYZE, BUFFERS)`` of every query of the last request;
``--pyinstrument`` profiles one more request with pyinstrument (if installed). ``--post JSON`` sends
POST requests with that body instead (they write: use it on the bench database only).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("DATABASE_URL", "postgres://weibao:weibao@127.0.0.1:54331/weibao_bench")
os.environ.setdefault("SECRET_KEY", "weibao-bench-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("DB_CONN_MAX_AGE", "60")
os.environ.setdefault("WEIBAO_VAR_DIR", str(ROOT / "var" / "bench"))
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from weibao.accounts.models import User  # noqa: E402
from weibao.accounts.services import api_token_create  # noqa: E402


class QueryTimer:
    """``connection.execute_wrapper`` that records (sql, params, ms) of every query."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, Any, float]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, (time.perf_counter() - started) * 1000))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("path")
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--user", default="bench-agent-01")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--all-queries", action="store_true", help="print every query of the last request")
    parser.add_argument("--cprofile", action="store_true", help="cProfile -n more requests (cumulative)")
    parser.add_argument("--post", metavar="JSON", help="POST this JSON body instead of GET")
    args = parser.parse_args()

    user = User.objects.get(username=args.user)
    client = Client()
    headers: dict[str, str] = {}
    if args.path.startswith("/api/"):
        _token, raw = api_token_create(actor=user, name="profile_request")
        headers["Authorization"] = f"Bearer {raw}"
    else:
        client.force_login(user)

    def get() -> tuple[float, QueryTimer, int]:
        timer = QueryTimer()
        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            if args.post:
                response = client.post(args.path, args.post, content_type="application/json", headers=headers)
            else:
                response = client.get(args.path, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code not in (200, 201):
            raise SystemExit(f"{args.path} answered {response.status_code}: {response.content[:300]!r}")
        return elapsed, timer, len(response.content)

    for _ in range(args.warmup):
        get()
    walls, sqls, counts = [], [], []
    timer = QueryTimer()
    size = 0
    for _ in range(args.n):
        wall, timer, size = get()
        walls.append(wall)
        sqls.append(sum(ms for _sql, _p, ms in timer.queries))
        counts.append(len(timer.queries))
    print(f"{args.path}: {args.n} requests, {size:,} bytes")
    print(f"  wall    median {statistics.median(walls):7.1f} ms   max {max(walls):7.1f} ms")
    print(f"  SQL     median {statistics.median(sqls):7.1f} ms   ({statistics.median(counts):.0f} queries)")
    print(f"  Python  median {statistics.median(w - s for w, s in zip(walls, sqls, strict=True)):7.1f} ms")
    print("  slowest queries of the last request:")
    for sql, _params, ms in sorted(timer.queries, key=lambda q: -q[2])[:5]:
        print(f"    {ms:7.1f} ms  {sql[:160]}")
    if args.all_queries:
        print("  every query of the last request:")
        for sql, _params, ms in timer.queries:
            print(f"    {ms:7.2f} ms  {sql[:150]}")
    if args.cprofile:
        import cProfile
        import pstats

        profiler_c = cProfile.Profile()
        profiler_c.enable()
        for _ in range(args.n):
            get()
        profiler_c.disable()
        stats = pstats.Stats(profiler_c)
        stats.sort_stats("cumulative").print_stats(r"weibao|ninja/operation|pydantic", 45)
        stats.sort_stats("tottime").print_stats(30)
    if args.explain:
        with connection.cursor() as cur:
            for sql, params, ms in timer.queries:
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                print(f"\n--- {ms:.1f} ms: {sql[:300]}")
                print("\n".join(row[0] for row in cur.fetchall()))
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        get()
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
