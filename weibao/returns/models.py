"""Returns and exchanges (退换货, RMA-1): a request with its reason, linked to the ticket, the item
and the supplier; the root cause and who is responsible; a status flow with an immutable timeline;
the outcome (repair, exchange, refund)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weibao.returns.choices import RmaOutcome, RmaStatus


class Rma(models.Model):
    """One return or exchange (RMA-<number>)."""

    number = models.PositiveBigIntegerField(_("number"), unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="rmas"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rmas",
    )
    item = models.ForeignKey(
        "assets.ConfigurationItem",
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rmas",
    )
    supplier = models.ForeignKey(
        "assets.Supplier",
        verbose_name=_("supplier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rmas",
    )
    goods = models.CharField(
        _("goods returned"), max_length=200, help_text=_("What goes back, with its serial number.")
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    reason = models.TextField(_("reason"))
    root_cause = models.TextField(_("root cause"), blank=True)
    responsible_department = models.CharField(_("responsible department"), max_length=100, blank=True)
    responsible_person = models.CharField(_("responsible person"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RmaStatus.choices, default=RmaStatus.REQUESTED
    )
    shipping_reference = models.CharField(_("shipping reference"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=RmaOutcome.choices, blank=True)
    outcome_note = models.CharField(_("outcome note"), max_length=300, blank=True)
    refund_amount = models.DecimalField(
        _("refund (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("return or exchange")
        verbose_name_plural = _("returns and exchanges")
        indexes = [
            models.Index(fields=["status", "-created_at"], name="rma_status_idx"),
            models.Index(fields=["customer", "-created_at"], name="rma_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(outcome=""), name="rma_closed_has_outcome"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="refund") | Q(refund_amount__gt=0), name="rma_refund_has_amount"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"RMA-{self.number}"


class RmaEvent(models.Model):
    """An immutable timeline entry: who moved the RMA from which status to which, and why."""

    rma = models.ForeignKey(
        Rma, verbose_name=_("return or exchange"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    note = models.TextField(_("note"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("RMA event")
        verbose_name_plural = _("RMA events")
        indexes = [models.Index(fields=["rma", "at"], name="rmaevent_rma_idx")]

    def __str__(self) -> str:
        return f"{self.rma_id} {self.from_status}->{self.to_status}"
