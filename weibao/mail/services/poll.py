"""Polling one mailbox (INT-1): new UIDs since the last poll, each mail through the intake, then flagged."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.core.errors import NotFound, PermissionDenied
from weibao.core.secrets import secret_decrypt
from weibao.mail.imap import ImapSettings, MailServerError, imap_session
from weibao.mail.models import Mailbox
from weibao.mail.permissions import can_manage_mailboxes
from weibao.mail.services.intake import inbound_receive

logger = logging.getLogger(__name__)

# Longer than any poll (batch x timeout is bounded); a poll that died frees the mailbox after this.
POLL_LEASE = timedelta(minutes=10)


@dataclass
class PollResult:
    """What one poll did, for the task's result and the jobs page."""

    mailbox_id: int
    skipped: str = ""
    fetched: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    error: str = ""


def _take_lease(mailbox_id: int) -> bool:
    now = timezone.now()
    taken = Mailbox.objects.filter(
        Q(poll_lease_until__isnull=True) | Q(poll_lease_until__lt=now), pk=mailbox_id, is_active=True
    ).update(poll_lease_until=now + POLL_LEASE)
    return taken == 1


def _settings_of(mailbox: Mailbox) -> ImapSettings:
    return ImapSettings(
        host=mailbox.host,
        port=mailbox.port,
        security=mailbox.security,
        username=mailbox.username,
        auth=mailbox.auth,
        secret=secret_decrypt(stored=mailbox.secret),
        folder=mailbox.folder,
    )


def mailbox_poll(*, mailbox_id: int) -> PollResult:
    """Fetch and process this mailbox's new mail; never raises for a server or a mail problem.

    One poll per mailbox at a time (a lease in the row); at most ``MAIL_POLL_BATCH`` mails, the next
    poll goes on. Progress (``last_uid``) is saved after each mail, so a crash repeats at most one,
    and that one is recognised by its message key.
    """
    result = PollResult(mailbox_id=mailbox_id)
    if not _take_lease(mailbox_id):
        result.skipped = "inactive or being polled"
        return result
    mailbox = Mailbox.objects.get(pk=mailbox_id)
    config = _settings_of(mailbox)
    try:
        with imap_session(config) as session:
            if session.uid_validity != mailbox.uid_validity:
                # The server renumbered the folder: start over; message keys prevent duplicates.
                mailbox.uid_validity, mailbox.last_uid = session.uid_validity, 0
                Mailbox.objects.filter(pk=mailbox.pk).update(uid_validity=session.uid_validity, last_uid=0)
            for uid in session.uids_after(mailbox.last_uid, limit=settings.MAIL_POLL_BATCH):
                raw = session.fetch(uid)
                if raw is not None:
                    row = inbound_receive(mailbox_id=mailbox.pk, uid=uid, raw=raw)
                    result.fetched += 1
                    result.statuses[row.status] = result.statuses.get(row.status, 0) + 1
                    session.mark_seen(uid)
                Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=uid)
        Mailbox.objects.filter(pk=mailbox.pk).update(last_error="", last_error_at=None)
    except MailServerError as exc:
        result.error = str(exc)
        logger.warning("mailbox %s: %s", mailbox.name, exc)
        Mailbox.objects.filter(pk=mailbox.pk).update(last_error=str(exc)[:2000], last_error_at=timezone.now())
    finally:
        Mailbox.objects.filter(pk=mailbox.pk).update(poll_lease_until=None, last_polled_at=timezone.now())
    return result


__all__ = ["PollResult", "mailbox_poll"]


@dataclass
class ConnectionCheck:
    """What testing a mailbox found: ``ok`` and how many messages its folder holds, or the error."""

    ok: bool
    messages: int = 0
    error: str = ""


def mailbox_test(*, actor: Any, mailbox_id: int) -> ConnectionCheck:
    """Connect, sign in and open the folder with the stored settings (administrators); nothing is fetched."""
    if not can_manage_mailboxes(user=actor):
        raise PermissionDenied(_("You may not configure mailboxes."), code="permission_denied")
    mailbox = Mailbox.objects.filter(pk=mailbox_id).first()
    if mailbox is None:
        raise NotFound(_("Mailbox not found."), code="mailbox_not_found")
    try:
        with imap_session(_settings_of(mailbox)) as session:
            count = len(session.uids_after(0, limit=100_000))
    except MailServerError as exc:
        Mailbox.objects.filter(pk=mailbox.pk).update(last_error=str(exc)[:1000])
        return ConnectionCheck(ok=False, error=str(exc))
    return ConnectionCheck(ok=True, messages=count)
