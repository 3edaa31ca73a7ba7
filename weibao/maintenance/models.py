"""Maintenance plans (维保计划, PLN-1..4): the annual plan per customer and system, its recurring
routines, the occurrences generated from them on working days, and approved adjustments."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weibao.maintenance.choices import (
    AdjustmentStatus,
    OccurrenceStatus,
    PlanEventKind,
    PlanStatus,
    RoutineKind,
)


class MaintenancePlan(models.Model):
    """One year's plan for a customer (and optionally one delivered system): goals, scope, staff,
    budget and routines (PLN-1). Draft -> approved -> active (occurrences are generated) -> closed.
    Once approved, changes go through an adjustment that needs approval (PLN-4)."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="maintenance_plans",
    )
    system = models.ForeignKey(
        "customers.DeliveredSystem",
        verbose_name=_("system"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="maintenance_plans",
    )
    site = models.ForeignKey(
        "customers.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    goals = models.TextField(_("goals"), blank=True)
    scope = models.TextField(_("scope and content"), blank=True)
    budget = models.DecimalField(_("budget (CNY)"), max_digits=12, decimal_places=2, default=0)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    generated_until = models.DateField(_("generated until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-year", "customer_id", "id"]
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        indexes = [
            models.Index(fields=["status", "year"], name="plan_status_idx"),
            models.Index(fields=["customer", "year"], name="plan_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class Routine(models.Model):
    """Recurring work of a plan (PLN-2): calls, inspections, checks, or a custom RRULE; with the
    engineers who do it, its checklist, and how many days ahead people are reminded."""

    plan = models.ForeignKey(
        MaintenancePlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="routines"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=RoutineKind.choices)
    title = models.CharField(_("title"), max_length=200)
    rrule = models.CharField(_("recurrence (RRULE)"), max_length=300)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    time_of_day = models.TimeField(_("time of day"), default="09:00")
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=120)
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("engineers"), related_name="+"
    )
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    remind_days_before = models.PositiveSmallIntegerField(_("remind days before"), default=3)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["plan_id", "id"]
        verbose_name = _("routine")
        verbose_name_plural = _("routines")

    def __str__(self) -> str:
        return self.title


class Occurrence(models.Model):
    """One generated instance of a routine: the date the rule gave and the working day it moved to;
    a visit has its work order. Unique per routine and rule date, so generating twice creates nothing."""

    routine = models.ForeignKey(
        Routine, verbose_name=_("routine"), on_delete=models.CASCADE, related_name="occurrences"
    )
    plan = models.ForeignKey(
        MaintenancePlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="occurrences",
        db_index=False,
    )
    rule_date = models.DateField(_("date by the rule"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=16, choices=OccurrenceStatus.choices, default=OccurrenceStatus.SCHEDULED
    )
    work_order = models.OneToOneField(
        "fieldservice.WorkOrder",
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="occurrence",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.TextField(_("outcome"), blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("occurrence")
        verbose_name_plural = _("occurrences")
        constraints = [
            models.UniqueConstraint(fields=["routine", "rule_date"], name="occurrence_once_per_rule_date")
        ]
        indexes = [
            models.Index(fields=["plan", "due_on"], name="occurrence_plan_idx"),
            # Overdue and reminder sweeps read only what is still scheduled.
            models.Index(fields=["due_on"], condition=Q(status="scheduled"), name="occurrence_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.routine_id}@{self.due_on}"

    @property
    def is_overdue(self) -> bool:
        return self.status == OccurrenceStatus.SCHEDULED and self.due_on < timezone.localdate()


class OccurrenceChange(models.Model):
    """A reschedule of an occurrence: from, to, why, who (the history PLN-2 asks for)."""

    occurrence = models.ForeignKey(
        Occurrence, verbose_name=_("occurrence"), on_delete=models.CASCADE, related_name="changes"
    )
    from_date = models.DateField(_("from"))
    to_date = models.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=500)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["occurrence_id", "changed_at", "id"]
        verbose_name = _("reschedule")
        verbose_name_plural = _("reschedules")

    def __str__(self) -> str:
        return f"{self.from_date} -> {self.to_date}"


class PlanAdjustment(models.Model):
    """A requested change of an approved plan (scope, schedule, budget; PLN-4): it applies only once
    approved, and those affected are told. ``changes`` holds the new values."""

    plan = models.ForeignKey(
        MaintenancePlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="adjustments"
    )
    changes = models.JSONField(_("changes"), default=dict)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=16, choices=AdjustmentStatus.choices, default=AdjustmentStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("plan adjustment")
        verbose_name_plural = _("plan adjustments")

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.status}"


class PlanEvent(models.Model):
    """An immutable history entry of a plan."""

    plan = models.ForeignKey(
        MaintenancePlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=32, choices=PlanEventKind.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("plan event")
        verbose_name_plural = _("plan events")
        indexes = [models.Index(fields=["plan", "at", "id"], name="planevent_plan_idx")]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("PlanEvent rows are immutable")
        super().save(*args, **kwargs)


class CalendarFeed(models.Model):
    """A secret iCalendar URL (PLN-2): an engineer's work, or a customer's visits and calls, to
    subscribe to from a phone calendar. Only the SHA-256 of the token is stored; revoking ends it."""

    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, customer__isnull=True)
                | Q(user__isnull=True, customer__isnull=False),
                name="calendar_feed_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}…"
