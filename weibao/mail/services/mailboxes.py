"""Mailbox configuration (administrators, permission ``config.manage``)."""

from __future__ import annotations

from typing import Any, TypedDict

from django.db import transaction
from django.utils.translation import gettext as _

from weibao.accounts.models import Team
from weibao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weibao.core.secrets import secret_encrypt
from weibao.customers.models import Customer
from weibao.mail.choices import MailAuth, MailSecurity, UnknownSender
from weibao.mail.models import Mailbox
from weibao.mail.permissions import can_manage_mailboxes


class MailboxFields(TypedDict, total=False):
    """What :func:`mailbox_save` accepts; an empty ``secret`` keeps the stored one."""

    name: str
    host: str
    port: int
    security: str
    username: str
    auth: str
    secret: str
    folder: str
    address: str
    customer_id: int | None
    team_id: int | None
    unknown_sender: str
    is_active: bool


def _require_admin(actor: Any) -> None:
    if not can_manage_mailboxes(user=actor):
        raise PermissionDenied(_("You may not configure mailboxes."), code="permission_denied")


def _text(fields: MailboxFields, key: str, *, required: bool, max_length: int) -> str:
    value = str(fields.get(key) or "").strip()
    if required and not value:
        raise ValidationFailed(_("This field is required."), code="required", field=key)
    if len(value) > max_length:
        raise ValidationFailed(_("At most %(n)s characters.") % {"n": max_length}, code="too_long", field=key)
    return value


def _choice(value: Any, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(_("Choose a valid option."), code="invalid_choice", field=field)
    return str(value)


def mailbox_save(
    *, actor: Any, mailbox_id: int | None, fields: MailboxFields, version: int | None = None
) -> Mailbox:
    """Create a mailbox or change one; everything is validated before the first write."""
    _require_admin(actor)
    name = _text(fields, "name", required=True, max_length=100)
    host = _text(fields, "host", required=True, max_length=255)
    username = _text(fields, "username", required=True, max_length=255)
    folder = _text(fields, "folder", required=False, max_length=255) or "INBOX"
    address = _text(fields, "address", required=False, max_length=254).lower()
    port = fields.get("port")
    if not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValidationFailed(_("Give a port between 1 and 65535."), code="invalid", field="port")
    security = _choice(fields.get("security", MailSecurity.SSL), MailSecurity, "security")
    auth = _choice(fields.get("auth", MailAuth.PASSWORD), MailAuth, "auth")
    unknown = _choice(fields.get("unknown_sender", UnknownSender.HOLD), UnknownSender, "unknown_sender")
    customer_id = fields.get("customer_id")
    if customer_id is not None and not Customer.objects.filter(pk=customer_id).exists():
        raise ValidationFailed(_("Unknown customer."), code="invalid_reference", field="customer_id")
    team_id = fields.get("team_id")
    if team_id is not None and not Team.objects.filter(pk=team_id).exists():
        raise ValidationFailed(_("Unknown team."), code="invalid_reference", field="team_id")
    secret = str(fields.get("secret") or "")
    with transaction.atomic():
        if mailbox_id is None:
            mailbox = Mailbox()
            if not secret:
                raise ValidationFailed(
                    _("Give the password or access token."), code="required", field="secret"
                )
        else:
            found = Mailbox.objects.select_for_update().filter(pk=mailbox_id).first()
            if found is None:
                raise NotFound(_("Mailbox not found."), code="mailbox_not_found")
            mailbox = found
            if version is not None and version != mailbox.version:
                raise Conflict(
                    _("Someone else changed this mailbox meanwhile. Reload and try again."),
                    code="stale_version",
                )
            mailbox.version += 1
        if Mailbox.objects.filter(name=name).exclude(pk=mailbox.pk).exists():
            raise ValidationFailed(_("A mailbox with this name exists."), code="duplicate", field="name")
        moved = mailbox.pk is not None and (mailbox.host, mailbox.username, mailbox.folder) != (
            host,
            username,
            folder,
        )
        mailbox.name, mailbox.host, mailbox.port, mailbox.username = name, host, port, username
        mailbox.security, mailbox.auth, mailbox.folder, mailbox.address = security, auth, folder, address
        mailbox.customer_id, mailbox.team_id, mailbox.unknown_sender = customer_id, team_id, unknown
        mailbox.is_active = bool(fields.get("is_active", True))
        if secret:
            mailbox.secret = secret_encrypt(value=secret)
        if moved:
            mailbox.uid_validity, mailbox.last_uid = None, 0  # another folder: its UIDs start anew
        mailbox.save()
    return mailbox
