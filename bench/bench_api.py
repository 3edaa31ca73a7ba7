"""Measure the ticket API and the console against a real gunicorn on loopback; not part of the test suite.

    uv run python bench/bench_api.py            # after bench/load_tickets.py; see bench/README.md

1. Starts ``gunicorn config.wsgi`` (``--workers``, default 2 x cores + 1) on 127.0.0.1 with
   ``config.settings.production`` and DATABASE_URL / SECRET_KEY / ALLOWED_HOSTS from the environment
   (defaults: the bench database of bench/pg.sh), after ``collectstatic`` into a bench var directory.
2. Create throughput: ``POST /api/v1/tickets`` with a Bearer token of ``bench-agent-01``, by 1 and by 8
   concurrent clients, each phase bounded by a request count and a time limit.
3. Latency: after a warm-up, N sequential requests each of ``GET /api/v1/tickets`` (first page, status +
   customer, text search) and of ``/console/`` signed in (the same three views): p50 / p95 / p99.
4. Stops gunicorn by its pid, deletes the tickets it created (``--keep-created`` keeps them), prints
   Markdown tables and writes them with the raw figures to ``--out`` (JSON).

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("DATABASE_URL", "postgres://weibao:weibao@127.0.0.1:54331/weibao_bench")
os.environ.setdefault("SECRET_KEY", "weibao-bench-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
# Plain HTTP on loopback: a Secure session cookie would be correct in production and useless here.
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("DB_CONN_MAX_AGE", "60")  # docs/deploy.md: saves a connect per request
os.environ.setdefault("WEIBAO_VAR_DIR", str(ROOT / "var" / "bench"))
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from weibao.accounts.models import User  # noqa: E402
from weibao.accounts.services import api_token_create  # noqa: E402
from weibao.customers.models import Customer, DeliveredSystem  # noqa: E402
from weibao.tickets.models import Ticket  # noqa: E402

HOST = "127.0.0.1"
AGENT = "bench-agent-01"
CREATE_TITLES = [
    *(
        "门诊挂号系统提交缓慢",
        "检验结果回传延迟",
        "PACS 影像无法调阅",
        "收费处打印发票失败",
        "住院护士站无法登录",
    ),
    *("医保结算报错", "病历模板无法保存", "无线网络频繁掉线", "服务器磁盘空间不足", "药房库存数量不一致"),
]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --------------------------------------------------------------------------- server


class Server:
    """gunicorn on 127.0.0.1:port, started here and stopped by its pid."""

    def __init__(self, *, port: int, workers: int, config: str | None = None) -> None:
        self.port = port
        self.workers = workers
        self.config = config
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"{HOST}:{self.port}",
            "--workers", str(self.workers), "--timeout", "60", "--graceful-timeout", "10",
            "--log-level", "warning", *(["--config", self.config] if self.config else []),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}")
            try:
                status, _body, _ms = request("GET", "/healthz", port=self.port)
                if status == 200:
                    log(f"gunicorn pid {self.process.pid}, {self.workers} workers, on {HOST}:{self.port}")
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit("gunicorn did not answer /healthz within 60 s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # the master stops its workers gracefully
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        log(f"stopped gunicorn pid {self.process.pid}")


def request(
    method: str, path: str, *, port: int, headers: dict[str, str] | None = None, body: bytes | None = None
) -> tuple[int, bytes, float]:
    """One request on a fresh connection (gunicorn's sync workers close after each response)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    return response.status, data, (time.perf_counter() - started) * 1000


# --------------------------------------------------------------------------- credentials and targets


def credentials() -> tuple[str, str]:
    """A fresh Bearer token and a signed-in session (made directly in the session store) for the agent."""
    agent = User.objects.filter(username=AGENT).first()
    if agent is None:
        raise SystemExit(f"{AGENT} not found: run bench/load_tickets.py first")
    _token, raw = api_token_create(actor=agent, name=f"bench {time.strftime('%Y-%m-%d %H:%M')}")
    session = SessionStore()
    session[SESSION_KEY] = str(agent.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = agent.get_session_auth_hash()
    session.create()
    return raw, f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def targets(word: str) -> dict[str, Any]:
    """The biggest customer (the skew's head) and its systems, for filters and creates."""
    row = (
        Ticket.objects.values("customer_id").annotate(n=Count("id")).order_by("-n").first()
        if Ticket.objects.exists()
        else None
    )
    if row is None:
        raise SystemExit("no tickets: run bench/load_tickets.py first")
    customer = Customer.objects.get(pk=row["customer_id"])
    smallest = (
        Customer.objects.filter(code__startswith="bench-")
        .annotate(n=Count("tickets"))
        .filter(n__gt=0)
        .order_by("n")
        .first()
    )
    customers = list(Customer.objects.filter(code__startswith="bench-").values_list("pk", flat=True))
    systems: dict[int, list[int]] = {}
    for pk, customer_id in DeliveredSystem.objects.values_list("pk", "customer_id"):
        systems.setdefault(customer_id, []).append(pk)
    return {
        "customer": customer.pk,
        "customer_name": customer.name,
        "customer_tickets": row["n"],
        "smallest_customer_name": smallest.name if smallest else customer.name,
        "customers": customers,
        "systems": systems,
        "word": word,
        "total": Ticket.objects.count(),
    }


# --------------------------------------------------------------------------- measurements


def wait_for_quiet(*, limit: float, seconds: float) -> None:
    """On a shared machine: wait until other work has calmed down, so it does not skew the figures."""
    deadline = time.monotonic() + seconds
    while os.getloadavg()[0] >= limit and time.monotonic() < deadline:
        log(f"load average {os.getloadavg()[0]:.2f} >= {limit}: waiting")
        time.sleep(15)


def create_phase(
    *, port: int, token: str, clients: int, count: int, seconds: float, info: dict[str, Any]
) -> dict[str, Any]:
    """``count`` creates (or as many as fit in ``seconds``) by ``clients`` threads; requests/s."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    lock = threading.Lock()
    issued = 0
    latencies: list[float] = []
    errors: dict[int, int] = {}
    deadline = time.monotonic() + seconds

    def worker(seed: int) -> None:
        nonlocal issued
        rng = random.Random(seed)
        while True:
            with lock:
                if issued >= count or time.monotonic() >= deadline:
                    return
                issued += 1
            customer = rng.choice(info["customers"])
            payload = {
                "customer_id": customer,
                "system_id": rng.choice(info["systems"][customer]),
                "title": rng.choice(CREATE_TITLES),
                "description": "监控系统自动上报：请尽快安排工程师处理。",
                "channel": "api",
                "urgency": rng.choice([1, 2, 2, 3]),
                "impact": rng.choice([1, 2, 2, 3]),
            }
            body = json.dumps(payload, ensure_ascii=False).encode()
            status, _data, ms = request("POST", "/api/v1/tickets", port=port, headers=headers, body=body)
            with lock:
                if status == 201:
                    latencies.append(ms)
                else:
                    errors[status] = errors.get(status, 0) + 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    busy_before, client_before = machine_busy_seconds(), client_cpu_seconds()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    busy = machine_busy_seconds() - busy_before
    client = client_cpu_seconds() - client_before
    created = max(1, len(latencies))
    result = {
        "clients": clients,
        "created": len(latencies),
        "errors": errors,
        "seconds": round(elapsed, 2),
        "per_second": round(len(latencies) / elapsed, 1),
        # CPU of the whole machine (gunicorn + PostgreSQL + this client + anything else) and of this
        # client alone, per created ticket: what the server side costs, independent of the core count.
        "cpu_utilisation": round(busy / (elapsed * (os.cpu_count() or 1)), 2),
        "cpu_ms_per_create": round(busy * 1000 / created, 1),
        "client_cpu_ms_per_create": round(client * 1000 / created, 1),
        **percentiles(latencies),
    }
    log(
        f"create x{clients}: {result['created']} in {elapsed:.1f} s = {result['per_second']}/s, "
        f"errors {errors}"
    )
    return result


def machine_busy_seconds() -> float:
    """CPU seconds spent by all cores on anything but idle and I/O wait, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def client_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "mean": 0.0}
    ordered = sorted(values)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 1)

    return {
        "p50": pick(0.50),
        "p95": pick(0.95),
        "p99": pick(0.99),
        "mean": round(statistics.fmean(values), 1),
    }


