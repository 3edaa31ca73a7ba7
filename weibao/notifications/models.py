"""In-app notifications (站内通知): one row per recipient, read in the navbar bell and on /notifications/."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weibao.notifications.choices import NotificationKind, NotificationLevel


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
