"""API schemas for in-app notifications."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from weibao.notifications.choices import NotificationKind, NotificationLevel
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
