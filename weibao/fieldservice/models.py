"""Work orders (派工单, FLD-1..5): on-site visits and remote sessions, what was done, the customer's
signature, fees, and equipment taken back for repair. Every change goes through ``fieldservice.services``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weibao.fieldservice.choices import (
    CheckResult,
    FeeStatus,
    OrderEventKind,
    OrderKind,
    OrderStatus,
    ServiceType,
)


def signature_upload_to(instance: Any, filename: str) -> str:
    return f"workorders/{instance.number}/signature.png"


def photo_upload_to(instance: Any, filename: str) -> str:
    return f"workorders/{instance.order.number}/photos/{filename}"


def report_upload_to(instance: Any, filename: str) -> str:
    return f"workorders/{instance.number}/{filename}"


class WorkOrder(models.Model):
    """One visit or remote session for a customer, by one or more engineers (FLD-1, FLD-5).

    Created from a ticket (a visit is needed), from a maintenance plan, or on its own. Its life:
    planned -> in progress (checked in) -> completed (checked out) -> signed (the customer signed on the
    engineer's screen; from then on it can only be annotated) or cancelled. The service type (who pays)
    is decided when it is created, from the system's warranty and the customer's contract.
    """

    number = models.PositiveBigIntegerField(_("number"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OrderKind.choices, default=OrderKind.ONSITE)
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.PLANNED
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="work_orders"
    )
    site = models.ForeignKey(
        "customers.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    system = models.ForeignKey(
        "customers.DeliveredSystem",
        verbose_name=_("system"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    tools = models.TextField(_("tools to bring"), blank=True)
    parts_needed = models.TextField(_("parts to bring"), blank=True)
    # The configuration items the visit is about; their warranties decide the service type (AST-2).
    items = models.ManyToManyField(
        "assets.ConfigurationItem", verbose_name=_("items"), blank=True, related_name="work_orders"
    )
    engineers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("engineers"), related_name="work_orders"
    )
    planned_start = models.DateTimeField(_("planned start"))
    planned_end = models.DateTimeField(_("planned end"))

    service_type = models.CharField(_("service type"), max_length=16, choices=ServiceType.choices)
    service_reason = models.CharField(_("why this service type"), max_length=300, blank=True)
    fee_status = models.CharField(
        _("fee status"), max_length=16, choices=FeeStatus.choices, default=FeeStatus.NONE
    )
    quote_accepted_by = models.CharField(_("quote accepted by"), max_length=100, blank=True)
    quote_accepted_at = models.DateTimeField(_("quote accepted at"), null=True, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=64, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    invoiced_at = models.DateTimeField(_("invoiced at"), null=True, blank=True)

    remote_consent_by = models.CharField(
        _("remote access agreed by"),
        max_length=100,
        blank=True,
        help_text=_("Remote sessions only: who at the customer agreed to the remote access."),
    )
    remote_tool = models.CharField(_("remote tool"), max_length=100, blank=True)

    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    check_in_latitude = models.DecimalField(
        _("check-in latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    check_in_longitude = models.DecimalField(
        _("check-in longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    check_in_accuracy_m = models.PositiveIntegerField(_("location accuracy (m)"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    travel_minutes = models.PositiveIntegerField(_("travel time (minutes)"), null=True, blank=True)
    time_spent_minutes = models.PositiveIntegerField(_("time spent (minutes)"), null=True, blank=True)
    work_done = models.TextField(_("work done"), blank=True)
    findings = models.TextField(_("findings and advice"), blank=True)

    signer_name = models.CharField(_("signed by"), max_length=100, blank=True)
    signature = models.FileField(_("signature"), upload_to=signature_upload_to, blank=True, max_length=200)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    report = models.FileField(
        _("service report (PDF)"), upload_to=report_upload_to, blank=True, max_length=200
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["planned_start", "id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [
            # "My work today" and the planning board: by window.
            models.Index(fields=["planned_start", "id"], name="workorder_planned_idx"),
            models.Index(fields=["status", "planned_start", "id"], name="workorder_status_idx"),
            models.Index(fields=["customer", "planned_start", "id"], name="workorder_customer_idx"),
            models.Index(fields=["ticket"], name="workorder_ticket_idx"),
            models.Index(fields=["fee_status", "planned_start"], name="workorder_fee_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("planned_start")), name="workorder_window_order"
            ),
            models.CheckConstraint(
                condition=~Q(status="signed") | (Q(signed_at__isnull=False) & ~Q(signer_name="")),
                name="workorder_signed_has_signer",
            ),
        ]

    def __str__(self) -> str:
        return f"WO-{self.number}"

    @property
    def label(self) -> str:
        return f"WO-{self.number}"

    @property
    def is_signed(self) -> bool:
        return self.status == OrderStatus.SIGNED


class ChecklistItem(models.Model):
    """One line of a work order's checklist and its result (from a plan's routine or typed in)."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="checklist"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("item"), max_length=300)
    result = models.CharField(_("result"), max_length=8, choices=CheckResult.choices, blank=True, default="")
    note = models.CharField(_("note"), max_length=500, blank=True)
    # PLN-3: equipment whose performance has degraded too far is flagged for replacement.
    flag_replacement = models.BooleanField(_("flag for replacement"), default=False)

    class Meta:
        ordering = ["order_id", "position", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.label


class PartUsed(models.Model):
    """A part fitted or consumed during the work: free text, or a catalogue part issued from stock."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="parts"
    )
    name = models.CharField(_("part"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    # A catalogue part taken from stock: its issue is in the stock ledger with the reference WO-<number>.
    part = models.ForeignKey(
        "inventory.Part",
        verbose_name=_("spare part"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="used_in",
    )
    location = models.ForeignKey(
        "inventory.Location",
        verbose_name=_("taken from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    item = models.ForeignKey(
        "assets.ConfigurationItem",
        verbose_name=_("fitted to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="parts_used",
    )

    class Meta:
        ordering = ["order_id", "id"]
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"


class ChargeLine(models.Model):
    """One fee of a paid work order, per part of the product (FLD-3): parts with their own warranty
    still running are listed at no charge, with the warranty that covers them."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="charges"
    )
    description = models.CharField(_("description"), max_length=200)
    component = models.CharField(_("part of the product"), max_length=200, blank=True)
    warranty_end = models.DateField(_("warranty of this part ends"), null=True, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=9, decimal_places=2, default=1)
    unit_price = models.DecimalField(_("unit price (CNY)"), max_digits=12, decimal_places=2)
    covered = models.BooleanField(_("covered by warranty"), default=False)

    class Meta:
        ordering = ["order_id", "id"]
        verbose_name = _("charge")
        verbose_name_plural = _("charges")

    def __str__(self) -> str:
        return self.description

    @property
    def amount(self) -> Any:
        return 0 if self.covered else self.quantity * self.unit_price