def latency(*, port: int, path: str, headers: dict[str, str], n: int, warmup: int) -> dict[str, Any]:
    values = []
    size = 0
    for i in range(warmup + n):
        status, data, ms = request("GET", path, port=port, headers=headers)
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}: {data[:300]!r}")
        if i >= warmup:
            values.append(ms)
            size = len(data)
    result = {"path": path, "n": n, "bytes": size, **percentiles(values)}
    log(f"GET {urllib.parse.unquote(path)}: p50 {result['p50']} ms, p95 {result['p95']} ms")
    return result


def read_phase(*, port: int, token: str, cookie: str, info: dict[str, Any], n: int, warmup: int) -> list[Any]:
    word = urllib.parse.quote(info["word"])
    rare = urllib.parse.quote(info["rare_word"])
    customer = info["customer"]
    api = {"Authorization": f"Bearer {token}"}
    page = {"Cookie": cookie}
    views = [
        ("API", "first page", "/api/v1/tickets", api),
        ("API", "status=closed + customer", f"/api/v1/tickets?status=closed&customer={customer}", api),
        (
            "API",
            "status=in_progress + customer",
            f"/api/v1/tickets?status=in_progress&customer={customer}",
            api,
        ),
        ("API", f"text q={info['word']}", f"/api/v1/tickets?q={word}", api),
        ("API", f"text q={info['rare_word']} (a small customer's name)", f"/api/v1/tickets?q={rare}", api),
        ("console", "first page (queue: all open)", "/console/", page),
        ("console", "first page (queue: all tickets)", "/console/?queue=all", page),
        (
            "console",
            "status=closed + customer",
            f"/console/?queue=all&status=closed&customer={customer}",
            page,
        ),
        (
            "console",
            "status=in_progress + customer",
            f"/console/?queue=all&status=in_progress&customer={customer}",
            page,
        ),
        ("console", f"text q={info['word']}", f"/console/?queue=all&q={word}", page),
        (
            "console",
            f"text q={info['rare_word']} (a small customer's name)",
            f"/console/?queue=all&q={rare}",
            page,
        ),
    ]
    results = []
    for kind, label, path, headers in views:
        result = latency(port=port, path=path, headers=headers, n=n, warmup=warmup)
        results.append({"kind": kind, "view": label, **result})
    return results


