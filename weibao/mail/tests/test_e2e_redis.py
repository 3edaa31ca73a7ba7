"""End to end on real servers (issue 4): a customer's mail in dovecot becomes a ticket, the agent's public
reply goes out by SMTP, and the customer's answer to that email threads back onto the same ticket -
every step after the first poll carried by a Celery worker on a throwaway Redis.

Nothing here calls a task function directly: the poll is queued with ``delay()``, and everything else
(the fan-out of each ticket event, each delivery) is queued by the services after their commits.
"""

from __future__ import annotations

import imaplib
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from tests import servers
from tests.servers import ImapServer
from weibao.accounts.tests.factories import staff_user
from weibao.core.secrets import secret_encrypt
from weibao.customers.tests.factories import ContactFactory, CustomerFactory
from weibao.mail.choices import InboundStatus, MailSecurity
from weibao.mail.models import InboundMail, Mailbox
from weibao.mail.tasks import poll_mailboxes
from weibao.mail.tests.conftest import eml
from weibao.tickets import services as ticket_services
from weibao.tickets.models import Ticket, TicketComment

USER = "hk@weibao.test"


def _imap(imap: ImapServer) -> imaplib.IMAP4:
    conn = imaplib.IMAP4(imap.host, imap.port, timeout=10)
    conn.login(USER, imap.users[USER])
    return conn


def _deliver_to_imap(imap: ImapServer, raw: bytes) -> None:
    conn = _imap(imap)
    assert conn.append("INBOX", "", "", raw)[0] == "OK"
    conn.logout()


def _empty(imap: ImapServer) -> None:
    conn = _imap(imap)
    if conn.select("INBOX")[1][0] != b"0":
        conn.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
        conn.expunge()
    conn.logout()


def _wait(condition: Any, *, timeout: float = 60.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _mail_saying(sink: servers.SmtpSink, text: str) -> Any:
    for message in sink.parsed():
        body = message.get_body(preferencelist=("plain",))
        if body is not None and text in body.get_content():
            return message
    return None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_mail_in_ticket_reply_out_answer_threads_back(
    imap: ImapServer, redis_celery_app: Celery, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    _empty(imap)
    hospital = CustomerFactory.create(name="安庆市第一人民医院", email_domains="hosp.test")
    contact = ContactFactory.create(customer=hospital, name="朱镕", email="zhurong@hosp.test")
    engineer = staff_user(role_codes=["support_engineer"], email="wang@weibao.test", display_name="王工")
    Mailbox.objects.create(
        name="香港服务邮箱",
        host=imap.host,
        port=imap.port,
        security=MailSecurity.NONE,
        username=USER,
        secret=secret_encrypt(value=imap.users[USER]),
        address=USER,
    )

    with servers.smtp_sink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = sink.host, sink.port, 10
        settings.DEFAULT_FROM_EMAIL = f"维保服务台 <{USER}>"
        settings.WEIBAO_REPLY_TO = USER
        with start_worker(redis_celery_app, perform_ping_check=False, shutdown_timeout=30, concurrency=1):
            # 1. The customer's mail (Foxmail, GB2312) arrives; the beat's poll is queued on Redis.
            _deliver_to_imap(imap, eml("01"))
            poll_mailboxes.delay()
            _wait(lambda: Ticket.objects.filter(contact=contact).exists())
            ticket = Ticket.objects.get(contact=contact)

            # 2. The acknowledgement reaches the customer (ticket created -> contact, by the seeded rules).
            (ack,) = sink.wait_for(1, timeout=60)
            assert ack["To"] == "zhurong@hosp.test"
            assert f"#{ticket.number}" in ack["Subject"] and ack["Auto-Submitted"] == "auto-generated"

            # 3. The engineer answers publicly; the reply is emailed with our threading headers.
            ticket_services.ticket_assign(
                actor=staff_user(role_codes=["agent"]), ticket_id=ticket.pk, assignee_id=engineer.pk
            )
            ticket_services.comment_create(
                actor=engineer, ticket_id=ticket.pk, body="请先重启打印服务，再试一次。"
            )
            _wait(lambda: _mail_saying(sink, "请先重启打印服务") is not None)
            reply = _mail_saying(sink, "请先重启打印服务")
            assert reply is not None and reply["To"] == "zhurong@hosp.test"
            assert reply["Message-ID"].startswith(f"<ticket-{ticket.number}.")
            assert reply["Reply-To"] == USER and "Auto-Submitted" not in reply

            # 4. The customer answers that email from their mail program; it threads back onto the ticket.
            answer = EmailMessage()
            answer["From"] = "朱镕 <zhurong@hosp.test>"
            answer["To"] = USER
            answer["Subject"] = "回复: " + reply["Subject"].strip()
            answer["Message-ID"] = "<answer-1@hosp.test>"
            answer["In-Reply-To"] = reply["Message-ID"]
            answer["References"] = f"{reply['References']} {reply['Message-ID']}"
            answer["Date"] = format_datetime(timezone.now())
            answer.set_content(
                "重启后可以打印了，谢谢！\n\n-----原始邮件-----\n请先重启打印服务，再试一次。\n"
            )
            _deliver_to_imap(imap, answer.as_bytes())
            poll_mailboxes.delay()
            _wait(lambda: InboundMail.objects.filter(message_id="<answer-1@hosp.test>").exists())

            # 5. The assignee hears of the customer's reply by email too.
            _wait(lambda: any(m["To"] == "wang@weibao.test" for m in sink.parsed()))

    threaded = InboundMail.objects.get(message_id="<answer-1@hosp.test>")
    assert threaded.status == InboundStatus.THREADED and threaded.ticket_id == ticket.pk
    comment = TicketComment.objects.filter(ticket=ticket, via_email=True).get()
    assert comment.author_contact_id == contact.pk
    assert "重启后可以打印了" in comment.body and "原始邮件" not in comment.body  # the quote is trimmed
    assert Ticket.objects.count() == 1
