"""Email intake throughput from a real IMAP server (issue 4): 1,000 mails of mixed sizes -> tickets.

    bash bench/pg.sh start                 # the benchmark PostgreSQL (1,000,000 tickets loaded)
    uv run python bench/bench_intake.py    # ~1 minute; a Markdown table on stdout

What it does:

* starts a throwaway dovecot (tests/servers.py, loopback) and a throwaway Redis as the Celery broker
  (the intake queues each ticket's notification fan-out there; no worker consumes during the run, so
  the figure is the intake's own);
* creates 10 customers with 5 contacts each (email domains, so every sender is known);
* writes 1,000 mails (fixed seed) and appends them to the mailbox before timing starts:
  45 % short plain-text reports (UTF-8 or GBK, 1-3 KB), 20 % HTML-only (Outlook-like, ~20 KB),
  15 % with attachments (one or two PDFs/images of 50-400 KB, base64), 10 % replies to an earlier
  mail of the run (In-Reply-To its Message-ID: a comment on that ticket), 5 % auto-replies,
  5 % the same message delivered twice;
* times ``mailbox_poll()`` until the mailbox is drained (batches of ``MAIL_POLL_BATCH``, default 200):
  fetch over IMAP, parse, store the original and attachments, match the sender, create the ticket or
  comment, flag ``\\Seen``; reports mails/s, MB/s and the outcome counts;
* deletes what it created (tickets, mails, contacts, customers, the mailbox) so the database stays as
  the other benchmarks expect it; ``--keep`` keeps it.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("DATABASE_URL", "postgres://weibao:weibao@127.0.0.1:54331/weibao_bench")
os.environ.setdefault("SECRET_KEY", "weibao-bench-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="weibao-bench-media-"))

from tests import servers  # noqa: E402

USER = "support@bench.test"
SEED = 20261121


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def build_mails(*, count: int, senders: list[tuple[str, str]], rng: random.Random) -> list[bytes]:
    """The mixed corpus: see the module docstring for the shares."""
    mails: list[bytes] = []
    sent: list[tuple[str, str, str]] = []  # (Message-ID, sender name, address) of mails that open a ticket
    problems = [
        "门诊挂号系统无法打印发票",
        "检验科 LIS 接口中断",
        "住院护士站电脑蓝屏",
        "PACS 影像调阅缓慢",
        "医保结算报错 2001",
    ]
    for n in range(count):
        name, address = rng.choice(senders)
        roll = rng.random()
        message = EmailMessage()
        message["From"] = f"{name} <{address}>"
        message["To"] = USER
        message["Date"] = format_datetime(time_now())
        message_id = make_msgid(domain="hosp.bench")
        message["Message-ID"] = message_id
        problem = rng.choice(problems)
        text = f"您好，{problem}，影响窗口业务，请尽快处理。\n" + "现场情况描述。" * rng.randint(40, 140)
        if roll < 0.45:
            message["Subject"] = f"{problem}（{n}）"
            if rng.random() < 0.5:
                message.set_content(text, charset="gbk")
            else:
                message.set_content(text)
        elif roll < 0.65:
            message["Subject"] = f"【紧急】{problem}（{n}）"
            rows = "".join(f"<tr><td>{i}</td><td>{problem}</td></tr>" for i in range(rng.randint(80, 160)))
            message.set_content(
                f"<html><body><p>{text}</p><table>{rows}</table></body></html>", subtype="html"
            )
        elif roll < 0.80:
            message["Subject"] = f"{problem} 截图和日志（{n}）"
            message.set_content(text)
            for index in range(rng.randint(1, 2)):
                size = rng.randint(50_000, 400_000)
                payload = rng.randbytes(size)
                kind, sub, ext = rng.choice([("application", "pdf", "pdf"), ("image", "png", "png")])
                message.add_attachment(payload, maintype=kind, subtype=sub, filename=f"附件{index}.{ext}")
        elif roll < 0.90 and sent:
            # A reply comes from the one who reported (a stranger naming the ticket is not threaded).
            parent, name, address = rng.choice(sent)
            del message["From"]
            message["From"] = f"{name} <{address}>"
            message["Subject"] = "回复: 补充说明"
            message["In-Reply-To"] = parent
            message["References"] = parent
            message.set_content("补充一下：重启后问题仍然存在。\n\n-----原始邮件-----\n" + text[:200])
        elif roll < 0.95:
            message["Subject"] = "自动回复: 休假中"
            message["Auto-Submitted"] = "auto-replied"
            message.set_content("我正在休假，11 月 30 日返回。")
        else:
            message["Subject"] = f"{problem}（重复投递 {n}）"
            message.set_content(text)
            raw = message.as_bytes()
            mails += [raw, raw]
            sent.append((message_id, name, address))
            continue
        if roll < 0.80:
            sent.append((message_id, name, address))
        mails.append(message.as_bytes())
    return mails[:count]


def time_now() -> datetime:
    return datetime.now(tz=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", "--mails", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the tickets and mails it created")
    args = parser.parse_args()

    with servers.redis_server() as redis, servers.imap_server(users={USER: "bench-pw"}) as imap:
        os.environ["CELERY_BROKER_URL"] = redis.url
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from weibao.core.secrets import secret_encrypt
        from weibao.customers.models import Contact, Customer
        from weibao.mail.choices import MailSecurity
        from weibao.mail.models import InboundMail, Mailbox
        from weibao.mail.services import mailbox_poll
        from weibao.tickets.models import Ticket

        call_command("migrate", verbosity=0)
        rng = random.Random(SEED)
        customers = [
            Customer.objects.create(
                name=f"基准医院{i}", code=f"bench-hosp-{i}", email_domains=f"hosp{i}.bench"
            )
            for i in range(10)
        ]
        senders = []
        for customer in customers:
            domain = customer.email_domains
            for j in range(5):
                contact = Contact.objects.create(customer=customer, name=f"联系人{j}", email=f"c{j}@{domain}")
                senders.append((contact.name, contact.email))
        mails = build_mails(count=args.mails, senders=senders, rng=rng)
        total_bytes = sum(len(m) for m in mails)
        log(f"appending {len(mails)} mails ({total_bytes / 1e6:.1f} MB) to dovecot")
        import imaplib

        conn = imaplib.IMAP4(imap.host, imap.port)
        conn.login(USER, "bench-pw")
        for raw in mails:
            conn.append("INBOX", "", "", raw)
        conn.logout()
        mailbox = Mailbox.objects.create(
            name="bench",
            host=imap.host,
            port=imap.port,
            security=MailSecurity.NONE,
            username=USER,
            secret=secret_encrypt(value="bench-pw"),
            address=USER,
        )
        tickets_before = Ticket.objects.count()
        polls, fetched = [], 0
        started = time.perf_counter()
        while True:
            t0 = time.perf_counter()
            result = mailbox_poll(mailbox_id=mailbox.pk)
            polls.append((result.fetched, time.perf_counter() - t0))
            fetched += result.fetched
            if result.error:
                raise SystemExit(f"poll failed: {result.error}")
            if result.fetched == 0:
                break
        elapsed = time.perf_counter() - started
        outcomes = Counter(InboundMail.objects.filter(mailbox=mailbox).values_list("status", flat=True))
        created = Ticket.objects.count() - tickets_before
        print("\n| measure | value |\n|---|---|")
        print(f"| mails fetched | {fetched} ({total_bytes / 1e6:.1f} MB) |")
        print(f"| wall time | {elapsed:.1f} s in {len(polls) - 1} polls of ≤ {settings.MAIL_POLL_BATCH} |")
        rate, mb_rate = fetched / elapsed, total_bytes / 1e6 / elapsed
        print(f"| **throughput** | **{rate:.1f} mails/s** ({mb_rate:.2f} MB/s) |")
        print(f"| tickets created | {created} |")
        print(f"| outcomes | {', '.join(f'{k} {v}' for k, v in sorted(outcomes.items()))} |")
        print(f"| per poll (mails, s) | {', '.join(f'{n}: {s:.1f}' for n, s in polls if n)} |")
        print(f"| load average | {' '.join(f'{x:.2f}' for x in os.getloadavg())} |")
        if not args.keep:
            ids = list(InboundMail.objects.filter(mailbox=mailbox).values_list("ticket_id", flat=True))
            Ticket.objects.filter(pk__in=[i for i in ids if i]).delete()
            InboundMail.objects.filter(mailbox=mailbox).delete()
            mailbox.delete()
            Contact.objects.filter(customer__in=customers).delete()
            for customer in customers:
                customer.delete()
            log("cleaned up")


if __name__ == "__main__":
    main()
