"""API schemas of the email app."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from weibao.mail.choices import InboundStatus, MailAuth, MailSecurity, UnknownSender


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class MailboxOut(Schema):
    id: int
    name: str
    address: str
    host: str
    port: int
    security: MailSecurity
    username: str
    auth: MailAuth
    has_secret: bool
    folder: str
    customer_id: int | None
    team_id: int | None
    unknown_sender: UnknownSender
    is_active: bool
    last_polled_at: datetime | None
    last_error: str
    version: int

    @staticmethod
    def resolve_has_secret(obj: Any) -> bool:
        return bool(obj.secret)


class MailboxIn(_In):
    name: str
    address: str = ""
    host: str
    port: int = 993
    security: MailSecurity = MailSecurity.SSL
    username: str
    auth: MailAuth = MailAuth.PASSWORD
    secret: str = Field(default="", description="Password or OAuth2 access token; write-only, empty keeps it")
    folder: str = "INBOX"
    customer_id: int | None = None
    team_id: int | None = None
    unknown_sender: UnknownSender = UnknownSender.HOLD
    is_active: bool = True
    version: int | None = None


class ConnectionCheckOut(Schema):
    ok: bool
    messages: int
    error: str


class InboundOut(Schema):
    id: int
    mailbox_id: int | None
    message_id: str
    from_address: str
    from_name: str
    subject: str
    size: int
    status: InboundStatus
    reason: str
    ticket_number: int | None = None
    attempts: int
    received_at: datetime
    processed_at: datetime | None

    @staticmethod
    def resolve_ticket_number(obj: Any) -> int | None:
        return obj.ticket.number if obj.ticket_id else None


class InboundListQuery(Schema):
    status: str = Field(default="open", description="open (held + quarantined) or one status")


class InboundAssignIn(_In):
    customer_id: int
    contact_id: int | None = Field(default=None, description="Empty: the sender becomes a new contact")


class MailErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None
