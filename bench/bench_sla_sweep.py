# ruff: noqa: S608 - SQL built from model table names and integer constants, no outside input
"""Time the SLA sweeper on PostgreSQL with 1,000,000 open tickets of which 1,000 clocks are due (issue 3).

    uv run python bench/bench_sla_sweep.py            # start PG, load (first time), measure, stop PG

Goal (issue 3): one ``sla_sweep()`` run under 200 ms with 1,000,000 open tickets and 1,000 due clocks.

What it does:

* starts its own PostgreSQL 15 on 127.0.0.1:54333 (data in /var/tmp/weibao-bench-sla-pg, kept between
  runs; the tuning of bench/pg.sh) and stops it by the postmaster's pid at the end unless ``--keep``;
* ``migrate``, then (unless the data of an earlier run is there; ``--reload`` forces it) loads with
  ``INSERT ... SELECT generate_series`` in one transaction, secondary indexes and foreign keys dropped
  and rebuilt: 1,000,000 OPEN tickets (new / assigned / in progress / pending), 30 customers with a
  skewed share, priorities 3 % critical, 17 % high, 55 % normal, 25 % low, reported over the last six
  months; assignees and teams (8 engineers per team, each with a superior) and service managers, so
  every alert has recipients; per ticket its response and resolution clocks (critical: also on-site)
  on the default policy with one running segment each (pending tickets: resolution paused, a closed
  running segment and an open paused one), ``next_check_at`` spread over the coming five days, and a
  fired 75 % warning for about a third of the running clocks; then ANALYZE;
* exactly 1,000 clocks are due at the reference time ``T`` (the load's "now", stored in the database):
  600 resolution clocks whose 75 % warning has just come, 300 response clocks that have just breached
  (warning already sent) and 100 breached 30+ minutes ago (the escalation is due); all high priority
  (7x24 calendar). Every run calls ``sla_sweep(now=T)`` (timed: the goal) and then ``sla_deliver(now=T)``
  (timed separately: the notifications, breach flags and timeline events the sweep's records cause)
  after resetting those 1,000 clocks and deleting what the previous run wrote (alerts, breaches, events,
  ``sla:`` notifications), so each run does the same work;
* reports min / median / p95 wall time, queries, alerts and notifications per run for the sweep and for
  the delivery, one idle run (no due clock), EXPLAIN (ANALYZE, BUFFERS) of the due-clock selection and
  the load average; ``--profile`` adds a cProfile of one sweep.

Run as root (the cluster belongs to the ``postgres`` OS user, as in bench/pg.sh).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PORT = int(os.environ.get("BENCH_SLA_PG_PORT", "54333"))
BASE = Path(os.environ.get("BENCH_SLA_PG_DIR", "/var/tmp/weibao-bench-sla-pg"))  # noqa: S108
DATA = BASE / "data"
SOCK = BASE / "run"
DB_NAME = "weibao_sla_bench"
DB_USER = DB_PASSWORD = "weibao"  # noqa: S105 - a throwaway benchmark database on loopback
DEFAULT_URL = f"postgres://{DB_USER}:{DB_PASSWORD}@127.0.0.1:{PORT}/{DB_NAME}"

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("SECRET_KEY", "weibao-bench-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from weibao.accounts.choices import UserKind  # noqa: E402
from weibao.accounts.models import Role, Team, User  # noqa: E402
from weibao.calendars.builtin import ALWAYS, CN_WORKDAY  # noqa: E402
from weibao.calendars.models import Calendar  # noqa: E402
from weibao.customers.choices import DistanceClass  # noqa: E402
from weibao.customers.models import Customer, Site  # noqa: E402
from weibao.sla.choices import EscalationTrigger  # noqa: E402
from weibao.sla.models import EscalationRule  # noqa: E402
from weibao.sla.selectors import default_policy  # noqa: E402
from weibao.tickets.models import SlaAlert, SlaBreach, SlaClock, SlaSegment, Ticket, TicketEvent  # noqa: E402
from weibao.tickets.services.sla_delivery import sla_deliver  # noqa: E402
from weibao.tickets.services.sla_sweep import sla_sweep  # noqa: E402

GOAL_MS = 200.0
DUE = {"warning": 600, "breach": 300, "escalation": 100}  # 1,000 due clocks per run
TEAMS = 6
ENGINEERS_PER_TEAM = 8
CUSTOMERS = 30


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- PostgreSQL


def pg_bin() -> Path:
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    if not candidates:
        raise SystemExit("PostgreSQL server binaries not found under /usr/lib/postgresql")
    return candidates[-1].parent


def as_postgres(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *args], cwd="/", text=True, check=True, **kwargs
    )


def postmaster_pid() -> int | None:
    pid_file = DATA / "postmaster.pid"
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text().split("\n", 1)[0])
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None
    return pid if comm == "postgres" else None


def pg_start() -> bool:
    """Start the cluster (initdb the first time); True if this call started it."""
    if postmaster_pid():
        log(f"benchmark PostgreSQL already running (pid {postmaster_pid()})")
        return False
    bin_dir = pg_bin()
    fresh = not (DATA / "PG_VERSION").exists()
    if fresh:
        DATA.mkdir(parents=True, exist_ok=True)
        SOCK.mkdir(parents=True, exist_ok=True)
        shutil.chown(BASE, "postgres", "postgres")
        for path in (DATA, SOCK):
            shutil.chown(path, "postgres", "postgres")
        BASE.chmod(0o700)
        DATA.chmod(0o700)
        pwfile = BASE / "pwfile"
        pwfile.write_text(DB_PASSWORD + "\n")
        shutil.chown(pwfile, "postgres", "postgres")
        try:
            as_postgres(
                str(bin_dir / "initdb"), "-D", str(DATA), "-U", "postgres", f"--pwfile={pwfile}",
                "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
                capture_output=True,
            )  # fmt: skip
        finally:
            pwfile.unlink(missing_ok=True)
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        mem_mb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1]) // 1024
        with open(DATA / "postgresql.conf", "a") as conf:
            conf.write(
                "# --- weibao SLA sweeper benchmark (bench/bench_sla_sweep.py; tuning of bench/pg.sh) ---\n"
                f"listen_addresses = '127.0.0.1'\nport = {PORT}\nunix_socket_directories = '{SOCK}'\n"
                f"max_connections = 100\nshared_buffers = {mem_mb // 4}MB\n"
                f"effective_cache_size = {mem_mb // 2}MB\nwork_mem = 16MB\nmaintenance_work_mem = 1GB\n"
                "max_wal_size = 8GB\ncheckpoint_completion_target = 0.9\nrandom_page_cost = 1.1\n"
                "effective_io_concurrency = 200\njit = off\n"
            )
    SOCK.mkdir(parents=True, exist_ok=True)
    shutil.chown(SOCK, "postgres", "postgres")
    as_postgres(
        str(bin_dir / "pg_ctl"), "-D", str(DATA), "-l", str(BASE / "postgres.log"),
        "-w", "-t", "120", "start",
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    if fresh:
        as_postgres(
            str(bin_dir / "psql"), "-h", str(SOCK), "-p", str(PORT), "-U", "postgres", "-d", "postgres",
            "-v", "ON_ERROR_STOP=1", "-q",
            input=f"CREATE ROLE {DB_USER} LOGIN PASSWORD '{DB_PASSWORD}';\n"
            f"CREATE DATABASE {DB_NAME} OWNER {DB_USER};\n",
        )  # fmt: skip
    log(f"benchmark PostgreSQL (pid {postmaster_pid()}) on 127.0.0.1:{PORT}, data in {DATA}")
    return True


def pg_stop() -> None:
    pid = postmaster_pid()
    if pid is None:
        return
    os.kill(pid, signal.SIGINT)  # fast shutdown
    for _ in range(300):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    log(f"stopped benchmark PostgreSQL (pid {pid})")


def wait_for_quiet(*, pattern: str, poll: float, limit: float) -> None:
    """Wait while another benchmark (``pgrep -f pattern``) runs: we share two cores."""
    started = time.monotonic()
    while True:
        found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout.split()
        found = [pid for pid in found if int(pid) != os.getpid()]
        if not found:
            return
        if time.monotonic() - started > limit:
            log(f"{pattern} still running after {limit:.0f} s (pids {' '.join(found)}); measuring anyway")
            return
        log(f"waiting for {pattern} to finish (pids {' '.join(found)})")
        time.sleep(poll)


# --------------------------------------------------------------------------- loading


def table(model: Any) -> str:
    return str(model._meta.db_table)


@contextmanager
def without_secondary_indexes(cur: Any, tables: list[str]) -> Iterator[None]:
    """Drop the secondary indexes and foreign keys of ``tables``; rebuild them afterwards (same txn)."""
    saved: list[tuple[str, list[tuple[str, str]], list[tuple[str, str]]]] = []
    for name in tables:
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [name, name],
        )
        indexes = cur.fetchall()
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype = 'f'",
            [name],
        )
        foreign_keys = cur.fetchall()
        for fk, _definition in foreign_keys:
            cur.execute(f'ALTER TABLE {name} DROP CONSTRAINT "{fk}"')
        for index, _definition in indexes:
            cur.execute(f'DROP INDEX "{index}"')
        saved.append((name, indexes, foreign_keys))
    yield
    cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
    for name, indexes, foreign_keys in saved:
        started = time.monotonic()
        for _index, definition in indexes:
            cur.execute(definition)
        for fk, definition in foreign_keys:
            cur.execute(f'ALTER TABLE {name} ADD CONSTRAINT "{fk}" {definition}')
        log(
            f"  {name}: {len(indexes)} indexes, {len(foreign_keys)} foreign keys "
            f"in {time.monotonic() - started:.0f} s"
        )


def insert_select(model: Any, exprs: dict[str, str], source: str) -> str:
    """``INSERT INTO t (...) SELECT ... FROM source``, naming every NOT NULL column (no DB defaults)."""
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.column == "id":
            continue
        if field.column in exprs:
            value = exprs[field.column]
        elif field.null:
            continue
        elif field.has_default():
            default = field.get_default()
            value = f"'{json.dumps(default)}'::jsonb" if isinstance(default, list | dict) else repr(default)
            value = {"True": "true", "False": "false"}.get(value, value)
        elif field.get_internal_type() in ("CharField", "TextField", "EmailField", "SlugField"):
            value = "''"
        else:
            raise SystemExit(f"{model.__name__}.{field.name}: no value for a required column")
        columns.append(field.column)
        values.append(value)
    return f"INSERT INTO {table(model)} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}"


def reference_data() -> dict[str, Any]:
    """Staff (engineers with superiors, service managers), teams and customers with sites (idempotent)."""
    role = {r.code: r for r in Role.objects.filter(code__in=["support_engineer", "service_manager"])}
    engineer_role = role.get("support_engineer")

    def user(username: str, *, superior: User | None = None, roles: list[Role | None]) -> User:
        person, created = User.objects.get_or_create(
            username=username,
            defaults={
                "kind": UserKind.STAFF,
                "display_name": username,
                "superior": superior,
                "is_active": True,
            },
        )
        if created:
            person.set_unusable_password()
            person.save(update_fields=["password"])
            person.roles.set([r for r in roles if r is not None])
        return person

    managers = [user(f"sla-manager-{i}", roles=[role.get("service_manager")]) for i in range(1, 4)]
    engineers: list[int] = []
    teams: list[int] = []
    for t in range(1, TEAMS + 1):
        lead = user(f"sla-lead-{t}", superior=managers[0], roles=[engineer_role])
        team, _created = Team.objects.get_or_create(
            code=f"sla-team-{t}", defaults={"name": f"SLA 组 {t}", "lead": lead}
        )
        members = [
            user(f"sla-eng-{t}-{e}", superior=lead, roles=[engineer_role])
            for e in range(1, ENGINEERS_PER_TEAM + 1)
        ]
        team.members.set([lead, *members])
        teams.append(team.pk)
        engineers.extend(m.pk for m in members)
    distances = [DistanceClass.LOCAL, DistanceClass.LOCAL, DistanceClass.WITHIN_200KM, DistanceClass.REMOTE]
    customers: list[int] = []
    sites: list[int] = []
    for c in range(1, CUSTOMERS + 1):
        customer, _created = Customer.objects.get_or_create(
            code=f"sla-bench-{c:02d}", defaults={"name": f"第{c}人民医院"}
        )
        site = Site.objects.filter(customer=customer).first() or Site.objects.create(
            customer=customer, name="本院区", distance_class=distances[c % len(distances)]
        )
        customers.append(customer.pk)
        sites.append(site.pk)
    policy = default_policy()
    rules = {
        (str(r.trigger), r.value): r.pk for r in EscalationRule.objects.filter(policy=policy, is_active=True)
    }
    return {
        "customers": customers,
        "sites": sites,
        "teams": teams,
        "engineers": engineers,
        "policy": policy.pk,
        "workday": Calendar.objects.get(slug=CN_WORKDAY).pk,
        "always": Calendar.objects.get(slug=ALWAYS).pk,
        "warn_rule": rules[(EscalationTrigger.PERCENT.value, 75)],
        "breach_rule": rules[(EscalationTrigger.AFTER_BREACH.value, 0)],
        "escalation_rule": rules[(EscalationTrigger.AFTER_BREACH.value, 30)],
    }


def sql_array(values: list[int]) -> str:
    return "ARRAY[" + ",".join(str(v) for v in values) + "]"


def load(*, count: int, seed: float) -> None:
    started = time.monotonic()
    ref = reference_data()
    t_now = timezone.now().replace(microsecond=0)
    tickets, clocks, segments = table(Ticket), table(SlaClock), table(SlaSegment)
    alerts, breaches = table(SlaAlert), table(SlaBreach)
    n_cust = len(ref["customers"])
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_sla_meta, bench_sla_due")
        cur.execute(f"TRUNCATE {tickets} CASCADE")  # clocks, segments, alerts, breaches, events, comments
        cur.execute("DELETE FROM notifications_notification WHERE dedupe_key LIKE 'sla:%'")
        cur.execute("SELECT setseed(%s)", [seed])
        with without_secondary_indexes(cur, [tickets, clocks, segments, alerts]):
            log(f"tickets: {count:,} open")
            # One row of random draws per ticket; the ticket columns are derived from them.
            cur.execute(
                f"""
                CREATE TEMP TABLE bench_draw ON COMMIT DROP AS
                SELECT g, 1 + floor({n_cust} * power(random(), 2))::int AS ci, random() AS rs, random() AS rp,
                       random() AS rt, floor({TEAMS} * random())::int AS ti,
                       floor({ENGINEERS_PER_TEAM} * random())::int AS ei, random() AS ra, random() AS rr
                FROM generate_series(1, %s) AS g
                """,
                [count],
            )
            status = (
                "CASE WHEN d.rs < 0.25 THEN 'new' WHEN d.rs < 0.45 THEN 'assigned' "
                "WHEN d.rs < 0.80 THEN 'in_progress' ELSE 'pending' END"
            )
            priority = (
                "CASE WHEN d.rp < 0.03 THEN 1 WHEN d.rp < 0.20 THEN 2 WHEN d.rp < 0.75 THEN 3 ELSE 4 END"
            )
            reported = "%(t)s::timestamptz - make_interval(secs => floor(180 * 86400 * power(d.rt, 2)) + 600)"
            engineers = f"({sql_array(ref['engineers'])})[1 + d.ti * {ENGINEERS_PER_TEAM} + d.ei]"
            exprs = {
                "number": "1000000 + d.g",
                "customer_id": f"({sql_array(ref['customers'])})[d.ci]",
                "site_id": f"({sql_array(ref['sites'])})[d.ci]",
                "reporter_name": "'张伟'",
                "channel": "CASE WHEN d.g %% 5 = 0 THEN 'portal' ELSE 'phone' END",
                "title": "'HIS 门诊挂号无法登录 #' || d.g",
                "description": "'<p>门诊反映：挂号无法登录，请尽快安排处理。</p>'",
                "reported_at": reported,
                "urgency": f"least({priority}, 3)",
                "impact": "2",
                "priority": priority,
                "is_emergency": f"({priority} = 1 AND d.ra < 0.3)",
                "status": status,
                "pending_reason": (
                    f"CASE WHEN {status} <> 'pending' THEN '' WHEN d.rr < 0.6 THEN 'customer' "
                    "WHEN d.rr < 0.9 THEN 'third_party' ELSE 'other' END"
                ),
                "assignee_id": f"CASE WHEN {status} = 'new' OR d.ra > 0.95 THEN NULL ELSE {engineers} END",
                "team_id": (
                    f"CASE WHEN {status} = 'new' AND d.ra > 0.7 THEN NULL "
                    f"ELSE ({sql_array(ref['teams'])})[1 + d.ti] END"
                ),
                "sla_policy_id": str(ref["policy"]),
                "needs_onsite": f"({priority} = 1)",
                "progress_due_at": f"{reported} + interval '24 hours'",
                "created_at": reported,
                "updated_at": reported,
                "search_document": "d.g::text || ' HIS 门诊 挂号 登录'",
            }
            cur.execute(insert_select(Ticket, exprs, "bench_draw d ORDER BY d.g"), {"t": t_now})
            log(f"clocks ({time.monotonic() - started:.0f} s)")
            budget = (
                "CASE k.kind WHEN 'onsite' THEN 240 WHEN 'response' THEN "
                "(ARRAY[15, 30, 120, 240])[t.priority] ELSE (ARRAY[360, 360, 450, 1350])[t.priority] END"
            )
            paused = "(k.kind = 'resolution' AND t.status = 'pending' AND t.pending_reason <> 'other')"
            # Due in 1 hour to 5 days; the next check is the 75 % warning (two thirds of the clocks) or,
            # when the warning was sent already, the due time itself.
            clock_exprs = {
                "ticket_id": "t.id",
                "kind": "k.kind",
                "policy_id": str(ref["policy"]),
                "calendar_id": (
                    f"CASE WHEN t.priority <= 2 OR k.kind = 'onsite' THEN {ref['always']} "
                    f"ELSE {ref['workday']} END"
                ),
                "budget_minutes": budget,
                "target_label": (
                    f"({budget})::text || 'min@' || CASE WHEN t.priority <= 2 THEN '24x7' ELSE 'working' END"
                ),
                "started_at": "t.reported_at",
                "due_at": (
                    f"CASE WHEN {paused} THEN NULL "
                    "ELSE %(t)s::timestamptz + make_interval(secs => 3600 + floor(random() * 4 * 86400)) END"
                ),
                "state": f"CASE WHEN {paused} THEN 'paused' ELSE 'running' END",
                "paused_minutes": (
                    f"CASE WHEN {paused} THEN "
                    "floor(extract(epoch FROM %(t)s::timestamptz - t.reported_at) / 120) ELSE 0 END"
                ),
                "updated_at": "%(t)s::timestamptz",
            }
            cur.execute(
                insert_select(
                    SlaClock,
                    clock_exprs,
                    f"{tickets} t CROSS JOIN (VALUES ('response'), ('resolution'), ('onsite')) AS k(kind) "
                    "WHERE k.kind <> 'onsite' OR t.priority = 1 ORDER BY t.id, k.kind",
                ),
                {"t": t_now},
            )
            cur.execute(
                f"""
                UPDATE {clocks} SET next_check_at = CASE WHEN random() < 0.35 THEN due_at
                    ELSE due_at - make_interval(secs => floor(extract(epoch FROM due_at - %s) / 4)) END
                WHERE state = 'running'
                """,
                [t_now],
            )
            log(f"segments ({time.monotonic() - started:.0f} s)")
            # Running clocks: one open running segment. Paused: a running one up to halfway, then paused.
            half = "c.started_at + (%(t)s::timestamptz - c.started_at) / 2"
            cur.execute(
                insert_select(
                    SlaSegment,
                    {
                        "clock_id": "c.id",
                        "kind": "'running'",
                        "started_at": "c.started_at",
                        "ended_at": f"CASE WHEN c.state = 'paused' THEN {half} END",
                    },
                    f"{clocks} c ORDER BY c.id",
                ),
                {"t": t_now},
            )
            cur.execute(
                insert_select(
                    SlaSegment,
                    {
                        "clock_id": "c.id",
                        "kind": "'paused'",
                        "reason": "t.pending_reason",
                        "started_at": half,
                    },
                    f"{clocks} c JOIN {tickets} t ON t.id = c.ticket_id "
                    "WHERE c.state = 'paused' ORDER BY c.id",
                ),
                {"t": t_now},
            )
            log(f"alerts already sent ({time.monotonic() - started:.0f} s)")
            cur.execute(
                insert_select(
                    SlaAlert,
                    {
                        "clock_id": "c.id",
                        "rule_key": f"'{ref['warn_rule']}'",
                        "rule_id": str(ref["warn_rule"]),
                        "description": "'时间已用 75%%'",
                        "due_at": "c.due_at",
                        "fired_at": "%(t)s::timestamptz - interval '1 hour'",
                        "delivered_at": "%(t)s::timestamptz - interval '1 hour'",
                        "recipients": "'[]'::jsonb",
                    },
                    f"{clocks} c WHERE c.next_check_at = c.due_at ORDER BY c.id",
                ),
                {"t": t_now},
            )
            make_due(cur, ref=ref, t_now=t_now)
        cur.execute(
            f"""
            CREATE TABLE bench_sla_meta AS SELECT %s::timestamptz AS t,
                (SELECT coalesce(max(id), 0) FROM {alerts}) AS alert_max,
                (SELECT coalesce(max(id), 0) FROM {breaches}) AS breach_max,
                (SELECT coalesce(max(id), 0) FROM {table(TicketEvent)}) AS event_max,
                %s AS tickets
            """,
            [t_now, count],
        )
    log(f"VACUUM ANALYZE ({time.monotonic() - started:.0f} s)")
    with connection.cursor() as cur:
        for name in (
            tickets,
            clocks,
            segments,
            alerts,
            breaches,
            table(TicketEvent),
            "notifications_notification",
        ):
            cur.execute(f"VACUUM ANALYZE {name}")
    log(f"loaded in {time.monotonic() - started:.0f} s")


def make_due(cur: Any, *, ref: dict[str, Any], t_now: datetime) -> None:
    """Turn 1,000 clocks of high-priority (7x24) tickets into clocks due at T, in three groups (see DUE)."""
    tickets, clocks, segments = table(Ticket), table(SlaClock), table(SlaSegment)
    total = sum(DUE.values())
    cur.execute(
        f"""
        CREATE TABLE bench_sla_due AS
        SELECT t.id AS ticket_id, row_number() OVER (ORDER BY md5(t.id::text)) AS n
        FROM {tickets} t WHERE t.priority = 2 AND t.status IN ('new', 'assigned', 'in_progress')
        ORDER BY md5(t.id::text) LIMIT %s
        """,
        [total],
    )
    warning, breach = DUE["warning"], DUE["warning"] + DUE["breach"]
    # Group, clock kind and when the ticket was reported (= the clocks' start), 1..10 minutes spread:
    # warning:    resolution 6 h, 75 % at start + 4 h 30 min, i.e. 1..10 minutes ago;
    # breach:     response 30 min, due 1..10 minutes ago (the 75 % warning was sent);
    # escalation: response 30 min, due 31..40 minutes ago, so the 30-minute escalation is due.
    cur.execute(
        f"""
        ALTER TABLE bench_sla_due ADD COLUMN grp text, ADD COLUMN kind text, ADD COLUMN started timestamptz,
            ADD COLUMN clock_id bigint, ADD COLUMN next_check_at timestamptz, ADD COLUMN due_at timestamptz,
            ADD COLUMN is_breached boolean, ADD COLUMN sla_breached boolean;
        UPDATE bench_sla_due SET
            grp = CASE WHEN n <= {warning} THEN 'warning' WHEN n <= {breach} THEN 'breach'
                ELSE 'escalation' END,
            kind = CASE WHEN n <= {warning} THEN 'resolution' ELSE 'response' END,
            started = %(t)s::timestamptz - make_interval(secs => 60 * (1 + n %% 10)) - CASE
                WHEN n <= {warning} THEN interval '270 minutes'
                WHEN n <= {breach} THEN interval '30 minutes' ELSE interval '60 minutes' END;
        UPDATE bench_sla_due d SET
            clock_id = c.id,
            due_at = CASE WHEN d.grp = 'warning' THEN d.started + interval '6 hours'
                ELSE d.started + interval '30 minutes' END,
            next_check_at = CASE d.grp WHEN 'warning' THEN d.started + interval '270 minutes'
                WHEN 'breach' THEN d.started + interval '30 minutes'
                ELSE d.started + interval '60 minutes' END,
            is_breached = (d.grp = 'escalation'),
            sla_breached = (d.grp = 'escalation')
        FROM {clocks} c WHERE c.ticket_id = d.ticket_id AND c.kind = d.kind;
        UPDATE {tickets} t SET reported_at = d.started, created_at = d.started, updated_at = d.started,
            sla_breached = d.sla_breached
            FROM bench_sla_due d WHERE t.id = d.ticket_id;
        UPDATE {clocks} c SET started_at = d.started FROM bench_sla_due d WHERE c.ticket_id = d.ticket_id;
        UPDATE {segments} s SET started_at = d.started FROM bench_sla_due d, {clocks} c
            WHERE c.ticket_id = d.ticket_id AND s.clock_id = c.id;
        UPDATE {clocks} c SET due_at = d.due_at, next_check_at = d.next_check_at, is_breached = d.is_breached
            FROM bench_sla_due d WHERE c.id = d.clock_id;
        DELETE FROM {table(SlaAlert)} a USING bench_sla_due d WHERE a.clock_id = d.clock_id;
        """,
        {"t": t_now},
    )
    # What was sent before T: the warning for the breach and escalation groups, the breach itself for the
    # escalation group (alert, breach row).
    cur.execute(
        f"""
        INSERT INTO {table(SlaAlert)} (clock_id, rule_key, rule_id, description, due_at, fired_at,
            delivered_at, recipients)
        SELECT d.clock_id, r.rule::text, r.rule, 'sent before', d.due_at, d.started, d.started, '[]'::jsonb
        FROM bench_sla_due d
        JOIN (VALUES ('breach', {ref["warn_rule"]}), ('escalation', {ref["warn_rule"]}),
                     ('escalation', {ref["breach_rule"]})) AS r(grp, rule) ON r.grp = d.grp;
        INSERT INTO {table(SlaBreach)} (clock_id, ticket_id, kind, due_at, reason, recorded_at, announced_at,
            assignee_id)
        SELECT d.clock_id, d.ticket_id, d.kind, d.due_at, '', d.due_at, d.due_at, t.assignee_id
        FROM bench_sla_due d JOIN {tickets} t ON t.id = d.ticket_id WHERE d.grp = 'escalation';
        """
    )
    cur.execute("SELECT grp, count(*) FROM bench_sla_due GROUP BY grp ORDER BY grp")
    log("due clocks: " + ", ".join(f"{grp} {n}" for grp, n in cur.fetchall()))


# --------------------------------------------------------------------------- measuring


def meta() -> dict[str, Any] | None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT to_regclass('bench_sla_meta') IS NOT NULL AND to_regclass('bench_sla_due') IS NOT NULL"
        )
        if not cur.fetchone()[0]:
            return None
        cur.execute("SELECT t, alert_max, breach_max, event_max, tickets FROM bench_sla_meta")
        row = cur.fetchone()
    return (
        dict(zip(["t", "alert_max", "breach_max", "event_max", "tickets"], row, strict=True)) if row else None
    )


def reset(info: dict[str, Any]) -> None:
    """Put the 1,000 due clocks back as they were at T and remove what the sweeper wrote."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {table(SlaAlert)} WHERE id > %s", [info["alert_max"]])
        cur.execute(f"DELETE FROM {table(SlaBreach)} WHERE id > %s", [info["breach_max"]])
        cur.execute(f"DELETE FROM {table(TicketEvent)} WHERE id > %s", [info["event_max"]])
        cur.execute("DELETE FROM notifications_notification WHERE dedupe_key LIKE 'sla:%'")
        cur.execute(
            f"""
            UPDATE {table(SlaClock)} c SET next_check_at = d.next_check_at, due_at = d.due_at,
                is_breached = d.is_breached
            FROM bench_sla_due d WHERE c.id = d.clock_id
            """
        )
        cur.execute(
            f"UPDATE {table(Ticket)} t SET sla_breached = d.sla_breached FROM bench_sla_due d "
            "WHERE t.id = d.ticket_id AND t.sla_breached IS DISTINCT FROM d.sla_breached"
        )


