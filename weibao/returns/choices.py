"""Vocabularies of returns and exchanges (退换货, RMA-1)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RmaStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SENT = "sent", _("Sent to the supplier")
    RECEIVED = "received", _("Back from the supplier")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class RmaOutcome(models.TextChoices):
    REPAIR = "repair", _("Repaired")
    EXCHANGE = "exchange", _("Exchanged")
    REFUND = "refund", _("Refunded")


class RmaAction(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    SEND = "send", _("Send to the supplier")
    RECEIVE = "receive", _("Back from the supplier")
    CLOSE = "close", _("Close with the outcome")
    CANCEL = "cancel", _("Cancel")


# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    RmaAction.APPROVE: (frozenset({RmaStatus.REQUESTED}), RmaStatus.APPROVED),
    RmaAction.REJECT: (frozenset({RmaStatus.REQUESTED}), RmaStatus.REJECTED),
    RmaAction.SEND: (frozenset({RmaStatus.APPROVED}), RmaStatus.SENT),
    RmaAction.RECEIVE: (frozenset({RmaStatus.SENT}), RmaStatus.RECEIVED),
    # Closed after the supplier sent it back, or straight after approval when it was settled in-house.
    RmaAction.CLOSE: (frozenset({RmaStatus.APPROVED, RmaStatus.RECEIVED}), RmaStatus.CLOSED),
    RmaAction.CANCEL: (frozenset({RmaStatus.REQUESTED, RmaStatus.APPROVED}), RmaStatus.CANCELLED),
}
