"""Email intake (INT-1): the mailboxes Weibao polls and every mail it took from them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weibao.mail.choices import InboundStatus, MailAuth, MailSecurity, UnknownSender


class Mailbox(models.Model):
    """An IMAP mailbox customers write to, e.g. ``support@`` or one address per hospital.

    Each mailbox is polled by its own task (one slow or broken server never holds up the others).
    What was processed is marked twice: the ``\\Seen`` flag on the server, for people reading the
    mailbox, and ``last_uid`` under ``uid_validity`` here, which is what the poll trusts.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    host = models.CharField(_("IMAP server"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("connection security"), max_length=16, choices=MailSecurity.choices, default=MailSecurity.SSL
    )
    username = models.CharField(_("user name"), max_length=255)
    auth = models.CharField(
        _("sign-in method"), max_length=16, choices=MailAuth.choices, default=MailAuth.PASSWORD
    )
    # Fernet-encrypted (weibao.core.secrets); never shown back in a form.
    secret = models.TextField(_("password or access token (encrypted)"), blank=True)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    address = models.EmailField(
        _("address"), blank=True, help_text=_("The address customers write to; used to answer from it.")
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("New mail from unknown senders goes to this customer (a mailbox per customer)."),
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("queue (team)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("New tickets from this mailbox are dispatched to this team."),
    )
    unknown_sender = models.CharField(
        _("unknown senders"), max_length=32, choices=UnknownSender.choices, default=UnknownSender.HOLD
    )
    is_active = models.BooleanField(_("active"), default=True)
    uid_validity = models.BigIntegerField(_("UIDVALIDITY"), null=True, blank=True)
    last_uid = models.BigIntegerField(_("last processed UID"), default=0)
    # A lease rather than a lock held over the network: a poll that dies lets the next one in.
    poll_lease_until = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return self.name


def raw_upload_to(instance: InboundMail, filename: str) -> str:
    import uuid

    return f"mail/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.eml"


class InboundMail(models.Model):
    """One received mail and what became of it; the original message is kept as a file.

    ``message_key`` (the Message-ID, or a digest of the bytes when a mail has none) is unique, so a
    mail delivered twice, or fetched again after a crash, is processed once.
    """

    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("mailbox"), null=True, on_delete=models.SET_NULL, related_name="mails"
    )
    uid = models.BigIntegerField(_("IMAP UID"), null=True, blank=True)
    message_key = models.CharField(_("message key"), max_length=255, unique=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, db_index=True)
    from_address = models.CharField(_("from"), max_length=255, blank=True)
    from_name = models.CharField(_("sender name"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    raw = models.FileField(_("original message"), upload_to=raw_upload_to, max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=InboundStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # inbound_ticket_idx
    )
    comment = models.ForeignKey(
        "tickets.TicketComment",
        verbose_name=_("comment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("received mail")
        verbose_name_plural = _("received mail")
        indexes = [
            # The "needs attention" list (held + quarantined), newest first.
            models.Index(
                fields=["-received_at", "-id"],
                condition=Q(status__in=["held", "quarantined"]),
                name="inbound_open_idx",
            ),
            models.Index(fields=["status", "-received_at", "-id"], name="inbound_status_idx"),
            models.Index(fields=["ticket", "-received_at"], name="inbound_ticket_idx"),
        ]

    def __str__(self) -> str:
        return self.subject or self.message_key