class Photo(models.Model):
    """A photo taken during the work (before/after, a nameplate, a fault)."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("file"), upload_to=photo_upload_to, max_length=200)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["order_id", "created_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption or self.file.name


class EquipmentReceipt(models.Model):
    """Equipment taken back for repair (FLD-4): a numbered receipt handed to the customer, and its
    return recorded against the same receipt."""

    number = models.PositiveBigIntegerField(_("receipt number"), unique=True)
    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="receipts"
    )
    description = models.CharField(_("equipment"), max_length=200)
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    condition = models.CharField(_("condition and accessories"), max_length=500, blank=True)
    taken_at = models.DateTimeField(_("taken at"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handed_over_by = models.CharField(_("handed over by (customer)"), max_length=100)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_to = models.CharField(_("returned to (customer)"), max_length=100, blank=True)
    return_note = models.CharField(_("return note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-taken_at", "-id"]
        verbose_name = _("equipment receipt")
        verbose_name_plural = _("equipment receipts")
        indexes = [
            models.Index(fields=["returned_at", "taken_at"], name="receipt_open_idx"),
        ]

    def __str__(self) -> str:
        return f"RC-{self.number}"


class OrderNote(models.Model):
    """An annotation added after signing: the signed content itself never changes."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["order_id", "created_at", "id"]
        verbose_name = _("annotation")
        verbose_name_plural = _("annotations")

    def __str__(self) -> str:
        return self.text[:50]


class OrderEvent(models.Model):
    """An immutable timeline entry of a work order: who, when, what changed."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="events"
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
    kind = models.CharField(_("kind"), max_length=32, choices=OrderEventKind.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("work order event")
        verbose_name_plural = _("work order events")
        indexes = [models.Index(fields=["order", "at", "id"], name="orderevent_order_idx")]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.kind}@{self.at}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("OrderEvent rows are immutable")
        super().save(*args, **kwargs)
