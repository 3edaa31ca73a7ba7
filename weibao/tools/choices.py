"""Vocabularies of tools and test equipment (工具仪器, INV-2) and purchase requests."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ToolKind(models.TextChoices):
    TOOL = "tool", _("Tool")
    TEST_EQUIPMENT = "test_equipment", _("Test equipment")


class ToolStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("With its keeper")
    CHECKED_OUT = "checked_out", _("Checked out")
    LOST = "lost", _("Lost")
    DAMAGED = "damaged", _("Damaged")
    RETIRED = "retired", _("Retired")


class IncidentKind(models.TextChoices):
    LOSS = "loss", _("Loss")
    DAMAGE = "damage", _("Damage")


class Liability(models.TextChoices):
    """Who bears a loss or damage: decided by a tool manager after the report."""

    UNDECIDED = "undecided", _("Not decided yet")
    NORMAL_WEAR = "normal_wear", _("Normal wear (no compensation)")
    COMPENSATION = "compensation", _("Compensation by the person responsible")


class PurchaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ORDERED = "ordered", _("Ordered")
    RECEIVED = "received", _("Received")
