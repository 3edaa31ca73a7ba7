"""Shared model pieces: timestamps and named counters."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Adds ``created_at`` / ``updated_at`` (UTC, aware)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Counter(models.Model):
    """A named monotonically increasing number (ticket numbers, later receipt numbers).

    Allocation locks the row for the rest of the transaction, so numbers are gap-free per commit
    and never duplicated, on SQLite and PostgreSQL alike.
    """

    name = models.CharField(_("name"), max_length=64, unique=True)
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
