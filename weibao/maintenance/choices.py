"""Vocabularies of maintenance plans (维保计划, PLN-1..4)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class RoutineKind(models.TextChoices):
    """The routines of PLN-2; each has a default recurrence (``DEFAULT_RULES``)."""

    CALL = "call", _("Call to the users (回访)")
    INSPECTION = "inspection", _("Routine inspection")
    KEY_EQUIPMENT = "key_equipment", _("Check of key equipment")
    FULL_CHECK = "full_check", _("Full check of all equipment and lines")
    CUSTOM = "custom", _("Custom")


#: RFC 5545 recurrence rules; the plan's year bounds them. Calls are made by phone; the others are visits.
DEFAULT_RULES = {
    RoutineKind.CALL: "FREQ=MONTHLY;BYMONTHDAY=10",
    RoutineKind.INSPECTION: "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15",
    RoutineKind.KEY_EQUIPMENT: "FREQ=MONTHLY;INTERVAL=6;BYMONTHDAY=20",
    RoutineKind.FULL_CHECK: "FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=1",
    RoutineKind.CUSTOM: "FREQ=MONTHLY",
}
VISIT_KINDS = frozenset({RoutineKind.INSPECTION, RoutineKind.KEY_EQUIPMENT, RoutineKind.FULL_CHECK})


class OccurrenceStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class AdjustmentStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PlanEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Changed")
    APPROVED = "approved", _("Approved")
    ACTIVATED = "activated", _("Activated")
    CLOSED = "closed", _("Closed")
    ADJUSTMENT_REQUESTED = "adjustment_requested", _("Adjustment requested")
    ADJUSTMENT_APPROVED = "adjustment_approved", _("Adjustment approved")
    ADJUSTMENT_REJECTED = "adjustment_rejected", _("Adjustment rejected")
    RESCHEDULED = "rescheduled", _("Occurrence rescheduled")
