"""Notification fan-out latency with Redis-backed Celery workers (issue 4): event -> delivered webhook.

    bash bench/pg.sh start                 # the benchmark PostgreSQL (1,000,000 tickets loaded)
    uv run python bench/bench_fanout.py    # ~2 minutes; Markdown tables on stdout

What it does:

* starts a throwaway Redis (broker) and a local HTTP receiver on loopback that checks the generic
  webhook's HMAC-SHA256 signature and notes when each post arrives, then a real Celery worker
  (``celery -A config worker``, prefork, 2 processes, the production settings) in its own process
  group, stopped by its pid at the end;
* creates a team of 8 engineers with a signed generic webhook, a customer with a contact, an agent;
* per measured event: a ticket is logged, then dispatched to the team (``ticket_assign``); the clock
  starts when the assignment's transaction has committed (the service returned) and stops when the
  receiver has the "ticket assigned" post for that event - so it covers the queue hop to the worker,
  the fan-out (rules, 8 in-app rows, the delivery rows), the second hop to the delivery task, the
  signed POST and the receiver's answer. Every event also fans out "ticket created" (the contact's
  acknowledgement email, to a dummy mail backend) on the same worker;
* two runs: ``--paced`` events at 10/s (latency as a user sees it) and a burst of ``--burst`` events
  as fast as the services can log them (latency under a queue); reports p50 / p95 / max;
* deletes what it created unless ``--keep``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DATABASE_URL": "postgres://weibao:weibao@127.0.0.1:54331/weibao_bench",
    "SECRET_KEY": "weibao-bench-not-secret",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "WEBHOOK_ALLOW_HTTP": "true",
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "DB_CONN_MAX_AGE": "60",
    "MEDIA_ROOT": tempfile.mkdtemp(prefix="weibao-bench-media-"),
}
for _key, _value in ENV.items():
    os.environ.setdefault(_key, _value)

from tests import servers  # noqa: E402

SECRET = "bench-webhook-secret"  # noqa: S105 - a throwaway benchmark key


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--paced", type=int, default=200, help="events at 10/s")
    parser.add_argument("--burst", type=int, default=200, help="events as fast as they can be logged")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    arrivals: dict[str, float] = {}
    bad_signatures = 0

    def check(hit: servers.WebhookHit) -> dict[str, Any] | None:
        nonlocal bad_signatures
        timestamp = hit.headers.get("x-weibao-timestamp", "")
        mac = hmac.new(SECRET.encode(), timestamp.encode() + b"." + hit.body, hashlib.sha256).hexdigest()
        if hit.headers.get("x-weibao-signature") != f"sha256={mac}":
            bad_signatures += 1
            return {"error": "bad signature"}
        body = hit.json()
        if body.get("event") == "ticket_assigned":
            arrivals[body["occurred"]] = time.time()
        return None

    with servers.redis_server() as redis, servers.webhook_receiver() as receiver:
        os.environ["CELERY_BROKER_URL"] = redis.url
        receiver.checks["/hook"] = check
        import django

        django.setup()
        from django.core.management import call_command

        from weibao.accounts.models import Role, Team, User
        from weibao.core.secrets import secret_encrypt
        from weibao.customers.models import Contact, Customer
        from weibao.notifications.models import Delivery, Notification, Webhook
        from weibao.tickets import services
        from weibao.tickets.choices import Channel, EventKind
        from weibao.tickets.models import Ticket, TicketEvent

        call_command("migrate", verbosity=0)
        stamp = int(time.time())
        team = Team.objects.create(code=f"bench-fanout-{stamp}", name="基准团队")
        engineer_role = Role.objects.get(code="support_engineer")
        members = []
        for i in range(8):
            user = User.objects.create(
                username=f"bench-fo-{stamp}-{i}", email=f"e{i}@bench.test", kind="staff"
            )
            user.roles.add(engineer_role)
            members.append(user)
        team.members.add(*members)
        agent = User.objects.create(username=f"bench-fo-agent-{stamp}", kind="staff")
        agent.roles.add(Role.objects.get(code="agent"))
        customer = Customer.objects.create(name="基准医院 fan-out", code=f"bench-fanout-{stamp}")
        contact = Contact.objects.create(customer=customer, name="张主任", email="zhang@bench-hosp.test")
        webhook = Webhook.objects.create(
            name="基准 Webhook",
            kind="generic",
            url=receiver.base_url + "/hook",
            secret=secret_encrypt(value=SECRET),
            team=team,
        )

        worker_env = {**os.environ, "CELERY_BROKER_URL": redis.url}
        worker_log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - open for the worker's whole life
            "w", prefix="weibao-bench-worker-", suffix=".log", delete=False
        )
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", str(args.concurrency),
             "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=worker_env, stdout=worker_log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        created: list[int] = []
        try:
            time.sleep(4)  # the worker forks its processes and connects to Redis

            def one_event() -> tuple[str, float]:
                ticket = services.ticket_create(
                    actor=agent, customer_id=customer.pk, contact_id=contact.pk, channel=Channel.PHONE,
                    title="基准：门诊挂号系统无法打印发票", description="收费窗口点击打印后没有反应。",
                )  # fmt: skip
                created.append(ticket.pk)
                services.ticket_assign(actor=agent, ticket_id=ticket.pk, team_id=team.pk)
                committed = time.time()
                event_id = (
                    TicketEvent.objects.filter(ticket_id=ticket.pk, kind=EventKind.ASSIGNED)
                    .values_list("pk", flat=True)
                    .get()
                )
                return f"ev{event_id}", committed

            def measure(count: int, *, pace: float) -> list[float]:
                started: dict[str, float] = {}
                for _ in range(count):
                    key, at = one_event()
                    started[key] = at
                    if pace:
                        time.sleep(pace)
                deadline = time.time() + 120
                while any(key not in arrivals for key in started) and time.time() < deadline:
                    time.sleep(0.05)
                missing = [key for key in started if key not in arrivals]
                if missing:
                    raise SystemExit(f"{len(missing)} webhooks never arrived; see {worker_log.name}")
                return [(arrivals[key] - at) * 1000 for key, at in started.items()]

            log("warm-up")
            measure(10, pace=0.1)
            results = {}
            log(f"paced: {args.paced} events at 10/s")
            results["paced (10 events/s)"] = measure(args.paced, pace=0.1)
            log(f"burst: {args.burst} events")
            t0 = time.time()
            arrived_before = set(arrivals)
            results[f"burst ({args.burst} events)"] = measure(args.burst, pace=0)
            burst_seconds = time.time() - t0
            # The worker's capacity: events fanned out and delivered per second while the queue was full.
            drained = max(at for key, at in arrivals.items() if key not in arrived_before) - t0
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
            worker_log.close()

        sent = Delivery.objects.filter(webhook=webhook, status="sent").count()
        print("\n| run | events | p50 | p95 | max |\n|---|---|---|---|---|")
        for name, values in results.items():
            print(
                f"| {name} | {len(values)} | {statistics.median(values):.0f} ms | "
                f"{percentile(values, 0.95):.0f} ms | {max(values):.0f} ms |"
            )
        print(
            f"\nBurst: {args.burst} events logged in {burst_seconds:.1f} s, all delivered {drained:.1f} s "
            f"after the first ({args.burst / drained:.1f} events/s, 4 tasks each); webhook deliveries sent: "
            f"{sent}; bad signatures: {bad_signatures}; worker concurrency {args.concurrency}; load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        if not args.keep:
            Notification.objects.filter(recipient__in=[*members, agent]).delete()
            Delivery.objects.filter(
                ticket_number__in=Ticket.objects.filter(pk__in=created).values("number")
            ).delete()
            Ticket.objects.filter(pk__in=created).delete()
            webhook.delete()
            contact.delete()
            customer.delete()
            for user in [*members, agent]:
                user.delete()
            team.delete()
            log("cleaned up")


if __name__ == "__main__":
    main()
