"""API router: /notifications, the caller's own in-app notifications (staff and portal users alike).

Thin handlers (DESIGN rule 3): scope and validation live in ``notifications.selectors`` / ``services``.
"""

# No ``from __future__ import annotations``: ninja resolves Query[...] parameter types at import.

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from weibao.core.api_auth import API_AUTH
from weibao.notifications import selectors, services
from weibao.notifications.schemas import (
    MarkedReadOut,
    NotificationErrorOut,
    NotificationListQuery,
    NotificationOut,
    NotificationPageOut,
    UnreadCountOut,
)

router = Router(auth=API_AUTH, tags=["notifications"])

READ_ERRORS = {frozenset({401, 403, 422}): NotificationErrorOut}
ONE_ERRORS = {frozenset({401, 403, 404}): NotificationErrorOut}


@router.get("", response={200: NotificationPageOut, **READ_ERRORS}, url_name="notification_list")
def list_notifications(request: HttpRequest, filters: Query[NotificationListQuery]) -> Any:
    """The caller's notifications, newest first, in keyset pages; ``unread=true`` for unread only."""
    page = selectors.notification_page(
        actor=request.user, unread_only=filters.unread, cursor=filters.cursor, limit=filters.limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/unread-count", response={200: UnreadCountOut, **READ_ERRORS}, url_name="notification_unread")
def unread_count(request: HttpRequest) -> Any:
    """How many of the caller's notifications are unread."""
    return {"count": selectors.notification_unread_count(actor=request.user)}


@router.post("/read-all", response={200: MarkedReadOut, **READ_ERRORS}, url_name="notification_read_all")
def read_all(request: HttpRequest) -> Any:
    """Mark every unread notification of the caller read."""
    return {"marked": services.notification_mark_all_read(actor=request.user)}


@router.post(
    "/{int:notification_id}/read", response={200: NotificationOut, **ONE_ERRORS}, url_name="notification_read"
)
def read_one(request: HttpRequest, notification_id: int) -> Any:
    """Mark one notification read (idempotent); another user's id answers 404."""
    return services.notification_mark_read(actor=request.user, notification_id=notification_id)
