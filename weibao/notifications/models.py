"""Notifications (通知): in-app rows, the rules that decide who hears of what, and outbound deliveries.

``Notification`` is the in-app channel (the navbar bell). ``NotificationRule`` says, per event, who is
told on which channels; ``NotificationPreference`` lets each user mute events per channel and set quiet
hours; ``Webhook`` is a group-chat robot of a team or customer; ``Delivery`` is one email or webhook
post - the outbox and the delivery log at once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weibao.notifications.choices import (
    Channel,
    DeliveryStatus,
    NotificationKind,
    NotificationLevel,
    NotifyEvent,
    RuleAudience,
    WebhookKind,
)


class Notification(models.Model):
    """A message to one user, shown in the app until read.

    This row *is* the in-app channel. Other channels (email, IM; issue 4) are meant to hang off it as
    delivery rows (notification, channel, status, attempts) created by ``notification_send`` for the
    notifications it creates, so a retried sender never notifies twice on any channel.

    ``dedupe_key`` makes sending idempotent: a non-empty key is unique per recipient (partial unique
    constraint), so a job that runs twice (the SLA sweeper) creates one row.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # notification_inbox_idx starts with the recipient
    )
    kind = models.CharField(
        _("kind"), max_length=32, choices=NotificationKind.choices, default=NotificationKind.GENERIC
    )
    level = models.CharField(
        _("level"), max_length=16, choices=NotificationLevel.choices, default=NotificationLevel.INFO
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True, help_text=_("Plain text."))
    url = models.CharField(
        _("link"), max_length=500, blank=True, help_text=_("A link inside Weibao, e.g. /tickets/42/.")
    )
    dedupe_key = models.CharField(
        _("deduplication key"),
        max_length=200,
        blank=True,
        help_text=_("Sending again with the same key to the same recipient creates nothing."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_unique_dedupe_key",
            )
        ]
        indexes = [
            # The inbox (all, newest first) and the keyset pages over it.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox_idx"),
            # The bell: unread count and the unread filter stay small however much history piles up.
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationRule(models.Model):
    """One cell of the rules grid (COM-1, SLA-5): is this audience told about this event, and how.

    Audiences are relative to the ticket (its assignee, team, contact, the service managers, its
    watchers), so a rule never names people who come and go. A customer contact has no inbox in
    Weibao, so only ``email`` applies to them. The actor of an event is never told about their own
    action. Robot webhooks choose their events themselves (``Webhook.events``).
    """

    event = models.CharField(_("event"), max_length=32, choices=NotifyEvent.choices)
    audience = models.CharField(_("audience"), max_length=32, choices=RuleAudience.choices)
    in_app = models.BooleanField(_("in the app"), default=False)
    email = models.BooleanField(_("by email"), default=False)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("notification rule")
        verbose_name_plural = _("notification rules")
        constraints = [
            models.UniqueConstraint(fields=["event", "audience"], name="notification_rule_unique_cell")
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.get_audience_display()}"


class NotificationPreference(models.Model):
    """One user's choices: events they do not want per channel, and quiet hours for email.

    Quiet hours hold back email (in-app rows are silent anyway) until they end, except for critical
    or emergency tickets. Times are in the user's own time zone; a window may cross midnight.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    muted_in_app = models.JSONField(_("muted in the app"), default=list, blank=True)
    muted_email = models.JSONField(_("muted by email"), default=list, blank=True)
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class Webhook(models.Model):
    """A group-chat robot (DingTalk, WeCom, Feishu) or a generic JSON endpoint of a team or customer.

    With neither team nor customer it hears about every ticket. ``events`` narrows what it hears (empty:
    the events in ``DEFAULT_WEBHOOK_EVENTS``). The signing secret is stored encrypted (core.secrets).
    """

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=WebhookKind.choices)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.TextField(_("signing secret (encrypted)"), blank=True)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhooks",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhooks",
    )
    events = models.JSONField(_("events"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    last_sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("robot webhook")
        verbose_name_plural = _("robot webhooks")
        indexes = [
            models.Index(fields=["team"], name="webhook_team_idx"),
            models.Index(fields=["customer"], name="webhook_customer_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One email or webhook post: queued by the fan-out, sent by a Celery task, kept as the log.

    ``dedupe_key`` is unique: the fan-out of one event run twice queues nothing new. Sending claims
    the row (queued -> sending, with a lease) in one conditional UPDATE, so a task delivered twice
    sends once. A failed attempt waits ``next_attempt_at`` (exponential backoff) and is retried up to
    ``MAX_ATTEMPTS`` times, then the row is ``failed``. ``attempt_log`` keeps each attempt's outcome.
    """

    MAX_ATTEMPTS = 6

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    event = models.CharField(_("event"), max_length=32, choices=NotifyEvent.choices)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
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
        related_name="+",
    )
    webhook = models.ForeignKey(
        Webhook,
        verbose_name=_("webhook"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    to_address = models.CharField(_("to"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    html_body = models.TextField(_("HTML body"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    # Webhooks: the structured event (the generic webhook's JSON body; robots get ``subject``/``body``).
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    # Email: files in the default storage to attach, [{"path", "name", "content_type"}] (a service report).
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    ticket_number = models.PositiveBigIntegerField(_("ticket number"), null=True, blank=True)
    is_critical = models.BooleanField(_("critical"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    attempt_log = models.JSONField(_("attempts log"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            # The dispatcher: queued rows whose time has come (and leases that ran out).
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
            # The delivery log, newest first, and its filters.
            models.Index(fields=["-created_at", "-id"], name="delivery_log_idx"),
            models.Index(fields=["ticket_number", "-created_at"], name="delivery_ticket_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.to_address or self.webhook_id}:{self.status}"
