"""XOAUTH2 sign-in against a real dovecot that checks each access token with a token-info endpoint
(served here on loopback, as an OAuth2 provider's would be): a valid token polls, a stale one is an
error recorded on the mailbox, never a crash."""

from __future__ import annotations

import http.server
import imaplib
import json
import threading
from collections.abc import Iterator

import pytest

from tests import servers
from weibao.core.secrets import secret_encrypt
from weibao.customers.models import Contact
from weibao.mail.choices import InboundStatus, MailAuth, MailSecurity
from weibao.mail.models import InboundMail, Mailbox
from weibao.mail.services import mailbox_poll
from weibao.mail.tests.conftest import eml

USER = "support@weibao.test"
TOKEN = "ya29.valid-access-token"


@pytest.fixture(scope="module")
def oauth_imap() -> Iterator[servers.ImapServer]:
    if servers.dovecot_binary() is None:
        pytest.skip("dovecot is not installed (`make test` installs it: apt-get install dovecot-imapd)")

    class TokenInfo(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            token = self.path.rsplit("access_token=", 1)[-1]
            valid = token == TOKEN and self.headers.get("Authorization") == f"Bearer {TOKEN}"
            body = json.dumps(
                {"email": USER, "active": "true"} if valid else {"error": "invalid_token"}
            ).encode()
            self.send_response(200 if valid else 401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    provider = http.server.ThreadingHTTPServer((servers.LOOPBACK, 0), TokenInfo)
    threading.Thread(target=provider.serve_forever, daemon=True).start()
    url = f"http://{servers.LOOPBACK}:{provider.server_address[1]}/tokeninfo?access_token="
    try:
        with servers.imap_server(users={USER: "unused-password"}, tokeninfo_url=url) as server:
            yield server
    finally:
        provider.shutdown()
        provider.server_close()


def _mailbox(imap: servers.ImapServer, token: str) -> Mailbox:
    return Mailbox.objects.create(
        name=f"oauth {token[:8]}",
        host=imap.host,
        port=imap.port,
        security=MailSecurity.NONE,
        username=USER,
        auth=MailAuth.XOAUTH2,
        secret=secret_encrypt(value=token),
    )


@pytest.mark.django_db
def test_a_mailbox_signs_in_with_an_access_token_and_polls(
    oauth_imap: servers.ImapServer, zhurong: Contact
) -> None:
    conn = imaplib.IMAP4(oauth_imap.host, oauth_imap.port)
    conn.login(USER, "unused-password")
    conn.append("INBOX", "", "", eml("01"))
    conn.logout()
    mailbox = _mailbox(oauth_imap, TOKEN)

    result = mailbox_poll(mailbox_id=mailbox.pk)

    assert result.error == "" and result.fetched >= 1
    assert InboundMail.objects.filter(mailbox=mailbox, status=InboundStatus.TICKET_CREATED).exists()


@pytest.mark.django_db
def test_a_stale_access_token_is_recorded_not_raised(oauth_imap: servers.ImapServer) -> None:
    mailbox = _mailbox(oauth_imap, "expired-token")

    result = mailbox_poll(mailbox_id=mailbox.pk)

    mailbox.refresh_from_db()
    assert result.error and mailbox.last_error
    assert not InboundMail.objects.filter(mailbox=mailbox).exists()
