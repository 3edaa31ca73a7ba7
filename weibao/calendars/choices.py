from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    """A dated exception to a calendar's weekly pattern (SLA-3)."""

    HOLIDAY = "holiday", _("Holiday (no work)")
    WORKDAY = "workday", _("Make-up workday")


class DaySource(models.TextChoices):
    """Where a dated day came from; a refresh from the package never overwrites manual edits."""

    PACKAGE = "package", _("chinesecalendar package")
    FILE = "file", _("Imported file")
    MANUAL = "manual", _("Edited by hand")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")
