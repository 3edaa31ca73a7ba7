"""Ticket vocabularies. Priorities and levels are integers so they sort (1 = most urgent)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Priority is a service-level notion (SLA-1 tiers) shared with SLA policies; tickets re-export it.
from weibao.sla.choices import Priority as Priority


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    PORTAL = "portal", _("Web portal")
    IM = "im", _("Online chat / IM")
    API = "api", _("API")


class CategoryKind(models.TextChoices):
    TECHNICAL = "technical", _("Technical problem")
    FUNCTIONAL = "functional", _("Functional problem")
    USAGE = "usage", _("Usage question")


class Level(models.IntegerChoices):
    """Urgency and impact share one scale (INT-2, TRI-2)."""

    HIGH = 1, _("High")
    MEDIUM = 2, _("Medium")
    LOW = 3, _("Low")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    PENDING = "pending", _("Pending")
    RESOLVED = "resolved", _("Resolved")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING})
ACTIVE_STATUSES = OPEN_STATUSES | {Status.RESOLVED, Status.VERIFIED}
FINAL_STATUSES = frozenset({Status.CLOSED, Status.CANCELLED})


class PendingReason(models.TextChoices):
    CUSTOMER = "customer", _("Waiting for the customer")
    THIRD_PARTY = "third_party", _("Waiting for a third party")
    OTHER = "other", _("Other")


class CloseKind(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed by the customer")
    ON_BEHALF = "on_behalf", _("Confirmed by an agent on the customer's behalf")
    AUTO = "auto", _("Closed automatically (no objection)")
    MERGED = "merged", _("Merged into another ticket")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public reply")
    INTERNAL = "internal", _("Internal note")


class CommentKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")
    PROGRESS = "progress", _("Progress update")
    CALL = "call", _("Phone call")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Details changed")
    TRANSITION = "transition", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    ESCALATED = "escalated", _("Escalated")
    COLLABORATOR_ADDED = "collaborator_added", _("Collaborator added")
    COMMENTED = "commented", _("Comment added")
    PROGRESS = "progress", _("Progress update recorded")
    ATTACHMENT = "attachment", _("Attachment added")
    RATED = "rated", _("Satisfaction rated")
    MERGED = "merged", _("Merged")
    MERGED_IN = "merged_in", _("Duplicate merged in")
    SLA_CHANGED = "sla_changed", _("Service level changed")
    SLA_BREACHED = "sla_breached", _("Service level breached")
    SLA_EXPLAINED = "sla_explained", _("Breach reason recorded")
    ARRIVED = "arrived", _("Arrived on site")
