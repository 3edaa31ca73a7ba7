"""Every state change of notifications (DESIGN.md rule 1). Interfaces import from here."""

from weibao.notifications.services.config import (
    PERSONAL_CHANNELS,
    RuleCell,
    WebhookFields,
    preference_save,
    rules_fingerprint,
    rules_save,
    webhook_delete,
    webhook_save,
)
from weibao.notifications.services.deliveries import (
    AttemptResult,
    DeliveryDraft,
    WebhookTestResult,
    backoff,
    deliveries_due,
    delivery_attempt,
    delivery_queue,
    delivery_retry,
    webhook_test,
)
from weibao.notifications.services.in_app import (
    NotificationDraft,
    notification_mark_all_read,
    notification_mark_read,
    notification_send,
    notification_send_many,
)

__all__ = [
    "PERSONAL_CHANNELS",
    "AttemptResult",
    "DeliveryDraft",
    "NotificationDraft",
    "RuleCell",
    "WebhookFields",
    "WebhookTestResult",
    "backoff",
    "deliveries_due",
    "delivery_attempt",
    "delivery_queue",
    "delivery_retry",
    "notification_mark_all_read",
    "notification_mark_read",
    "notification_send",
    "notification_send_many",
    "preference_save",
    "rules_fingerprint",
    "rules_save",
    "webhook_delete",
    "webhook_save",
    "webhook_test",
]
