"""Vocabularies of the stock ledger (备品备件, INV-1)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LocationKind(models.TextChoices):
    WAREHOUSE = "warehouse", _("Warehouse")
    ENGINEER = "engineer", _("Engineer's stock")


class MoveKind(models.TextChoices):
    RECEIVE = "receive", _("Received")
    ISSUE = "issue", _("Issued")
    RETURN = "return", _("Returned")
    TRANSFER_OUT = "transfer_out", _("Transferred out")
    TRANSFER_IN = "transfer_in", _("Transferred in")
    SCRAP = "scrap", _("Scrapped")
    COUNT = "count", _("Stock count correction")


#: Moves that add to a location; the others take away.
INBOUND = frozenset({MoveKind.RECEIVE, MoveKind.RETURN, MoveKind.TRANSFER_IN})


class LoanerStatus(models.TextChoices):
    """A replacement unit (备用机): on the shelf, at a customer, being repaired, or out of service."""

    AVAILABLE = "available", _("Available")
    LENT = "lent", _("Lent to a customer")
    IN_REPAIR = "in_repair", _("In repair")
    RETIRED = "retired", _("Retired")
