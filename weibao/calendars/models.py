"""Working calendars (工作日历): weekly periods with breaks, holidays and make-up workdays (SLA-3)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.calendars.choices import DayKind, DaySource, Weekday


class Calendar(models.Model):
    """A working calendar in one time zone. ``version`` changes with every edit (compiled-cache key)."""

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    uses_holidays = models.BooleanField(
        _("follows statutory holidays"),
        default=True,
        help_text=_("Years without holiday data are flagged, and deadlines falling into them say so."),
    )
    makeup_weekday = models.PositiveSmallIntegerField(
        _("make-up workdays work like"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    is_default = models.BooleanField(
        _("default working calendar"),
        default=False,
        help_text=_("Used for customers and sites that have no calendar of their own."),
    )
    description = models.TextField(_("description"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="calendar_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name


class WorkingPeriod(models.Model):
    """One working period of a weekday, in local minutes; ``end_minute <= start_minute`` runs overnight."""

    calendar = models.ForeignKey(
        Calendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="periods"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_minute = models.PositiveSmallIntegerField(
        _("start (minute of day)"), validators=[MaxValueValidator(1439)]
    )
    end_minute = models.PositiveSmallIntegerField(
        _("end (minute of day)"), validators=[MinValueValidator(1), MaxValueValidator(1440)]
    )

    class Meta:
        ordering = ["calendar_id", "weekday", "start_minute"]
        verbose_name = _("working period")
        verbose_name_plural = _("working periods")
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "weekday", "start_minute"], name="workingperiod_unique_start"
            ),
            models.CheckConstraint(
                condition=models.Q(start_minute__lte=1439, end_minute__gte=1, end_minute__lte=1440),
                name="workingperiod_minutes_in_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_minute // 60:02d}:{self.start_minute % 60:02d}"


class CalendarDay(models.Model):
    """A dated exception: a holiday, or a make-up workday (调休上班), each with a name."""

    calendar = models.ForeignKey(
        Calendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(_("source"), max_length=16, choices=DaySource.choices, default=DaySource.MANUAL)

    class Meta:
        ordering = ["calendar_id", "date"]
        verbose_name = _("holiday or make-up workday")
        verbose_name_plural = _("holidays and make-up workdays")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendarday_unique_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class HolidayYear(models.Model):
    """A year for which the calendar's holiday data is known (imported or confirmed by an administrator)."""

    calendar = models.ForeignKey(
        Calendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="holiday_years"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=16, choices=DaySource.choices)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        ordering = ["calendar_id", "year"]
        verbose_name = _("year with holiday data")
        verbose_name_plural = _("years with holiday data")
        constraints = [models.UniqueConstraint(fields=["calendar", "year"], name="holidayyear_unique")]

    def __str__(self) -> str:
        return f"{self.calendar_id} {self.year}"