def counts() -> dict[str, int]:
    with connection.cursor() as cur:
        cur.execute(
            f"""SELECT (SELECT count(*) FROM {table(Ticket)}),
                (SELECT count(*) FROM {table(Ticket)}
                    WHERE status IN ('new', 'assigned', 'in_progress', 'pending')),
                (SELECT count(*) FROM {table(SlaClock)}),
                (SELECT count(*) FROM {table(SlaClock)} WHERE next_check_at IS NOT NULL),
                (SELECT count(*) FROM {table(SlaSegment)}),
                (SELECT count(*) FROM {table(SlaAlert)})"""
        )
        row = cur.fetchone()
    return dict(zip(["tickets", "open", "clocks", "scheduled", "segments", "alerts"], row, strict=True))


def due_now(t: datetime) -> int:
    return SlaClock.objects.filter(next_check_at__lte=t).count()


def one_run(t: datetime) -> dict[str, Any]:
    """One sweep (the goal) and then the delivery of what it recorded, timed separately."""
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = sla_sweep(now=t)
        elapsed = (time.perf_counter() - started) * 1000
    with CaptureQueriesContext(connection) as delivery_queries:
        started = time.perf_counter()
        delivered = sla_deliver(now=t)
        delivery_ms = (time.perf_counter() - started) * 1000
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000  # "time" is in seconds
    return {
        "ms": elapsed,
        "queries": len(queries.captured_queries),
        "sql_ms": sql_ms,
        "clocks": result.clocks,
        "alerts": result.alerts,
        "breaches": result.breaches,
        "batches": result.batches,
        "delivery_ms": delivery_ms,
        "delivery_queries": len(delivery_queries.captured_queries),
        "delivery_sql_ms": sum(float(q["time"]) for q in delivery_queries.captured_queries) * 1000,
        "delivered_alerts": delivered.alerts,
        "announced_breaches": delivered.breaches,
        "notifications": delivered.notifications,
        "due_sql": next((q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]), ""),
        "slowest": sorted(
            ((float(q["time"]) * 1000, q["sql"][:90]) for q in queries.captured_queries), reverse=True
        )[:8],
        "slowest_delivery": sorted(
            ((float(q["time"]) * 1000, q["sql"][:90]) for q in delivery_queries.captured_queries),
            reverse=True,
        )[:6],
    }


