"""Tickets (工单): a customer's report from intake to a verified, rated closure."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.sla.choices import ClockState, SegmentKind, TargetKind
from weibao.tickets.choices import (
    CategoryKind,
    Channel,
    CloseKind,
    CommentKind,
    EventKind,
    Level,
    PendingReason,
    Priority,
    Status,
    Visibility,
)


class Category(models.Model):
    """A report class (TRI-1): one of three kinds, optionally a configurable sub-category."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=CategoryKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "sort_order", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id and self.parent else self.name


class PriorityRule(models.Model):
    """One cell of the configurable urgency x impact matrix (TRI-2)."""

    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Level.choices)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Level.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)

    class Meta:
        ordering = ["urgency", "impact"]
        verbose_name = _("priority rule")
        verbose_name_plural = _("priority matrix")
        constraints = [models.UniqueConstraint(fields=["urgency", "impact"], name="priorityrule_unique_cell")]

    def __str__(self) -> str:
        return f"{self.get_urgency_display()} x {self.get_impact_display()} = {self.get_priority_display()}"


class DeskSettings(models.Model):
    """Service desk settings (a single row, pk=1), edited on the administration pages."""

    auto_close_days = models.PositiveSmallIntegerField(
        _("auto-close after (days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("A verified ticket with no objection from the customer is closed after this many days."),
    )
    progress_interval_hours = models.PositiveSmallIntegerField(
        _("progress update interval (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text=_(
            "An open ticket is due a progress update to the customer after this many hours without one."
        ),
    )
    pending_alert_hours = models.PositiveSmallIntegerField(
        _("pending too long after (hours)"),
        default=72,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text=_('A ticket pending this many hours raises the "pending too long" notification.'),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("service desk settings")
        verbose_name_plural = _("service desk settings")

    def __str__(self) -> str:
        return str(_("Service desk settings"))


class Ticket(models.Model):
    """A report from a customer (工单). Every change goes through ``tickets.services``."""

    number = models.PositiveBigIntegerField(_("number"), unique=True)
    # db_index=False on customer, system, category, assignee and team: the list indexes in Meta start
    # with these columns and serve every lookup by them; a plain index as well would only be written on
    # every insert and update (five more index entries per ticket created; bench/bench_api.py).
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,
    )
    site = models.ForeignKey(
        "customers.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    reporter_name = models.CharField(_("reporter name"), max_length=100, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=40, blank=True)
    reporter_email = models.EmailField(_("reporter email"), blank=True)
    system = models.ForeignKey(
        "customers.DeliveredSystem",
        verbose_name=_("system"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,
    )
    module = models.ForeignKey(
        "customers.SystemModule",
        verbose_name=_("module"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    # The configuration items the report is about (AST-2: their warranties decide who pays).
    items = models.ManyToManyField(
        "assets.ConfigurationItem", verbose_name=_("affected items"), blank=True, related_name="tickets"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Sanitised HTML"))
    # When the current wait began (the "pending too long" notification); stale once the ticket moves on.
    pending_since = models.DateTimeField(_("pending since"), null=True, blank=True)
    problem_started_at = models.DateTimeField(_("problem started at"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"))

    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,
    )
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Level.choices, default=Level.MEDIUM)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Level.choices, default=Level.MEDIUM)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    is_emergency = models.BooleanField(_("emergency"), default=False)

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    pending_reason = models.CharField(
        _("pending reason"), max_length=16, choices=PendingReason.choices, blank=True
    )

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        db_index=False,
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,
    )
    dispatch_deadline = models.DateTimeField(_("dispatch deadline"), null=True, blank=True)
    dispatch_requirements = models.TextField(_("dispatch requirements"), blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escalated to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalated_tickets",
    )
    collaborators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("collaborators"),
        blank=True,
        related_name="collaborating_tickets",
    )

    analysis = models.TextField(_("analysis"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_note = models.TextField(_("verification note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_kind = models.CharField(_("closed how"), max_length=16, choices=CloseKind.choices, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_tickets",
    )

    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    satisfaction_comment = models.TextField(_("satisfaction comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    # Service levels (SLA-1..5): the policy in force, the promises met, and two denormalised columns
    # (earliest running deadline, any breach) so the console filters and sorts without joining clocks.
    sla_policy = models.ForeignKey(
        "sla.SlaPolicy",
        verbose_name=_("SLA policy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    needs_onsite = models.BooleanField(_("needs an on-site visit"), default=False)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    onsite_arrived_at = models.DateTimeField(_("arrived on site at"), null=True, blank=True)
    sla_due_at = models.DateTimeField(_("next SLA deadline"), null=True, blank=True)
    sla_warn_at = models.DateTimeField(_("SLA at risk from"), null=True, blank=True)
    sla_breached = models.BooleanField(_("SLA breached"), default=False)

    last_progress_at = models.DateTimeField(_("last progress update"), null=True, blank=True)
    progress_due_at = models.DateTimeField(_("progress update due"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic concurrency: every service write bumps it; a stale ``version`` answers 409.
    version = models.PositiveIntegerField(_("version"), default=1)
    # jieba-segmented words of number, title, description and comments; indexed by FTS5 / GIN (ADR 0005).
    search_document = models.TextField(_("search document"), blank=True, editable=False)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="ticket_satisfaction_1_5",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="pending") | ~models.Q(pending_reason=""),
                name="ticket_pending_has_reason",
            ),
        ]
        # One index per console filter, each ending in the keyset sort (reported_at, id).
        indexes = [
            models.Index(fields=["reported_at", "id"], name="ticket_reported_idx"),
            models.Index(fields=["updated_at", "id"], name="ticket_updated_idx"),
            models.Index(fields=["status", "reported_at", "id"], name="ticket_status_idx"),
            models.Index(
                fields=["customer", "status", "reported_at", "id"], name="ticket_customer_status_idx"
            ),
            models.Index(fields=["customer", "reported_at", "id"], name="ticket_customer_idx"),
            models.Index(fields=["assignee", "status", "reported_at", "id"], name="ticket_assignee_idx"),
            models.Index(fields=["team", "status", "reported_at", "id"], name="ticket_team_idx"),
            models.Index(fields=["system", "reported_at", "id"], name="ticket_system_idx"),
            models.Index(fields=["category", "reported_at", "id"], name="ticket_category_idx"),
            models.Index(fields=["priority", "status", "reported_at", "id"], name="ticket_priority_idx"),
            models.Index(fields=["progress_due_at"], name="ticket_progress_due_idx"),
            models.Index(fields=["status", "verified_at"], name="ticket_status_verified_idx"),
            models.Index(
                fields=["sla_breached", "status", "reported_at", "id"], name="ticket_sla_breached_idx"
            ),
            models.Index(fields=["sla_warn_at"], name="ticket_sla_warn_idx"),
            # The "pending too long" sweep reads only pending tickets.
            models.Index(
                fields=["pending_since"],
                condition=models.Q(status="pending"),
                name="ticket_pending_since_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        from weibao.tickets.choices import OPEN_STATUSES

        return self.status in OPEN_STATUSES


class TicketComment(models.Model):
    """A public reply (seen by the customer) or an internal note; progress updates are replies too."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A reply by email from a contact who has no portal account has no user to point at.
    author_contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("author (contact)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    via_email = models.BooleanField(_("received by email"), default=False)
    visibility = models.CharField(_("visibility"), max_length=16, choices=Visibility.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=CommentKind.choices, default=CommentKind.REPLY)
    body = models.TextField(_("body"), help_text=_("Sanitised HTML"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="comment_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.pk}"


def attachment_upload_to(instance: TicketAttachment, filename: str) -> str:
    # The stored name is random; the original file name is kept in ``filename`` for downloads.
    import uuid

    return f"tickets/{instance.ticket_id}/{uuid.uuid4().hex}"


class TicketAttachment(models.Model):
    """A file attached to a ticket at intake or with a comment. Size and type limits in services."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments"
    )
    comment = models.ForeignKey(
        TicketComment,
        verbose_name=_("comment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=255)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    is_internal = models.BooleanField(_("internal"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class TicketEvent(models.Model):
    """An immutable timeline entry (TRK-3): who, when, what changed (``changes``: field -> [old, new])."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    kind = models.CharField(_("kind"), max_length=32, choices=EventKind.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_internal = models.BooleanField(_("internal"), default=False)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [models.Index(fields=["ticket", "at", "id"], name="event_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.kind}@{self.at}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Events are an audit trail: written once, never edited.
        if self.pk is not None:
            raise ValueError("TicketEvent rows are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("TicketEvent rows are immutable")


class SlaClock(models.Model):
    """One promise of one ticket (response, on-site, resolution) and its clock (SLA-4).

    ``budget_minutes`` on ``calendar`` come from the policy's target; ``due_at`` is recomputed from the
    segments whenever they or the target change. ``next_check_at`` is when the sweeper must look next
    (a warning threshold or the deadline); it is indexed so the sweeper's cost grows with what is due,
    not with the number of open tickets.
    """

    # Few indexes on purpose: the sweeper rewrites ~1,000 clocks a minute and every index is written
    # each time. The ticket is covered by slaclock_one_per_kind; policy and calendar are only looked up
    # when an administrator deletes one (a scan then, instead of two indexes on every clock write).
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="sla_clocks",
        db_index=False,
    )
    kind = models.CharField(_("target"), max_length=16, choices=TargetKind.choices)
    policy = models.ForeignKey(
        "sla.SlaPolicy", verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    calendar = models.ForeignKey(
        "calendars.Calendar",
        verbose_name=_("calendar"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    budget_minutes = models.PositiveIntegerField(_("target (working minutes)"))
    target_label = models.CharField(_("target as set"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ClockState.choices, default=ClockState.RUNNING
    )
    is_breached = models.BooleanField(_("breached"), default=False)
    paused_minutes = models.PositiveIntegerField(_("paused (minutes)"), default=0)
    next_check_at = models.DateTimeField(_("next check at"), null=True, blank=True)
    missing_holiday_years = models.JSONField(_("years without holiday data"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["ticket_id", "kind"]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [models.UniqueConstraint(fields=["ticket", "kind"], name="slaclock_one_per_kind")]
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="slaclock_next_check_idx",
                condition=models.Q(next_check_at__isnull=False),
            ),
            models.Index(fields=["due_at"], name="slaclock_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.kind}"


class SlaSegment(models.Model):
    """A stretch of a clock, running or paused (with the reason): the auditable history (SLA-4)."""

    clock = models.ForeignKey(
        SlaClock, verbose_name=_("clock"), on_delete=models.CASCADE, related_name="segments"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SegmentKind.choices)
    reason = models.CharField(_("reason"), max_length=32, blank=True)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["clock_id", "started_at", "id"]
        verbose_name = _("SLA clock segment")
        verbose_name_plural = _("SLA clock segments")
        indexes = [models.Index(fields=["clock", "started_at"], name="slasegment_clock_idx")]

    def __str__(self) -> str:
        return f"{self.clock_id}:{self.kind}"


class SlaAlert(models.Model):
    """A warning or escalation that has come; unique per clock and rule, so it is sent once (SLA-5).

    The sweeper records it (``fired_at``) in the transaction that decides it; delivery to the people
    to tell runs after (``sla_delivery``) and sets ``delivered_at`` and ``recipients``. Rows without
    ``delivered_at`` are the delivery queue (an outbox): nothing recorded is lost if a worker dies.
    """

    # slaalert_once covers the clock; the rule is only looked up when an administrator deletes one.
    clock = models.ForeignKey(
        SlaClock, verbose_name=_("clock"), on_delete=models.CASCADE, related_name="alerts", db_index=False
    )
    rule_key = models.CharField(_("rule"), max_length=64)
    rule = models.ForeignKey(
        "sla.EscalationRule",
        verbose_name=_("escalation rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    description = models.CharField(_("description"), max_length=200)
    due_at = models.DateTimeField(_("due at"))
    fired_at = models.DateTimeField(_("fired at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    recipients = models.JSONField(_("recipients"), default=list)

    class Meta:
        ordering = ["clock_id", "fired_at"]
        verbose_name = _("SLA alert")
        verbose_name_plural = _("SLA alerts")
        constraints = [models.UniqueConstraint(fields=["clock", "rule_key"], name="slaalert_once")]
        indexes = [
            # The delivery queue: small however many alerts history holds.
            models.Index(
                fields=["fired_at", "id"],
                condition=models.Q(delivered_at__isnull=True),
                name="slaalert_undelivered_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.clock_id}:{self.rule_key}"


class SlaBreach(models.Model):
    """A missed target: how late, who had the ticket, and the engineer's reason (SLA-5, quality figures)."""

    clock = models.OneToOneField(
        SlaClock, verbose_name=_("clock"), on_delete=models.CASCADE, related_name="breach"
    )
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="sla_breaches"
    )
    kind = models.CharField(_("target"), max_length=16, choices=TargetKind.choices)
    due_at = models.DateTimeField(_("due at"))
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    late_minutes = models.PositiveIntegerField(_("late by (minutes)"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee at the breach"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    reason_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reason given by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason_at = models.DateTimeField(_("reason given at"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # Set once the ticket shows the breach (flag and timeline event). A breach the sweeper found is
    # announced by the delivery job after the sweep; one a ticket service found is announced at once.
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)

    class Meta:
        ordering = ["-due_at"]
        verbose_name = _("SLA breach")
        verbose_name_plural = _("SLA breaches")
        indexes = [
            models.Index(fields=["due_at"], name="slabreach_due_idx"),
            models.Index(
                fields=["id"], condition=models.Q(announced_at__isnull=True), name="slabreach_unannounced_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.kind}"
