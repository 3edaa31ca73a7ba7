# mypy: disable-error-code="union-attr"
"""Polling real IMAP mailboxes (a throwaway dovecot on loopback) with the .eml corpus."""

from __future__ import annotations

import imaplib

import pytest

from tests.servers import ImapServer
from weibao.core.secrets import secret_encrypt
from weibao.customers.models import Contact
from weibao.customers.tests.factories import ContactFactory
from weibao.mail.choices import InboundStatus, MailSecurity
from weibao.mail.models import InboundMail, Mailbox
from weibao.mail.services import mailbox_poll
from weibao.mail.tasks import poll_mailboxes
from weibao.mail.tests.conftest import CORPUS
from weibao.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _connect(imap: ImapServer, user: str) -> imaplib.IMAP4:
    conn = imaplib.IMAP4(imap.host, imap.port, timeout=10)
    conn.login(user, imap.users[user])
    return conn


def _empty(imap: ImapServer, user: str, folder: str = "INBOX") -> None:
    conn = _connect(imap, user)
    conn.select(folder)
    conn.store("1:*", "+FLAGS.SILENT", "(\\Deleted)") if conn.select(folder)[1][0] != b"0" else None
    conn.expunge()
    conn.logout()


def _append(imap: ImapServer, user: str, raws: list[bytes]) -> None:
    conn = _connect(imap, user)
    for raw in raws:
        result = conn.append("INBOX", "", "", raw)
        assert result[0] == "OK"
    conn.logout()


def _mailbox(imap: ImapServer, user: str, **fields) -> Mailbox:
    return Mailbox.objects.create(
        name=user,
        host=imap.host,
        port=imap.port,
        security=MailSecurity.NONE,
        username=user,
        secret=secret_encrypt(value=imap.users[user]),
        **fields,
    )


def test_poll_processes_the_corpus_once_and_marks_it_seen(imap: ImapServer, zhurong: Contact) -> None:
    user = "support@weibao.test"
    _empty(imap, user)
    for email in ("wangfang@hosp.test", "ligong@hosp.test", "liumin@hosp.test", "sun@hosp.test"):
        ContactFactory.create(customer=zhurong.customer, email=email)
    raws = [p.read_bytes() for p in sorted(CORPUS.glob("*.eml"))]
    raws.append(raws[0])  # the same mail delivered twice
    _append(imap, user, raws)
    mailbox = _mailbox(imap, user)

    result = mailbox_poll(mailbox_id=mailbox.pk)

    assert result.error == "" and result.fetched == 11
    statuses = dict(InboundMail.objects.values_list("message_key", "status"))
    assert list(statuses.values()).count(InboundStatus.TICKET_CREATED) == 5  # 01, 02, 03, 05, 06
    assert list(statuses.values()).count(InboundStatus.AUTO_REPLY) == 3
    assert list(statuses.values()).count(InboundStatus.HELD) == 1  # the Big5 mail: unknown domain
    assert list(statuses.values()).count(InboundStatus.QUARANTINED) == 1
    assert Ticket.objects.count() == 5
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 11 and mailbox.uid_validity and mailbox.last_error == ""
    conn = _connect(imap, user)
    conn.select("INBOX")
    assert conn.uid("SEARCH", "UNSEEN")[1] == [b""]
    conn.logout()

    # Nothing new: the next poll fetches nothing and creates nothing.
    assert mailbox_poll(mailbox_id=mailbox.pk).fetched == 0
    assert Ticket.objects.count() == 5


def test_a_broken_mailbox_records_its_error_and_the_others_are_polled(
    imap: ImapServer, zhurong: Contact
) -> None:
    _empty(imap, "hk@weibao.test")
    _append(imap, "hk@weibao.test", [(CORPUS / "01_foxmail_gb2312_base64.eml").read_bytes()])
    broken = _mailbox(imap, "support@weibao.test")
    broken.secret = secret_encrypt(value="wrong password")
    broken.name = "broken"
    broken.save()
    good = _mailbox(imap, "hk@weibao.test")

    from config.celery import app

    app.conf.task_always_eager = True  # the queued polls run here, one after the other
    try:
        ids = poll_mailboxes.apply().get()  # the beat task queues one poll per mailbox
    finally:
        app.conf.task_always_eager = False

    assert sorted(ids) == sorted([broken.pk, good.pk])
    broken.refresh_from_db()
    good.refresh_from_db()
    assert "Authentication failed" in broken.last_error and broken.last_error_at is not None
    assert broken.poll_lease_until is None  # released for the next poll
    reasons = list(InboundMail.objects.values_list("reason", flat=True))
    assert good.last_error == "" and good.last_uid == 1, reasons
    assert Ticket.objects.filter(contact=zhurong).count() == 1


def test_a_mailbox_being_polled_is_not_polled_twice(imap: ImapServer, db: None) -> None:
    from datetime import timedelta

    from django.utils import timezone

    mailbox = _mailbox(imap, "support@weibao.test")
    Mailbox.objects.filter(pk=mailbox.pk).update(poll_lease_until=timezone.now() + timedelta(minutes=5))
    assert mailbox_poll(mailbox_id=mailbox.pk).skipped


def test_unreachable_server_is_an_error_not_a_crash(db: None) -> None:
    from tests.servers import free_port

    mailbox = Mailbox.objects.create(
        name="nowhere", host="127.0.0.1", port=free_port(), security=MailSecurity.NONE, username="x",
        secret=secret_encrypt(value="x"),
    )  # fmt: skip
    result = mailbox_poll(mailbox_id=mailbox.pk)
    assert "refused" in result.error.lower()
