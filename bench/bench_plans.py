"""Maintenance-plan generation at scale (issue 5): 2,000 customers x 5 routines for a whole year.

    bash bench/pg.sh start                 # the benchmark PostgreSQL
    uv run python bench/bench_plans.py     # ~2 minutes; a Markdown table on stdout

Setup (not timed): 2,000 customers with a delivered system and an active contract each, 20 engineers,
and one active plan per customer with five routines - a monthly call, a quarterly inspection, a
half-yearly key-equipment check, a yearly full check (each with a three-item checklist) and a custom
monthly routine - on the shipped ``cn-workday`` calendar (holidays and make-up workdays of the year).

Timed: ``plans_generate(today=1 January, horizon_days=365)`` once for every plan - 62,000 occurrences
(each moved onto a working day), 14,000 work orders with their engineers, checklists and timeline
rows - then the same call again (idempotence: nothing to create). Everything it created is deleted
afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("DATABASE_URL", "postgres://weibao:weibao@127.0.0.1:54331/weibao_bench")
os.environ.setdefault("SECRET_KEY", "weibao-bench-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402

from weibao.accounts.models import Role, User  # noqa: E402
from weibao.customers.models import Customer, DeliveredSystem  # noqa: E402
from weibao.fieldservice.models import ChecklistItem, OrderEvent, WorkOrder  # noqa: E402
from weibao.maintenance.choices import DEFAULT_RULES, PlanStatus, RoutineKind  # noqa: E402
from weibao.maintenance.models import MaintenancePlan, Occurrence, Routine  # noqa: E402
from weibao.maintenance.services import plans_generate  # noqa: E402
from weibao.sla.models import ServiceContract, SlaPolicy  # noqa: E402

PREFIX = "bench-plan-"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def setup(*, customers: int, year: int) -> list[int]:
    policy = SlaPolicy.objects.get(is_default=True)
    role = Role.objects.get(code="support_engineer")
    with transaction.atomic():
        engineers = User.objects.bulk_create(
            [User(username=f"{PREFIX}eng-{i}", display_name=f"工程师{i}", kind="staff") for i in range(20)]
        )
        User.roles.through.objects.bulk_create(
            [User.roles.through(user_id=u.pk, role_id=role.pk) for u in engineers]
        )
        rows = Customer.objects.bulk_create(
            [Customer(code=f"{PREFIX}{i}", name=f"基准医院{i}") for i in range(customers)]
        )
        systems = DeliveredSystem.objects.bulk_create(
            [DeliveredSystem(customer=c, name="HIS", version="5.2") for c in rows]
        )
        ServiceContract.objects.bulk_create(
            [
                ServiceContract(customer=c, policy=policy, number=f"{PREFIX}{c.pk}", name="年度维保",
                                starts_on=date(year, 1, 1), ends_on=date(year, 12, 31))
                for c in rows
            ]
        )  # fmt: skip
        plans = MaintenancePlan.objects.bulk_create(
            [
                MaintenancePlan(
                    customer=c,
                    system=s,
                    year=year,
                    title=f"{year} 年度维保计划",
                    responsible=engineers[0],
                    status=PlanStatus.ACTIVE,
                )
                for c, s in zip(rows, systems, strict=True)
            ]
        )
        kinds = [
            RoutineKind.CALL,
            RoutineKind.INSPECTION,
            RoutineKind.KEY_EQUIPMENT,
            RoutineKind.FULL_CHECK,
            RoutineKind.CUSTOM,
        ]
        rules = {**DEFAULT_RULES, RoutineKind.CUSTOM: "FREQ=MONTHLY;BYMONTHDAY=20"}
        routines = Routine.objects.bulk_create(
            [
                Routine(
                    plan=p,
                    kind=kind,
                    title=str(kind.label),
                    rrule=rules[kind],
                    starts_on=date(year, 1, 1),
                    ends_on=date(year, 12, 31),
                    time_of_day=dtime(9, 0),
                    checklist=["检查运行状态", "检查日志", "检查备份"],
                )
                for p in plans
                for kind in kinds
            ]
        )
        through = Routine.assignees.through
        through.objects.bulk_create(
            [
                through(routine_id=r.pk, user_id=engineers[i % len(engineers)].pk)
                for i, r in enumerate(routines)
            ]
        )
    return [p.pk for p in plans]


def cleanup() -> None:
    with transaction.atomic():
        plans = MaintenancePlan.objects.filter(customer__code__startswith=PREFIX)
        orders = WorkOrder.objects.filter(customer__code__startswith=PREFIX)
        Occurrence.objects.filter(plan__in=plans).delete()
        ChecklistItem.objects.filter(order__in=orders).delete()
        OrderEvent.objects.filter(order__in=orders).delete()
        WorkOrder.engineers.through.objects.filter(workorder__in=orders).delete()
        orders.delete()
        Routine.objects.filter(plan__in=plans).delete()
        plans.delete()
        ServiceContract.objects.filter(number__startswith=PREFIX).delete()
        DeliveredSystem.objects.filter(customer__code__startswith=PREFIX).delete()
        Customer.objects.filter(code__startswith=PREFIX).delete()
        User.objects.filter(username__startswith=PREFIX).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    cleanup()
    log(f"setting up {args.customers} customers x 5 routines")
    plan_ids = setup(customers=args.customers, year=args.year)
    try:
        log("generating a year")
        t0 = time.perf_counter()
        first = plans_generate(today=date(args.year, 1, 1), horizon_days=364, plan_ids=plan_ids)
        first_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = plans_generate(today=date(args.year, 1, 1), horizon_days=364, plan_ids=plan_ids)
        again_s = time.perf_counter() - t0
        moved = Occurrence.objects.filter(plan_id__in=plan_ids).exclude(due_on=F("rule_date")).count()
        print("\n| measure | value |\n|---|---|")
        print(f"| plans x routines | {len(plan_ids)} x 5 |")
        print(f"| occurrences created | {first.occurrences:,} ({moved:,} moved off a non-working day) |")
        print(f"| work orders created | {first.work_orders:,} (with engineers, checklists, timeline rows) |")
        rate = first.occurrences / first_s
        print(f"| **first run (a whole year)** | **{first_s:.1f} s** ({rate:,.0f} occurrences/s) |")
        print(f"| second run (idempotent: {again.occurrences} created) | {again_s:.1f} s |")
        version = getattr(connection, "pg_version", 0) // 10000
        print(f"| database | PostgreSQL {version} (bench/pg.sh, fsync on) |")
        print(f"| load average | {' '.join(f'{x:.2f}' for x in os.getloadavg())} |")
    finally:
        if not args.keep:
            log("cleaning up")
            cleanup()


if __name__ == "__main__":
    main()