# --------------------------------------------------------------------------- report


def markdown(report: dict[str, Any]) -> str:
    machine = report["machine"]
    lines = [
        f"Tickets in the database: {report['targets']['total']:,}; filtered customer: "
        f"{report['targets']['customer_name']} ({report['targets']['customer_tickets']:,} tickets). "
        f"gunicorn workers: {report['settings']['workers']}; "
        f"load average before / after: {machine['load_average_before'][0]} / "
        f"{machine.get('load_average_after', ['?'])[0]}.",
        "",
        "| clients | tickets created | seconds | tickets/s | p50 ms | p95 ms | CPU busy | CPU ms/ticket "
        "(all) | of which client | errors |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in report["create"]:
        lines.append(
            f"| {r['clients']} | {r['created']} | {r['seconds']} | **{r['per_second']}** "
            f"| {r['p50']} | {r['p95']} | {r['cpu_utilisation']:.0%} | {r['cpu_ms_per_create']} "
            f"| {r['client_cpu_ms_per_create']} | {r['errors'] or 'none'} |"
        )
    lines += [
        "",
        "| | view | n | p50 ms | p95 ms | p99 ms | response bytes |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in report["reads"]:
        lines.append(
            f"| {r['kind']} | {r['view']} | {r['n']} | {r['p50']} | **{r['p95']}** | {r['p99']} "
            f"| {r['bytes']:,} |"
        )
    return "\n".join(lines)


def main() -> None:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2 * cores + 1)
    parser.add_argument("--creates", type=int, default=1000, help="create requests per phase at most")
    parser.add_argument("--create-seconds", type=float, default=30, help="time limit of a create phase")
    parser.add_argument("-n", "--requests", type=int, default=200, help="measured requests per read view")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--word", default="打印", help="the text search's common word")
    parser.add_argument(
        "--rare-word", default="", help="a second, rare search text (default: the smallest customer's name)"
    )
    parser.add_argument("--skip-creates", action="store_true")
    parser.add_argument("--skip-reads", action="store_true")
    parser.add_argument("--keep-created", action="store_true", help="keep the tickets the create phases made")
    parser.add_argument(
        "--quiet-load",
        type=float,
        default=0,
        help="wait (up to --quiet-wait s) until the 1-minute load average is below this before measuring",
    )
    parser.add_argument("--quiet-wait", type=float, default=600)
    parser.add_argument("--out", default=str(ROOT / "var" / "bench" / "results.json"))
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("the benchmark runs on PostgreSQL; set DATABASE_URL")

    if args.quiet_load:
        wait_for_quiet(limit=args.quiet_load, seconds=args.quiet_wait)
    log("collectstatic")
    call_command("collectstatic", interactive=False, verbosity=0)
    info = targets(args.word)
    info["rare_word"] = args.rare_word or info["smallest_customer_name"]
    token, cookie = credentials()
    max_id = Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 0
    config = None
    connection.close()  # nothing of ours holds a connection while gunicorn runs

    server = Server(port=args.port, workers=args.workers, config=config)
    load_before = os.getloadavg()
    report: dict[str, Any] = {"targets": {k: v for k, v in info.items() if k not in ("customers", "systems")}}
    report["settings"] = {
        "workers": args.workers,
        "DB_CONN_MAX_AGE": os.environ["DB_CONN_MAX_AGE"],
    }
    report["machine"] = {"cores": cores, "load_average_before": [round(x, 2) for x in load_before]}
    server.start()
    try:
        report["reads"] = []
        if not args.skip_reads:
            report["reads"] = read_phase(
                port=args.port, token=token, cookie=cookie, info=info, n=args.requests, warmup=args.warmup
            )
        report["create"] = []
        if not args.skip_creates:
            for clients in (1, 8):
                phase = create_phase(
                    port=args.port, token=token, clients=clients, count=args.creates,
                    seconds=args.create_seconds, info=info,
                )  # fmt: skip
                report["create"].append(phase)
    finally:
        server.stop()
        report["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    if not args.keep_created:
        created = Ticket.objects.filter(id__gt=max_id)
        removed = created.count()
        created.delete()
        log(f"removed the {removed} tickets created by the benchmark")
    text = markdown(report)
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({**report, "markdown": text}, ensure_ascii=False, indent=2))
    log(f"wrote {out}")


if __name__ == "__main__":
    main()
