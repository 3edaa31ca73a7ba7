"""Calendar arithmetic throughput (issue 3): deadlines and working time per second on ONE core.

    uv run python bench/bench_calendar.py
    uv run python bench/bench_calendar.py -n 500000 --repeat 7 --json var/bench/calendar.json

Pure Python, no database: ``cn-workday`` is compiled straight from the installed chinesecalendar
package (weekly periods Mon-Fri 08:30-12:00 + 13:30-17:30, Asia/Shanghai, every holiday and make-up
workday the package knows), exactly what migration 0002 seeds. The process pins itself to CPU 0
(``os.sched_setaffinity``) where the platform allows it.

Inputs (fixed seed): ``-n`` random starts, uniform to the second over 2025-01-01..2026-12-31 in
Shanghai time (so they fall in working time, breaks, nights, weekends and holidays as they come), and
random spans of 1..13,500 working minutes (up to 30 working days of 450 minutes). Measured:

- compile time of the calendar (median of ``--compiles`` runs);
- ``CompiledCalendar.deadline(datetime, minutes)``: aware datetimes in and out (the SLA front door);
- ``CompiledCalendar.deadline_ts(int, seconds)``: UTC epoch seconds in and out (bulk recomputation);
- ``working_seconds(int, int)`` / ``working_minutes(datetime, datetime)`` for random pairs up to 60
  days apart; ``end_of_working_day_ts``.

Each figure is the whole loop (Python ``for`` over prepared inputs + the call), best and median of
``--repeat`` runs after a warm-up. Before measuring, a sample of results is checked (round trip:
the working time from a start to its deadline is exactly the span), so a fast wrong engine fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from weibao.calendars.builtin import CN_WORKDAY_PERIODS, package_days, package_years  # noqa: E402
from weibao.calendars.engine import CalendarSpec, CompiledCalendar, compile_calendar  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
GOAL = 100_000  # deadline computations per second on one core (issue 3)
MAX_SPAN_MINUTES = 30 * 450


def cn_workday_spec() -> CalendarSpec:
    days = package_days()
    return CalendarSpec(
        time_zone="Asia/Shanghai",
        periods={weekday: tuple(p) for weekday, p in CN_WORKDAY_PERIODS.items()},
        holidays=frozenset(d for d, kind, _name in days if kind == "holiday"),
        workdays=frozenset(d for d, kind, _name in days if kind == "workday"),
        covered_years=frozenset(package_years()),
        uses_holidays=True,
    )


def pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {0})
            return "CPU 0 (sched_setaffinity)"
        except OSError as exc:
            return f"not pinned ({exc})"
    return "not pinned (no sched_setaffinity on this platform)"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def timed(loop: Callable[[], None], repeat: int) -> list[float]:
    loop()  # warm-up
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        loop()
        runs.append(time.perf_counter() - started)
    return runs


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("-n", type=int, default=200_000, help="computations per measured run")
    parser.add_argument("--repeat", type=int, default=5, help="measured runs per figure (best and median)")
    parser.add_argument("--compiles", type=int, default=10, help="compilations timed")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    pinned = pin_one_core()
    spec = cn_workday_spec()

    compile_runs = []
    calendar: CompiledCalendar | None = None
    for _ in range(args.compiles):
        started = time.perf_counter()
        calendar = compile_calendar(spec)
        compile_runs.append(time.perf_counter() - started)
    assert calendar is not None
    intervals = len(calendar._arrays.starts)

    rng = random.Random(args.seed)
    low = int(dt.datetime(2025, 1, 1, tzinfo=SH).timestamp())
    high = int(dt.datetime(2027, 1, 1, tzinfo=SH).timestamp()) - 1
    n = args.n
    starts = [rng.randint(low, high) for _ in range(n)]
    minutes = [rng.randint(1, MAX_SPAN_MINUTES) for _ in range(n)]
    seconds = [m * 60 for m in minutes]
    moments = [dt.datetime.fromtimestamp(s, tz=SH) for s in starts]
    ends = [s + rng.randint(0, 60 * 86400) for s in starts]
    end_moments = [dt.datetime.fromtimestamp(e, tz=SH) for e in ends]
    days = [rng.randint(1, 30) for _ in range(n)]

    # correctness first: a fast wrong answer is worth nothing
    for s, sec in list(zip(starts, seconds, strict=True))[:2000]:
        due = calendar.deadline_ts(s, sec)
        assert calendar.working_seconds(s, due) == sec, (s, sec)
        assert calendar.is_working(due - 1), (s, sec)
    for moment, m in list(zip(moments, minutes, strict=True))[:2000]:
        assert calendar.working_minutes(moment, calendar.deadline(moment, m)) == m

    deadline_ts, deadline = calendar.deadline_ts, calendar.deadline
    working_seconds, working_minutes = calendar.working_seconds, calendar.working_minutes
    end_of_day = calendar.end_of_working_day_ts

    def loop_deadline() -> None:
        for moment, m in zip(moments, minutes, strict=True):
            deadline(moment, m)

    def loop_deadline_ts() -> None:
        for s, sec in zip(starts, seconds, strict=True):
            deadline_ts(s, sec)

    def loop_working_seconds() -> None:
        for s, e in zip(starts, ends, strict=True):
            working_seconds(s, e)

    def loop_working_minutes() -> None:
        for a, b in zip(moments, end_moments, strict=True):
            working_minutes(a, b)

    def loop_end_of_day() -> None:
        for s, d in zip(starts, days, strict=True):
            end_of_day(s, d)

    rows: list[dict[str, Any]] = []
    for name, loop in [
        ("deadline(datetime, minutes) -> datetime", loop_deadline),
        ("deadline_ts(int, seconds) -> int", loop_deadline_ts),
        ("working_minutes(datetime, datetime)", loop_working_minutes),
        ("working_seconds(int, int)", loop_working_seconds),
        ("end_of_working_day_ts(int, days)", loop_end_of_day),
    ]:
        runs = timed(loop, args.repeat)
        rows.append(
            {
                "operation": name,
                "n": n,
                "best_per_s": n / min(runs),
                "median_per_s": n / statistics.median(runs),
                "us_per_call": min(runs) / n * 1e6,
            }
        )

    results = {
        "date": dt.datetime.now(tz=dt.UTC).date().isoformat(),
        "python": platform.python_version(),
        "cpu": cpu_model(),
        "pinned": pinned,
        "load_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "holiday_years": f"{min(package_years())}-{max(package_years())}",
        "compiled_years": f"{calendar._arrays.first_year}-{calendar._arrays.last_year}",
        "intervals": intervals,
        "compile_ms_median": statistics.median(compile_runs) * 1000,
        "compile_ms_min": min(compile_runs) * 1000,
        "seed": args.seed,
        "repeat": args.repeat,
        "rows": rows,
    }

    print(f"cn-workday from chinesecalendar {results['holiday_years']}, compiled {results['compiled_years']}")
    print(f"Python {results['python']}, {results['cpu']}, {pinned}; n={n}, best/median of {args.repeat}")
    print(f"1-minute load average at the end: {results['load_1min']}")
    print()
    print(
        f"compile: {results['compile_ms_median']:.1f} ms median, {results['compile_ms_min']:.1f} ms min "
        f"({args.compiles} runs, {intervals:,} working intervals)"
    )
    print()
    print("| operation | calls/s (best) | calls/s (median) | µs/call (best) |")
    print("|---|---:|---:|---:|")
    for row in rows:
        print(
            f"| `{row['operation']}` | {row['best_per_s']:,.0f} | {row['median_per_s']:,.0f} "
            f"| {row['us_per_call']:.2f} |"
        )
    worst_deadline = min(row["median_per_s"] for row in rows[:2])
    verdict = "met" if worst_deadline > GOAL else "MISSED"
    print()
    print(f"goal > {GOAL:,} deadlines/s on one core: {verdict} (slower median {worst_deadline:,.0f}/s)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
