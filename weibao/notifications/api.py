"""API routers: /notifications (the caller's own notifications and preferences, staff and portal users
alike) and the administrators' settings: /notification-rules, /webhooks, /deliveries.

Thin handlers (DESIGN rule 3): scope and validation live in ``notifications.selectors`` / ``services``.
"""

# No ``from __future__ import annotations``: ninja resolves Query[...] parameter types at import.

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from weibao.core.api_auth import API_AUTH
from weibao.notifications import selectors, services
from weibao.notifications.schemas import (
    DeliveryListQuery,
    DeliveryOut,
    DeliveryPageOut,
    MarkedReadOut,
    NotificationErrorOut,
    NotificationListQuery,
    NotificationOut,
    NotificationPageOut,
    PreferenceIn,
    PreferenceOut,
    RuleGridIn,
    RuleGridOut,
    UnreadCountOut,
    WebhookIn,
    WebhookOut,
    WebhookTestOut,
)

router = Router(auth=API_AUTH, tags=["notifications"])

READ_ERRORS = {frozenset({401, 403, 422}): NotificationErrorOut}
ONE_ERRORS = {frozenset({401, 403, 404}): NotificationErrorOut}
WRITE_ERRORS = {frozenset({400, 401, 403, 404, 409, 422}): NotificationErrorOut}


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


# --------------------------------------------------------------------------- the caller's preferences


def _preference_out(preference: Any) -> dict[str, Any]:
    return {
        "muted_in_app": preference.muted_in_app,
        "muted_email": preference.muted_email,
        "quiet_start": preference.quiet_start,
        "quiet_end": preference.quiet_end,
        "version": preference.version if preference.pk else None,
    }


@router.get("/preferences", response={200: PreferenceOut, **READ_ERRORS}, url_name="notification_preferences")
def get_preferences(request: HttpRequest) -> Any:
    """Which events the caller muted per channel, and their quiet hours."""
    return _preference_out(selectors.preference_get(actor=request.user))


@router.put(
    "/preferences", response={200: PreferenceOut, **WRITE_ERRORS}, url_name="notification_preferences_update"
)
def put_preferences(request: HttpRequest, payload: PreferenceIn) -> Any:
    """Replace the caller's preferences (quiet hours hold email except for critical tickets)."""
    return _preference_out(services.preference_save(actor=request.user, **payload.model_dump()))


# --------------------------------------------------------------------------- administration

settings_router = Router(auth=API_AUTH, tags=["notification settings"])


@settings_router.get("/notification-rules", response={200: RuleGridOut, **READ_ERRORS}, url_name="rules")
def get_rules(request: HttpRequest) -> Any:
    """The rules grid: which audience hears of which event, in the app and/or by email."""
    grid = selectors.rule_grid(actor=request.user)
    cells = [
        {"event": r.event, "audience": r.audience, "in_app": r.in_app, "email": r.email}
        for r in grid.values()
    ]
    return {"cells": cells, "fingerprint": services.rules_fingerprint()}


@settings_router.put(
    "/notification-rules", response={200: RuleGridOut, **WRITE_ERRORS}, url_name="rules_update"
)
def put_rules(request: HttpRequest, payload: RuleGridIn) -> Any:
    """Replace the grid (all or nothing); cells left out tell nobody."""
    cells = [services.RuleCell(**cell.model_dump()) for cell in payload.cells]
    services.rules_save(actor=request.user, cells=cells, fingerprint=payload.fingerprint)
    return get_rules(request)


@settings_router.get("/webhooks", response={200: list[WebhookOut], **READ_ERRORS}, url_name="webhook_list")
def list_webhooks(request: HttpRequest) -> Any:
    return list(selectors.webhook_list(actor=request.user))


@settings_router.post("/webhooks", response={201: WebhookOut, **WRITE_ERRORS}, url_name="webhook_create")
def create_webhook(request: HttpRequest, payload: WebhookIn) -> Any:
    """A robot webhook; the secret is write-only (stored encrypted)."""
    fields = payload.model_dump(exclude={"version"})
    return Status(201, services.webhook_save(actor=request.user, webhook_id=None, fields=fields))  # type: ignore[arg-type]


@settings_router.get(
    "/webhooks/{int:webhook_id}", response={200: WebhookOut, **ONE_ERRORS}, url_name="webhook"
)
def get_webhook(request: HttpRequest, webhook_id: int) -> Any:
    return selectors.webhook_get(actor=request.user, webhook_id=webhook_id)


@settings_router.put(
    "/webhooks/{int:webhook_id}", response={200: WebhookOut, **WRITE_ERRORS}, url_name="webhook_update"
)
def update_webhook(request: HttpRequest, webhook_id: int, payload: WebhookIn) -> Any:
    fields = payload.model_dump(exclude={"version"})
    return services.webhook_save(
        actor=request.user,
        webhook_id=webhook_id,
        fields=fields,  # type: ignore[arg-type]
        version=payload.version,
    )


@settings_router.delete(
    "/webhooks/{int:webhook_id}", response={204: None, **ONE_ERRORS}, url_name="webhook_delete"
)
def delete_webhook(request: HttpRequest, webhook_id: int) -> Any:
    services.webhook_delete(actor=request.user, webhook_id=webhook_id)
    return Status(204, None)


@settings_router.post(
    "/webhooks/{int:webhook_id}/test", response={200: WebhookTestOut, **ONE_ERRORS}, url_name="webhook_test"
)
def test_webhook(request: HttpRequest, webhook_id: int) -> Any:
    """Post a test message now (not queued, not logged as a delivery); ``ok`` and the robot's answer."""
    return services.webhook_test(actor=request.user, webhook_id=webhook_id)


@settings_router.get("/deliveries", response={200: DeliveryPageOut, **READ_ERRORS}, url_name="delivery_list")
def list_deliveries(request: HttpRequest, filters: Query[DeliveryListQuery]) -> Any:
    """The delivery log (every email and webhook post), newest first, in keyset pages."""
    page = selectors.delivery_page(
        actor=request.user,
        status=filters.status or "",
        channel=filters.channel or "",
        ticket_number=filters.ticket_number,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@settings_router.post(
    "/deliveries/{int:delivery_id}/retry",
    response={200: DeliveryOut, **WRITE_ERRORS},
    url_name="delivery_retry",
)
def retry_delivery(request: HttpRequest, delivery_id: int) -> Any:
    """Queue a failed or cancelled delivery again."""
    return services.delivery_retry(actor=request.user, delivery_id=delivery_id)
