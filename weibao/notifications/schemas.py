"""API schemas for notifications: the inbox, preferences, rules, webhooks and the delivery log."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from weibao.notifications.choices import (
    Channel,
    DeliveryStatus,
    NotificationKind,
    NotificationLevel,
    NotifyEvent,
    RuleAudience,
    WebhookKind,
)
from weibao.notifications.selectors import MAX_PAGE_SIZE


class NotificationOut(Schema):
    id: int
    kind: NotificationKind
    level: NotificationLevel
    title: str
    body: str = Field(description="Plain text")
    url: str = Field(description="A path inside Weibao, or empty")
    created_at: datetime
    read_at: datetime | None


class NotificationPageOut(Schema):
    """One keyset page: pass ``next_cursor`` back as ``cursor`` for the next one (null at the end)."""

    items: list[NotificationOut]
    next_cursor: str | None


class NotificationListQuery(Schema):
    unread: bool = Field(default=False, description="Only unread notifications")
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)


class UnreadCountOut(Schema):
    count: int


class MarkedReadOut(Schema):
    """How many notifications this request marked read."""

    marked: int


class NotificationErrorOut(Schema):
    """Every error answer: a human message, a stable machine code and, for bad input, the field."""

    detail: str
    code: str
    field: str | None = None


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class PreferenceOut(Schema):
    """The caller's preferences: events muted per channel, and quiet hours (their own time zone)."""

    muted_in_app: list[NotifyEvent]
    muted_email: list[NotifyEvent]
    quiet_start: time | None
    quiet_end: time | None
    version: int | None = Field(description="Send back to refuse a stale update; null before the first save")


class PreferenceIn(_In):
    muted_in_app: list[str] = Field(default_factory=list)
    muted_email: list[str] = Field(default_factory=list)
    quiet_start: time | None = None
    quiet_end: time | None = None
    version: int | None = None


class RuleCellSchema(Schema):
    event: NotifyEvent
    audience: RuleAudience
    in_app: bool = False
    email: bool = False


class RuleGridOut(Schema):
    """The whole grid (cells that tell nobody are left out) and its fingerprint for stale-edit checks."""

    cells: list[RuleCellSchema]
    fingerprint: str


class RuleGridIn(_In):
    cells: list[RuleCellSchema]
    fingerprint: str | None = Field(default=None, description="From GET; a grid changed since answers 409")


class WebhookOut(Schema):
    id: int
    name: str
    kind: WebhookKind
    url: str
    has_secret: bool
    team_id: int | None
    customer_id: int | None
    events: list[NotifyEvent]
    is_active: bool
    last_sent_at: datetime | None
    last_error: str
    version: int

    @staticmethod
    def resolve_has_secret(obj: Any) -> bool:
        return bool(obj.secret)


class WebhookIn(_In):
    name: str
    kind: WebhookKind
    url: str
    secret: str = Field(default="", description="Write-only; empty keeps the stored one")
    team_id: int | None = None
    customer_id: int | None = None
    events: list[str] = Field(default_factory=list, description="Empty: the default events")
    is_active: bool = True
    version: int | None = None


class WebhookTestOut(Schema):
    ok: bool
    detail: str = Field(description="The robot's answer, or why the post failed")


class DeliveryOut(Schema):
    id: int
    channel: Channel
    event: NotifyEvent
    status: DeliveryStatus
    to_address: str
    subject: str
    ticket_number: int | None
    webhook_id: int | None
    user_id: int | None
    contact_id: int | None
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str
    created_at: datetime


class DeliveryPageOut(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None


class DeliveryListQuery(Schema):
    status: DeliveryStatus | None = None
    channel: Channel | None = None
    ticket_number: int | None = None
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)
