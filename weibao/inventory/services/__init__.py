"""Every state change of spare parts and stock (DESIGN.md rule 1). Interfaces import from here."""

from weibao.inventory.permissions import can_manage_stock
from weibao.inventory.services.catalogue import part_create
from weibao.inventory.services.stock import (
    LedgerCheck,
    stock_count,
    stock_move,
    stock_transfer,
    stock_verify,
)

__all__ = [
    "LedgerCheck",
    "can_manage_stock",
    "part_create",
    "stock_count",
    "stock_move",
    "stock_transfer",
    "stock_verify",
]
