"""A small IMAP client for the poll: connect, sign in (password or XOAUTH2), list new UIDs, fetch, flag.

Only the standard library's imaplib; every socket has a timeout so one hanging server cannot block
its worker for longer than ``MAIL_IMAP_TIMEOUT``.
"""

from __future__ import annotations

import contextlib
import imaplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from weibao.mail.choices import MailAuth, MailSecurity


class MailServerError(Exception):
    """The server could not be reached, refused the sign-in or a command; the message says which."""


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: str
    username: str
    auth: str
    secret: str
    folder: str


def xoauth2_string(*, username: str, token: str) -> bytes:
    """The SASL XOAUTH2 initial response (Google and Microsoft document the same format)."""
    return f"user={username}\x01auth=Bearer {token}\x01\x01".encode()


def _check(result: tuple[str, Any], what: str) -> list[Any]:
    status, data = result
    if status != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise MailServerError(f"{what}: {status} {detail}".strip())
    return data


class ImapSession:
    """A signed-in connection with the folder selected."""

    def __init__(self, conn: imaplib.IMAP4, uid_validity: int) -> None:
        self.conn = conn
        self.uid_validity = uid_validity

    def uids_after(self, last_uid: int, *, limit: int) -> list[int]:
        """UIDs above ``last_uid``, oldest first, at most ``limit``."""
        data = _check(self.conn.uid("SEARCH", f"UID {last_uid + 1}:*"), "UID SEARCH")
        raw = data[0] if data and isinstance(data[0], bytes) else b""
        # "n:*" always matches the newest message, even when its UID is not above n.
        uids = sorted(int(x) for x in raw.split() if int(x) > last_uid)
        return uids[:limit]

    def fetch(self, uid: int) -> bytes | None:
        """The whole message, without setting \\Seen (BODY.PEEK); None when it vanished meanwhile."""
        data = _check(self.conn.uid("FETCH", str(uid), "(BODY.PEEK[])"), "UID FETCH")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
                return item[1]
        return None

    def mark_seen(self, uid: int) -> None:
        _check(self.conn.uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Seen)"), "UID STORE")


@contextmanager
def imap_session(config: ImapSettings) -> Iterator[ImapSession]:
    """Connect, sign in and select the folder; always logs out. Raises ``MailServerError``."""
    timeout = settings.MAIL_IMAP_TIMEOUT
    conn: imaplib.IMAP4 | None = None
    try:
        context = ssl.create_default_context()
        if config.security == MailSecurity.SSL:
            conn = imaplib.IMAP4_SSL(config.host, config.port, ssl_context=context, timeout=timeout)
        else:
            conn = imaplib.IMAP4(config.host, config.port, timeout=timeout)
            if config.security == MailSecurity.STARTTLS:
                conn.starttls(ssl_context=context)
        if config.auth == MailAuth.XOAUTH2:
            payload = xoauth2_string(username=config.username, token=config.secret)
            _check(conn.authenticate("XOAUTH2", lambda _challenge: payload), "AUTHENTICATE XOAUTH2")
        else:
            _check(conn.login(config.username, config.secret), "LOGIN")
        _check(conn.select(_quote(config.folder)), f"SELECT {config.folder}")
        validity = _uid_validity(conn)
        yield ImapSession(conn, validity)
    except (imaplib.IMAP4.error, OSError, ssl.SSLError) as exc:
        raise MailServerError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        if conn is not None:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                conn.logout()


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _uid_validity(conn: imaplib.IMAP4) -> int:
    # SELECT's untagged "OK [UIDVALIDITY n]" is kept by imaplib under that name.
    _typ, data = conn.response("UIDVALIDITY")
    for item in data or []:
        if isinstance(item, bytes) and item.strip().isdigit():
            return int(item)
    return 0
