"""Reads of tools and purchase requests, scoped to the actor: every staff member sees the tool
register (they borrow from each other); purchase requests are the requester's own unless the actor
approves them."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from weibao.core.errors import NotFound, PermissionDenied
from weibao.tools.models import PurchaseRequest, Tool, ToolCheckout
from weibao.tools.permissions import can_approve_purchases, can_use_tools


def _require(actor: Any) -> None:
    if not can_use_tools(user=actor):
        raise PermissionDenied(_("You may not see tools."))


def tool_list(*, actor: Any, mine: bool = False, status: str = "", q: str = "") -> QuerySet[Tool]:
    """Tools with their keeper and open checkout; ``mine``: kept or borrowed by the actor."""
    _require(actor)
    open_checkouts = Prefetch(
        "checkouts",
        queryset=ToolCheckout.objects.filter(returned_at__isnull=True).select_related("borrower"),
        to_attr="open_checkouts",
    )
    qs = Tool.objects.select_related("keeper").prefetch_related(open_checkouts)
    if mine:
        qs = qs.filter(
            Q(keeper=actor) | Q(checkouts__borrower=actor, checkouts__returned_at__isnull=True)
        ).distinct()
    if status:
        qs = qs.filter(status=status)
    if q:
        text = q.strip()[:100]
        qs = qs.filter(Q(code__icontains=text) | Q(name__icontains=text) | Q(serial_number__icontains=text))
    return qs.order_by("code")


def tool_get(*, actor: Any, tool_id: int) -> Tool:
    tool = (
        tool_list(actor=actor)
        .prefetch_related("incidents__reported_by", "incidents__responsible")
        .filter(pk=tool_id)
        .first()
    )
    if tool is None:
        raise NotFound(_("Tool not found."), code="tool_not_found")
    return tool


def tool_checkouts(*, tool: Tool) -> QuerySet[ToolCheckout]:
    return tool.checkouts.select_related("borrower", "handed_by", "returned_to").order_by(
        "-checked_out_at", "-id"
    )


def purchase_list(*, actor: Any, status: str = "") -> QuerySet[PurchaseRequest]:
    """Everyone's requests for approvers, one's own for the others."""
    _require(actor)
    qs = PurchaseRequest.objects.select_related("requested_by", "decided_by")
    if not can_approve_purchases(user=actor):
        qs = qs.filter(requested_by=actor)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-requested_at", "-id")
