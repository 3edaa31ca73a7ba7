"""Spare parts and the stock ledger (INV-1): a parts catalogue, stock locations (warehouses and
engineers' own stock), an append-only ledger of moves, and per (part, location) the on-hand quantity
derived from it - kept in the same transaction as each move, never negative (a CHECK constraint)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weibao.inventory.choices import LoanerStatus, LocationKind, MoveKind


class Part(models.Model):
    """A spare part of the catalogue; ``min_stock`` over all warehouses raises an alert below it."""

    code = models.CharField(_("part number"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    spec = models.CharField(_("model / specification"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=16, default="个")
    min_stock = models.PositiveIntegerField(_("minimum stock"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name = _("spare part")
        verbose_name_plural = _("spare parts")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Location(models.Model):
    """Where stock is kept: a warehouse, or an engineer's own stock (held by that engineer)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=LocationKind.choices)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stock_locations",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("stock location")
        verbose_name_plural = _("stock locations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="engineer") | Q(holder__isnull=False), name="location_engineer_has_holder"
            )
        ]

    def __str__(self) -> str:
        return self.name


class StockMove(models.Model):
    """One line of the append-only ledger: a signed quantity of a part at a location, why, by whom,
    and the balance it left. Never edited or deleted; a mistake is corrected by another move."""

    part = models.ForeignKey(
        Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="moves", db_index=False
    )
    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="moves", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MoveKind.choices)
    quantity = models.IntegerField(_("quantity"))
    balance_after = models.IntegerField(_("balance after"))
    reference = models.CharField(
        _("reference"), max_length=64, blank=True, help_text=_("E.g. a work order WO-12.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    transfer = models.UUIDField(_("transfer"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        indexes = [
            models.Index(fields=["part", "location", "at"], name="move_part_location_idx"),
            models.Index(fields=["location", "at"], name="move_location_idx"),
            models.Index(fields=["reference"], condition=~Q(reference=""), name="move_reference_idx"),
        ]
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="move_quantity_not_zero")]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity:+d} {self.part_id}@{self.location_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("StockMove rows are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("StockMove rows are immutable")


class StockLevel(models.Model):
    """On hand of a part at a location: the sum of its moves, kept by the services in the same
    transaction under a row lock; the database refuses a negative value."""

    part = models.ForeignKey(
        Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="levels", db_index=False
    )
    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="levels"
    )
    on_hand = models.IntegerField(_("on hand"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["part_id", "location_id"]
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["part", "location"], name="stock_level_once"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_level_never_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.part_id}@{self.location_id}: {self.on_hand}"


class LoanerUnit(models.Model):
    """A replacement unit (备用机, INV-1) lent to a customer while their own equipment is repaired."""

    code = models.CharField(_("loaner number"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=LoanerStatus.choices, default=LoanerStatus.AVAILABLE
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("kept at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="loaners",
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name = _("loaner unit")
        verbose_name_plural = _("loaner units")
        indexes = [models.Index(fields=["status", "code"], name="loaner_status_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Loan(models.Model):
    """One lending of a loaner unit: to whom, for which ticket, until when, and its return."""

    unit = models.ForeignKey(
        LoanerUnit, verbose_name=_("loaner unit"), on_delete=models.PROTECT, related_name="loans"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="loans"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loans",
    )
    contact_name = models.CharField(_("received by"), max_length=100, blank=True)
    lent_at = models.DateTimeField(_("lent at"), default=timezone.now)
    due_on = models.DateField(_("due back on"))
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lent by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("return recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    condition = models.CharField(_("condition on return"), max_length=300, blank=True)

    class Meta:
        ordering = ["-lent_at", "-id"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            # A unit is at one customer at a time.
            models.UniqueConstraint(
                fields=["unit"], condition=Q(returned_at__isnull=True), name="loan_one_open_per_unit"
            )
        ]
        indexes = [
            models.Index(fields=["due_on"], condition=Q(returned_at__isnull=True), name="loan_open_due_idx"),
            models.Index(fields=["customer", "-lent_at"], name="loan_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} → {self.customer_id}"

    @property
    def is_overdue(self) -> bool:
        return self.returned_at is None and self.due_on < timezone.localdate()
