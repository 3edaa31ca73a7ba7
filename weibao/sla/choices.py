from django.db import models
from django.utils.translation import gettext_lazy as _


class Priority(models.IntegerChoices):
    """Matches the policy tiers (SLA-1): system down, major fault, general fault, usage question."""

    CRITICAL = 1, _("Critical")
    HIGH = 2, _("High")
    NORMAL = 3, _("Normal")
    LOW = 4, _("Low")


class TargetKind(models.TextChoices):
    """The three promises a policy makes per priority (SLA-1)."""

    RESPONSE = "response", _("First response")
    ONSITE = "onsite", _("On-site arrival")
    RESOLUTION = "resolution", _("Resolution")


class TargetMode(models.TextChoices):
    MINUTES = "minutes", _("Working minutes on a calendar")
    DAY_END = "day_end", _("By the end of the n-th next working day")


class EscalationTrigger(models.TextChoices):
    PERCENT = "percent", _("Share of the target elapsed (%)")
    AFTER_BREACH = "after_breach", _("Minutes after the breach")


class ClockState(models.TextChoices):
    """What the API and the badges show for one target of one ticket."""

    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    STOPPED = "stopped", _("Stopped")


class SegmentKind(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
