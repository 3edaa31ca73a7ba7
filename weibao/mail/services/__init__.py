"""Every state change of the email app (DESIGN.md rule 1). Interfaces import from here."""

from weibao.mail.services.intake import (
    inbound_assign,
    inbound_discard,
    inbound_receive,
    inbound_retry,
    intake_actor,
)
from weibao.mail.services.mailboxes import MailboxFields, mailbox_save
from weibao.mail.services.poll import ConnectionCheck, PollResult, mailbox_poll, mailbox_test

__all__ = [
    "ConnectionCheck",
    "MailboxFields",
    "PollResult",
    "inbound_assign",
    "inbound_discard",
    "inbound_receive",
    "inbound_retry",
    "intake_actor",
    "mailbox_poll",
    "mailbox_save",
    "mailbox_test",
]
