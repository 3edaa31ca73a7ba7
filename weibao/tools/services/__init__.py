"""Every state change of tools and purchase requests (DESIGN.md rule 1). Interfaces import from here."""

from weibao.tools.services.purchases import purchase_advance, purchase_request
from weibao.tools.services.tools import (
    tool_check_out,
    tool_decide_incident,
    tool_hand_over,
    tool_register,
    tool_report_incident,
    tool_return,
)

__all__ = [
    "purchase_advance",
    "purchase_request",
    "tool_check_out",
    "tool_decide_incident",
    "tool_hand_over",
    "tool_register",
    "tool_report_incident",
    "tool_return",
]
