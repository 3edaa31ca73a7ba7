"""Every state change of spare parts and stock (DESIGN.md rule 1). Interfaces import from here."""

from weibao.inventory.permissions import can_manage_stock
from weibao.inventory.services.catalogue import part_create
from weibao.inventory.services.loaners import (
    loan_lend,
    loan_return,
    loaner_create,
    loaner_set_status,
    loans_remind_overdue,
)
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
    "loan_lend",
    "loan_return",
    "loaner_create",
    "loaner_set_status",
    "loans_remind_overdue",
    "part_create",
    "stock_count",
    "stock_move",
    "stock_transfer",
    "stock_verify",
]
