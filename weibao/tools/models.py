"""Tools and test equipment (INV-2): each registered to the person who keeps it, checked out and
returned, losses and damages reported and decided (normal wear or compensation), valuable ones
flagged as fixed assets; purchase requests that need approval."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weibao.tools.choices import IncidentKind, Liability, PurchaseStatus, ToolKind, ToolStatus


class Tool(models.Model):
    """A tool or piece of test equipment, registered to the person who keeps it."""

    code = models.CharField(_("tool number"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ToolKind.choices, default=ToolKind.TOOL)
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    keeper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("kept by"),
        on_delete=models.PROTECT,
        related_name="tools_kept",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ToolStatus.choices, default=ToolStatus.IN_SERVICE
    )
    is_fixed_asset = models.BooleanField(_("fixed asset"), default=False)
    asset_number = models.CharField(_("fixed-asset number"), max_length=64, blank=True)
    value = models.DecimalField(_("value (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    calibration_due = models.DateField(
        _("calibration due"),
        null=True,
        blank=True,
        help_text=_("Test equipment: when it must be calibrated next."),
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name = _("tool")
        verbose_name_plural = _("tools")
        indexes = [
            models.Index(fields=["keeper", "code"], name="tool_keeper_idx"),
            models.Index(fields=["status", "code"], name="tool_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_fixed_asset=False) | ~Q(asset_number=""), name="tool_fixed_asset_has_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ToolCheckout(models.Model):
    """A tool handed by its keeper to a colleague, until it comes back."""

    tool = models.ForeignKey(Tool, verbose_name=_("tool"), on_delete=models.PROTECT, related_name="checkouts")
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("borrowed by"),
        on_delete=models.PROTECT,
        related_name="tool_checkouts",
    )
    checked_out_at = models.DateTimeField(_("checked out at"), default=timezone.now)
    due_back = models.DateField(_("due back on"), null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed out by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("return recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-checked_out_at", "-id"]
        verbose_name = _("tool checkout")
        verbose_name_plural = _("tool checkouts")
        constraints = [
            models.UniqueConstraint(
                fields=["tool"], condition=Q(returned_at__isnull=True), name="tool_one_open_checkout"
            )
        ]
        indexes = [models.Index(fields=["borrower", "returned_at"], name="checkout_borrower_idx")]

    def __str__(self) -> str:
        return f"{self.tool_id} → {self.borrower_id}"


class ToolIncident(models.Model):
    """A loss or damage report, and the decision: normal wear, or compensation by someone."""

    tool = models.ForeignKey(Tool, verbose_name=_("tool"), on_delete=models.PROTECT, related_name="incidents")
    kind = models.CharField(_("kind"), max_length=16, choices=IncidentKind.choices)
    description = models.TextField(_("what happened"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    liability = models.CharField(
        _("liability"), max_length=16, choices=Liability.choices, default=Liability.UNDECIDED
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person responsible"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tool_incidents",
    )
    compensation = models.DecimalField(
        _("compensation (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("loss or damage report")
        verbose_name_plural = _("loss and damage reports")
        indexes = [models.Index(fields=["liability", "-reported_at"], name="incident_liability_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(liability="compensation")
                | (Q(compensation__gt=0) & Q(responsible__isnull=False)),
                name="incident_compensation_named",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tool_id} {self.kind}"


class PurchaseRequest(models.Model):
    """A request to buy a tool or equipment; a manager approves or rejects it, then it is ordered
    and received."""

    title = models.CharField(_("what"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(_("estimated unit price (CNY)"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("why it is needed"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="purchase_requests",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=PurchaseStatus.choices, default=PurchaseStatus.SUBMITTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("purchase request")
        verbose_name_plural = _("purchase requests")
        indexes = [models.Index(fields=["status", "-requested_at"], name="purchase_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="purchase_price_not_negative")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def total(self) -> object:
        return self.quantity * self.unit_price
