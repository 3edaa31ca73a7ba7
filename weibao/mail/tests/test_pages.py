"""Email pages and API: mailboxes (with a connection test against the throwaway dovecot) and received
mail that needs a person (held: assign; quarantined: retry or discard)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.json_api import JsonApi
from tests.servers import ImapServer
from weibao.accounts.tests.factories import staff_user
from weibao.core.secrets import secret_decrypt
from weibao.customers.models import Contact, Customer
from weibao.mail import services
from weibao.mail.choices import InboundStatus, MailSecurity
from weibao.mail.models import InboundMail, Mailbox
from weibao.mail.tests.conftest import eml

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin() -> Any:
    return staff_user(role_codes=["admin"])


@pytest.fixture
def agent() -> Any:
    return staff_user(role_codes=["agent"])


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(imap: ImapServer, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "技术支持邮箱",
        "address": "support@weibao.test",
        "host": imap.host,
        "port": imap.port,
        "security": MailSecurity.NONE,
        "username": "support@weibao.test",
        "auth": "password",
        "secret": imap.users["support@weibao.test"],
        "folder": "INBOX",
        "unknown_sender": "hold",
        "is_active": "on",
        **overrides,
    }


def test_an_administrator_adds_a_mailbox_and_tests_the_connection(imap: ImapServer, admin: Any) -> None:
    client = _login(admin)
    assert client.post(reverse("mail:mailbox_create"), _form(imap)).status_code == 302
    mailbox = Mailbox.objects.get()
    assert secret_decrypt(stored=mailbox.secret) == imap.users["support@weibao.test"]
    assert (
        imap.users["support@weibao.test"]
        not in client.get(reverse("mail:mailbox_edit", args=[mailbox.pk])).content.decode()
    )

    response = client.post(reverse("mail:mailbox_test", args=[mailbox.pk]), follow=True)
    assert "Connected." in response.content.decode()

    # A wrong password: the edit keeps the other fields; the test says why it failed.
    client.post(reverse("mail:mailbox_edit", args=[mailbox.pk]), _form(imap, secret="wrong", version=1))
    response = client.post(reverse("mail:mailbox_test", args=[mailbox.pk]), follow=True)
    assert "The connection failed" in response.content.decode()
    assert Mailbox.objects.get().last_error


def test_a_bad_port_is_refused_beside_the_field(imap: ImapServer, admin: Any) -> None:
    response = _login(admin).post(reverse("mail:mailbox_create"), _form(imap, port=70000))
    assert response.status_code == 400 and 'data-testid="error-port"' in response.content.decode()
    assert not Mailbox.objects.exists()


def test_agents_see_held_mail_but_not_mailboxes(agent: Any) -> None:
    client = _login(agent)
    assert client.get(reverse("mail:mailboxes")).status_code == 403
    assert client.get(reverse("mail:inbound")).status_code == 200


def test_an_agent_turns_held_mail_into_a_ticket(agent: Any, hospital: Customer) -> None:
    held = services.inbound_receive(mailbox_id=None, uid=None, raw=eml("02"))
    assert held.status == InboundStatus.HELD
    client = _login(agent)
    listing = client.get(reverse("mail:inbound")).content.decode()
    assert 'data-testid="inbound-mail"' in listing

    detail = client.get(reverse("mail:inbound_detail", args=[held.pk])).content.decode()
    assert 'data-testid="inbound-text"' in detail and 'data-testid="assign-form"' in detail
    raw = client.get(reverse("mail:inbound_raw", args=[held.pk]))
    assert raw["Content-Disposition"].startswith("attachment")
    assert b"".join(raw.streaming_content) == eml("02")  # type: ignore[attr-defined]

    response = client.post(reverse("mail:inbound_detail", args=[held.pk]), {"customer": hospital.pk})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == InboundStatus.TICKET_CREATED and held.ticket is not None
    assert held.ticket.customer_id == hospital.pk
    assert Contact.objects.filter(customer=hospital, email__iexact="wangfang@hosp.test").exists()


def test_quarantined_mail_is_retried_by_an_administrator_and_discarded(admin: Any, agent: Any) -> None:
    row = services.inbound_receive(mailbox_id=None, uid=None, raw=eml("10"))
    assert row.status == InboundStatus.QUARANTINED
    # Agents may look and discard, not retry (a configuration matter).
    agent_page = _login(agent).get(reverse("mail:inbound_detail", args=[row.pk])).content.decode()
    assert 'data-testid="retry-mail"' not in agent_page
    assert _login(agent).post(reverse("mail:inbound_retry", args=[row.pk])).status_code == 403

    client = _login(admin)
    client.post(reverse("mail:inbound_retry", args=[row.pk]))
    row.refresh_from_db()
    assert row.status == InboundStatus.QUARANTINED and row.attempts == 2
    client.post(reverse("mail:inbound_discard", args=[row.pk]))
    row.refresh_from_db()
    assert row.status == InboundStatus.DISCARDED and row.handled_by_id == admin.pk


def test_api_mailboxes_and_inbound_mail(imap: ImapServer, admin: Any, agent: Any, hospital: Customer) -> None:
    api = JsonApi(admin)
    body = {k: v for k, v in _form(imap).items() if k not in {"is_active"}}
    created = api.post("/mailboxes", body)
    assert created.status_code == 201, created.content
    mailbox = created.json()
    assert mailbox["has_secret"] is True and "secret" not in mailbox
    assert api.post(f"/mailboxes/{mailbox['id']}/test").json()["ok"] is True
    stale = api.put(f"/mailboxes/{mailbox['id']}", {**body, "version": 99})
    assert stale.status_code == 409
    assert JsonApi(agent).get("/mailboxes").status_code == 403

    held = services.inbound_receive(mailbox_id=None, uid=None, raw=eml("02"))
    agent_api = JsonApi(agent)
    assert [m["id"] for m in agent_api.get("/inbound-mail").json()] == [held.pk]
    wrong = agent_api.post(f"/inbound-mail/{held.pk}/assign", {"customer_id": 999_999})
    assert wrong.status_code == 422 and wrong.json()["field"] == "customer_id"
    done = agent_api.post(f"/inbound-mail/{held.pk}/assign", {"customer_id": hospital.pk})
    assert done.status_code == 200 and done.json()["status"] == "ticket_created"
    assert done.json()["ticket_number"] == InboundMail.objects.get(pk=held.pk).ticket.number  # type: ignore[union-attr]
