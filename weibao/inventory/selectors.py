"""Reads of stock: on hand per part (all locations, or one), derived from the levels the ledger keeps."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from weibao.core.errors import PermissionDenied
from weibao.inventory.choices import LocationKind
from weibao.inventory.models import Loan, LoanerUnit, Part, StockMove
from weibao.inventory.permissions import can_see_stock


def _require(actor: Any) -> None:
    if not can_see_stock(user=actor):
        raise PermissionDenied(_("You may not see stock."))


def on_hand(*, actor: Any, location_id: int | None = None, below_minimum: bool = False) -> QuerySet[Part]:
    """Parts with ``on_hand`` (at one location, or in all warehouses), optionally only those below minimum."""
    _require(actor)
    where = (
        Q(levels__location_id=location_id)
        if location_id
        else Q(levels__location__kind=LocationKind.WAREHOUSE)
    )
    qs = Part.objects.filter(is_active=True).annotate(on_hand=Sum("levels__on_hand", filter=where, default=0))
    if below_minimum:
        qs = qs.filter(min_stock__gt=0, on_hand__lt=F("min_stock"))
    return qs.order_by("code")


def part_ledger(*, actor: Any, part_id: int, location_id: int | None = None) -> QuerySet[StockMove]:
    _require(actor)
    qs = StockMove.objects.filter(part_id=part_id).select_related("location", "actor")
    if location_id:
        qs = qs.filter(location_id=location_id)
    return qs.order_by("-at", "-id")


def loaner_list(*, actor: Any) -> QuerySet[LoanerUnit]:
    """Loaner units with their open loan (customer, ticket, due date) read alongside."""
    _require(actor)
    open_loans = Prefetch(
        "loans",
        queryset=Loan.objects.filter(returned_at__isnull=True).select_related(
            "customer", "ticket", "lent_by"
        ),
        to_attr="open_loans",
    )
    return LoanerUnit.objects.select_related("location").prefetch_related(open_loans).order_by("code")


def loan_list(*, actor: Any, open_only: bool = False, customer_id: int | None = None) -> QuerySet[Loan]:
    """Loans, newest first; ``open_only`` those not returned yet."""
    _require(actor)
    qs = Loan.objects.select_related("unit", "customer", "ticket", "lent_by", "returned_by")
    if open_only:
        qs = qs.filter(returned_at__isnull=True)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return qs.order_by("-lent_at", "-id")