def explain(sql: str) -> str:
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(row[0] for row in cur.fetchall())
        transaction.set_rollback(True)
    return plan


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def measure(args: argparse.Namespace, info: dict[str, Any]) -> dict[str, Any]:
    t = info["t"]
    stats = counts()
    log(
        f"data: {stats['tickets']:,} tickets ({stats['open']:,} open), {stats['clocks']:,} clocks "
        f"({stats['scheduled']:,} scheduled), {stats['segments']:,} segments, "
        f"{stats['alerts']:,} alerts; T = {t}"
    )
    wait_for_quiet(pattern="bench_api.py", poll=30, limit=args.wait)
    load_before = os.getloadavg()
    log(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}")
    reset(info)
    assert due_now(t) == sum(DUE.values()), due_now(t)
    cold = one_run(t)  # first run in the process: connection, calendar compile, translations
    log(f"warm-up: {cold['ms']:.1f} ms, {cold['queries']} queries, {cold['alerts']} alerts")
    runs = []
    for i in range(args.runs):
        reset(info)
        run = one_run(t)
        runs.append(run)
        log(
            f"run {i + 1}: sweep {run['ms']:.1f} ms ({run['sql_ms']:.1f} ms SQL), {run['queries']} queries, "
            f"{run['clocks']} clocks, {run['alerts']} alerts, {run['breaches']} breaches; delivery "
            f"{run['delivery_ms']:.1f} ms, {run['notifications']} notifications"
        )
    idle_due = due_now(t)
    idle = [one_run(t) for _ in range(5)]  # nothing due any more: the cost of every quiet minute
    load_after = os.getloadavg()
    log(f"load average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    reset(info)
    plan = explain(runs[-1]["due_sql"])
    profile_text = ""
    if args.profile:
        reset(info)
        profiler = cProfile.Profile()
        profiler.enable()
        sla_sweep(now=t)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        profile_text = out.getvalue()
        reset(info)
    times = [r["ms"] for r in runs]
    return {
        "data": {**stats, "t": t.isoformat()},
        "runs": [{k: v for k, v in r.items() if k != "due_sql"} for r in runs],
        "warmup_ms": cold["ms"],
        "min_ms": min(times),
        "median_ms": statistics.median(times),
        "p95_ms": pct(times, 95),
        "max_ms": max(times),
        "delivery_median_ms": statistics.median(r["delivery_ms"] for r in runs),
        "delivery_p95_ms": pct([r["delivery_ms"] for r in runs], 95),
        "total_median_ms": statistics.median(r["ms"] + r["delivery_ms"] for r in runs),
        "idle_due": idle_due,
        "idle_ms": [r["ms"] for r in idle],
        "idle_queries": idle[0]["queries"],
        "explain": plan,
        "due_sql": runs[-1]["due_sql"],
        "load_before": load_before,
        "load_after": load_after,
        "profile": profile_text,
    }


def report(res: dict[str, Any]) -> None:
    runs = res["runs"]
    first = runs[0]
    print("\n## SLA sweeper: 1,000 due clocks\n")
    print(f"data: {json.dumps(res['data'])}\n")
    print(
        "| runs | min ms | median ms | p95 ms | max ms | queries/run | SQL ms (median) | clocks "
        "| alerts | breaches | goal < 200 ms |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    verdict = "met" if res["p95_ms"] < GOAL_MS else "missed"
    print(
        f"| {len(runs)} | {res['min_ms']:.1f} | {res['median_ms']:.1f} | {res['p95_ms']:.1f} "
        f"| {res['max_ms']:.1f} "
        f"| {first['queries']} | {statistics.median(r['sql_ms'] for r in runs):.1f} | {first['clocks']} "
        f"| {first['alerts']} | {first['breaches']} | {verdict} |"
    )
    print("\nDelivery of what each sweep recorded (`sla_deliver`, after the sweep; not part of the goal):\n")
    print("| runs | median ms | p95 ms | queries/run | SQL ms (median) | alerts | breaches | notifications |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {len(runs)} | {res['delivery_median_ms']:.1f} | {res['delivery_p95_ms']:.1f} "
        f"| {first['delivery_queries']} | {statistics.median(r['delivery_sql_ms'] for r in runs):.1f} "
        f"| {first['delivered_alerts']} | {first['announced_breaches']} | {first['notifications']} |"
    )
    print(f"\nsweep + delivery, median of the sums: {res['total_median_ms']:.1f} ms")
    print("\nslowest queries of the last sweep (ms, start of the SQL):")
    for ms, sql in runs[-1]["slowest"]:
        print(f"  {ms:7.1f}  {sql}")
    print("\nslowest queries of the last delivery:")
    for ms, sql in runs[-1]["slowest_delivery"]:
        print(f"  {ms:7.1f}  {sql}")
    print(f"\nwarm-up run (first in the process): {res['warmup_ms']:.1f} ms")
    idle = res["idle_ms"]
    print(
        f"idle run ({res['idle_due']} due): min {min(idle):.2f} ms, "
        f"median {statistics.median(idle):.2f} ms, "
        f"{res['idle_queries']} queries"
    )
    print(f"load average before: {' '.join(f'{x:.2f}' for x in res['load_before'])}")
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in res['load_after'])}")
    print("\n### due-clock selection\n")
    print(res["due_sql"])
    print()
    print(res["explain"])
    if res["profile"]:
        print("\n### cProfile of one run\n")
        print(res["profile"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", "--count", type=int, default=1_000_000, help="open tickets (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=15, help="measured runs (default 15)")
    parser.add_argument("--reload", action="store_true", help="load the tickets again even if they are there")
    parser.add_argument("--keep", action="store_true", help="leave PostgreSQL running at the end")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one run")
    parser.add_argument(
        "--wait", type=float, default=1200, help="seconds to wait for bench_api.py (default 1200)"
    )
    parser.add_argument("--seed", type=float, default=0.2026)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    started = pg_start() if os.environ["DATABASE_URL"] == DEFAULT_URL else False
    try:
        if connection.vendor != "postgresql":
            raise SystemExit("bench/bench_sla_sweep.py measures PostgreSQL only")
        call_command("migrate", verbosity=0)
        info = meta()
        if args.reload or info is None or info["tickets"] != args.count:
            wait_for_quiet(pattern="bench_api.py", poll=30, limit=args.wait)
            load(count=args.count, seed=args.seed)
            info = meta()
        assert info is not None
        res = measure(args, info)
        report(res)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(res, indent=2, default=str))
    finally:
        connection.close()
        if started and not args.keep:
            pg_stop()
        elif started:
            log(
                f"PostgreSQL left running (pid {postmaster_pid()}); "
                f"stop it with: kill -INT {postmaster_pid()}"
            )


if __name__ == "__main__":
    main()
