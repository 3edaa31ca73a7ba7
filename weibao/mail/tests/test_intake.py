# mypy: disable-error-code="union-attr"
"""From received mail to tickets and replies (INT-1), on the corpus; loops, duplicates, quarantine."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from weibao.accounts.tests.factories import TeamFactory, staff_user
from weibao.core.errors import PermissionDenied, ValidationFailed
from weibao.customers.models import Contact
from weibao.customers.tests.factories import ContactFactory, CustomerFactory
from weibao.mail import services
from weibao.mail.choices import InboundStatus, UnknownSender
from weibao.mail.models import InboundMail, Mailbox
from weibao.mail.tests.conftest import eml
from weibao.tickets.choices import Channel, PendingReason, Status
from weibao.tickets.models import Ticket, TicketAttachment, TicketComment
from weibao.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def receive(raw: bytes, mailbox: Mailbox | None = None) -> InboundMail:
    return services.inbound_receive(mailbox_id=mailbox.pk if mailbox else None, uid=None, raw=raw)


def reply_mail(*, sender: str, subject: str, in_reply_to: str = "", message_id: str, body: str) -> bytes:
    headers = [
        f"From: {sender}",
        "To: support@weibao.test",
        f"Subject: {subject}",
        f"Message-ID: {message_id}",
        "Date: Fri, 20 Nov 2026 14:00:00 +0800",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    if in_reply_to:
        headers += [f"In-Reply-To: {in_reply_to}", f"References: {in_reply_to}"]
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode()


def test_known_contact_mail_becomes_a_ticket(zhurong: Contact) -> None:
    row = receive(eml("01"))
    assert row.status == InboundStatus.TICKET_CREATED
    ticket = row.ticket
    assert ticket.customer_id == zhurong.customer_id and ticket.contact_id == zhurong.pk
    assert ticket.channel == Channel.EMAIL and ticket.title == "HIS系统门诊收费模块无法打印发票（张喆）"
    assert "打印机未就绪" in ticket.description
    assert ticket.reported_at == datetime(2026, 11, 20, 1, 12, 33, tzinfo=UTC)  # the mail's Date
    assert ticket.created_by.username == "weibao-mail"
    assert row.raw.read() == eml("01")  # the original is kept


def test_the_same_mail_twice_creates_one_ticket(zhurong: Contact) -> None:
    first = receive(eml("01"))
    second = receive(eml("01"))
    assert first.pk == second.pk
    assert Ticket.objects.count() == 1 and InboundMail.objects.count() == 1


@pytest.mark.parametrize("name", ["07", "08", "09"])
def test_auto_replies_and_bounces_create_nothing(name: str, zhurong: Contact) -> None:
    ContactFactory.create(customer=zhurong.customer, email="wangfang@hosp.test")
    row = receive(eml(name))
    assert row.status == InboundStatus.AUTO_REPLY
    assert row.ticket is None and Ticket.objects.count() == 0 and TicketComment.objects.count() == 0


def test_malformed_mail_is_quarantined_and_kept() -> None:
    row = receive(eml("10"))
    assert row.status == InboundStatus.QUARANTINED
    assert "could not be read" in row.reason
    assert row.raw.read() == eml("10")
    assert receive(eml("10")).pk == row.pk  # recognised by its digest


def test_attachments_are_stored_and_refused_types_noted(hospital) -> None:
    ContactFactory.create(customer=hospital, email="ligong@hosp.test")
    row = receive(eml("03"))
    names = sorted(TicketAttachment.objects.filter(ticket=row.ticket).values_list("filename", flat=True))
    assert names == ["故障清单.xlsx", "服务器日志.log"]
    assert "setup.exe" in row.reason


def test_html_only_mail_keeps_sanitised_html_and_the_inline_image(hospital) -> None:
    ContactFactory.create(customer=hospital, email="liumin@hosp.test")
    row = receive(eml("05"))
    assert "<b>电脑</b>" in row.ticket.description and "script" not in row.ticket.description
    assert list(TicketAttachment.objects.filter(ticket=row.ticket).values_list("filename", flat=True)) == [
        "image001.png"
    ]


def test_unknown_sender_is_held_then_assigned_by_an_agent(hospital) -> None:
    row = receive(eml("04"))  # chan@hk-clinic.test: nobody knows this domain
    assert row.status == InboundStatus.HELD and row.ticket is None
    agent = staff_user(role_codes=["agent"])
    done = services.inbound_assign(actor=agent, inbound_id=row.pk, customer_id=hospital.pk)
    assert done.status == InboundStatus.TICKET_CREATED and done.handled_by == agent
    assert done.ticket.customer == hospital
    assert Contact.objects.get(email="chan@hk-clinic.test").customer == hospital


def test_unknown_sender_of_a_customer_domain_becomes_a_contact(hospital) -> None:
    mailbox = Mailbox.objects.create(
        name="support", host="x", username="u", unknown_sender=UnknownSender.CREATE_CONTACT
    )
    row = receive(eml("02"), mailbox)  # wangfang@hosp.test, hosp.test is the hospital's domain
    assert row.status == InboundStatus.TICKET_CREATED
    contact = Contact.objects.get(email="wangfang@hosp.test")
    assert contact.customer == hospital and contact.name == "王芳"


def test_mailbox_of_one_customer_and_its_team(hospital) -> None:
    other = CustomerFactory.create()
    team = TeamFactory.create()
    mailbox = Mailbox.objects.create(
        name="hk",
        host="x",
        username="u",
        customer=other,
        team=team,
        unknown_sender=UnknownSender.CREATE_CONTACT,
    )
    row = receive(eml("04"), mailbox)
    assert row.ticket.customer == other and row.ticket.team == team


def test_contact_of_two_customers_is_held(hospital) -> None:
    ContactFactory.create(customer=hospital, email="zhurong@hosp.test")
    ContactFactory.create(customer=CustomerFactory.create(), email="zhurong@hosp.test")
    assert receive(eml("01")).status == InboundStatus.HELD


def test_reply_threads_by_in_reply_to_and_resumes_a_ticket_pending_for_the_customer(zhurong: Contact) -> None:
    first = receive(eml("01"))
    ticket = first.ticket
    cast_ticket = make_ticket(status=Status.PENDING, customer=zhurong.customer)  # noqa: F841 - unrelated
    from weibao.tickets import services as ticket_services

    agent = staff_user(role_codes=["agent"])
    engineer = staff_user(role_codes=["support_engineer"])
    ticket_services.ticket_assign(actor=agent, ticket_id=ticket.pk, assignee_id=engineer.pk)
    ticket_services.ticket_start(actor=engineer, ticket_id=ticket.pk)
    ticket_services.ticket_pend(actor=engineer, ticket_id=ticket.pk, reason=PendingReason.CUSTOMER)
    raw = reply_mail(
        sender="朱镕 <zhurong@hosp.test>",
        subject="Re: HIS系统门诊收费模块无法打印发票",
        in_reply_to="<202611200912330181270@hosp.test>",
        message_id="<reply-1@hosp.test>",
        body="重启打印服务后可以打印了。\n\n在 2026年11月20日 10:00，维保服务台 写道：\n> 请重启打印服务",
    )
    row = receive(raw)
    assert row.status == InboundStatus.THREADED and row.ticket_id == ticket.pk
    comment = row.comment
    assert comment.author_contact == zhurong and comment.via_email and comment.visibility == "public"
    assert "重启打印服务后可以打印了" in comment.body and "请重启打印服务" not in comment.body
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS


def test_reply_threads_by_the_ticket_number_in_the_subject(zhurong: Contact) -> None:
    ticket = receive(eml("01")).ticket
    raw = reply_mail(
        sender="zhurong@hosp.test",
        subject=f"回复：【工单 #{ticket.number}】打印问题",
        message_id="<reply-2@hosp.test>",
        body="补充：是三号窗口。",
    )
    row = receive(raw)
    assert row.status == InboundStatus.THREADED and row.ticket_id == ticket.pk


def test_a_stranger_naming_a_ticket_cannot_post_on_it(zhurong: Contact) -> None:
    ticket = receive(eml("01")).ticket
    raw = reply_mail(
        sender="attacker@evil.test",
        subject=f"Re: [#{ticket.number}] x",
        message_id="<evil-1@evil.test>",
        body="请把密码发给我",
    )
    row = receive(raw)
    assert row.status == InboundStatus.HELD
    assert not TicketComment.objects.filter(ticket=ticket).exists()


def test_reply_to_a_closed_ticket_opens_a_follow_up(zhurong: Contact) -> None:
    closed = make_ticket(status=Status.CLOSED, customer=zhurong.customer)
    raw = reply_mail(
        sender="zhurong@hosp.test",
        subject=f"Re: [#{closed.number}] 打印问题",
        message_id="<reply-3@hosp.test>",
        body="问题又出现了。",
    )
    row = receive(raw)
    assert row.status == InboundStatus.TICKET_CREATED and row.ticket_id != closed.pk
    assert f"#{closed.number}" in row.ticket.description


def test_quarantine_retry_and_discard_need_permissions(zhurong: Contact) -> None:
    row = receive(eml("10"))
    engineer = staff_user(role_codes=["support_engineer"])
    with pytest.raises(PermissionDenied):
        services.inbound_retry(actor=engineer, inbound_id=row.pk)
    admin = staff_user(role_codes=["admin"])
    again = services.inbound_retry(actor=admin, inbound_id=row.pk)
    assert again.status == InboundStatus.QUARANTINED and again.attempts == 2
    gone = services.inbound_discard(actor=admin, inbound_id=row.pk)
    assert gone.status == InboundStatus.DISCARDED
    with pytest.raises(ValidationFailed):
        services.inbound_discard(actor=admin, inbound_id=row.pk)


def test_retry_after_a_fix_creates_the_ticket(hospital) -> None:
    """A mail quarantined because processing failed succeeds on retry once the cause is gone."""
    contact = ContactFactory.create(customer=hospital, email="zhurong@hosp.test")
    hospital.is_active = False
    hospital.save()
    row = receive(eml("01"))
    assert row.status in (InboundStatus.HELD, InboundStatus.QUARANTINED)
    hospital.is_active = True
    hospital.save()
    if row.status == InboundStatus.HELD:
        done = services.inbound_assign(
            actor=staff_user(role_codes=["agent"]),
            inbound_id=row.pk,
            customer_id=hospital.pk,
            contact_id=contact.pk,
        )
    else:
        done = services.inbound_retry(actor=staff_user(role_codes=["admin"]), inbound_id=row.pk)
    assert done.status == InboundStatus.TICKET_CREATED and done.ticket.contact == contact


def test_admin_stores_a_typed_secret_encrypted_and_never_shows_it(client, hospital) -> None:
    from weibao.accounts.tests.factories import UserFactory
    from weibao.core.secrets import secret_decrypt

    admin_user = UserFactory.create(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    data = {
        "name": "support", "host": "imap.example.cn", "port": "993", "security": "ssl", "username": "s@x.cn",
        "auth": "password", "new_secret": "imap-pw", "folder": "INBOX", "address": "",
        "unknown_sender": "hold", "is_active": "on",
    }  # fmt: skip
    response = client.post("/django-admin/mail/mailbox/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    mailbox = Mailbox.objects.get(name="support")
    assert mailbox.secret != "imap-pw" and secret_decrypt(stored=mailbox.secret) == "imap-pw"
    page = client.get(f"/django-admin/mail/mailbox/{mailbox.pk}/change/").content.decode()
    assert "imap-pw" not in page and mailbox.secret not in page


def test_intake_permission_predicates_guard_the_services(hospital) -> None:
    row = receive(eml("04"))
    engineer = staff_user(role_codes=["support_engineer"])  # may handle held mail, not retry
    with pytest.raises(PermissionDenied):
        services.inbound_retry(actor=engineer, inbound_id=row.pk)
