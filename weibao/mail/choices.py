"""Choices of the email app: how a mailbox is reached and what became of each received mail."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MailSecurity(models.TextChoices):
    SSL = "ssl", _("SSL/TLS (IMAPS, usually port 993)")
    STARTTLS = "starttls", _("STARTTLS (usually port 143)")
    NONE = "none", _("None (only on a trusted network)")


class MailAuth(models.TextChoices):
    PASSWORD = "password", _("Password")
    XOAUTH2 = "xoauth2", _("OAuth2 access token (XOAUTH2)")


class UnknownSender(models.TextChoices):
    CREATE_CONTACT = "create_contact", _("Add the sender as a new contact of the matching customer")
    HOLD = "hold", _("Hold the mail for an agent to assign")


class InboundStatus(models.TextChoices):
    TICKET_CREATED = "ticket_created", _("Ticket created")
    THREADED = "threaded", _("Added to a ticket")
    AUTO_REPLY = "auto_reply", _("Ignored: auto-reply or bounce")
    HELD = "held", _("Held: unknown sender")
    QUARANTINED = "quarantined", _("Quarantined: could not be processed")
    DISCARDED = "discarded", _("Discarded")


# What an agent or administrator still has to look at.
OPEN_STATUSES = (InboundStatus.HELD, InboundStatus.QUARANTINED)
