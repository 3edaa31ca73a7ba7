"""Reads of the email app, scoped to the actor (DESIGN.md rule 2)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from weibao.core.errors import NotFound, PermissionDenied
from weibao.mail.choices import OPEN_STATUSES
from weibao.mail.models import InboundMail, Mailbox
from weibao.mail.parsing import ParsedMail, UnparseableMail, parse_mail
from weibao.mail.permissions import can_handle_inbound, can_manage_mailboxes


def mailbox_list(*, actor: Any) -> QuerySet[Mailbox]:
    """All mailboxes, for administrators."""
    if not can_manage_mailboxes(user=actor):
        raise PermissionDenied(_("You may not configure mailboxes."), code="permission_denied")
    return Mailbox.objects.select_related("customer", "team").order_by("name")


def mailbox_get(*, actor: Any, mailbox_id: int) -> Mailbox:
    mailbox = mailbox_list(actor=actor).filter(pk=mailbox_id).first()
    if mailbox is None:
        raise NotFound(_("Mailbox not found."), code="mailbox_not_found")
    return mailbox


def inbound_list(*, actor: Any, status: str = "open", limit: int = 100) -> list[InboundMail]:
    """Received mail, newest first: ``open`` = held + quarantined (what needs a person), or one status."""
    if not can_handle_inbound(user=actor):
        raise PermissionDenied(_("You may not handle received mail."), code="permission_denied")
    qs = InboundMail.objects.select_related("mailbox", "ticket", "handled_by")
    qs = qs.filter(status__in=OPEN_STATUSES) if status == "open" else qs.filter(status=status)
    return list(qs.order_by("-received_at", "-id")[:limit])


def inbound_get(*, actor: Any, inbound_id: int) -> InboundMail:
    if not can_handle_inbound(user=actor):
        raise PermissionDenied(_("You may not handle received mail."), code="permission_denied")
    row = InboundMail.objects.select_related("mailbox", "ticket").filter(pk=inbound_id).first()
    if row is None:
        raise NotFound(_("Mail not found."), code="mail_not_found")
    return row


PREVIEW_MAX = 5000


def inbound_preview(*, actor: Any, inbound_id: int) -> ParsedMail | None:
    """The received mail parsed for reading (text shortened), or None when it cannot be parsed."""
    row = inbound_get(actor=actor, inbound_id=inbound_id)
    try:
        with row.raw.open("rb") as handle:
            parsed = parse_mail(handle.read())
    except (UnparseableMail, OSError):
        return None
    if len(parsed.text) > PREVIEW_MAX:
        parsed.text = parsed.text[:PREVIEW_MAX] + "…"
    return parsed
