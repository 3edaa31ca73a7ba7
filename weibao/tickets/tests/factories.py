"""Ticket fixtures built through the real services, so events and timestamps are genuine.

``make_ticket(status="resolved")`` walks a new ticket through the lifecycle up to that status.
"""

from __future__ import annotations

from typing import Any

from weibao.accounts.models import User
from weibao.accounts.tests.factories import staff_user
from weibao.customers.models import Customer
from weibao.customers.tests.factories import CustomerFactory
from weibao.tickets import services
from weibao.tickets.choices import Channel, PendingReason, Status
from weibao.tickets.models import Ticket

# The path from new to each status, as service calls.
_PATHS: dict[str, list[str]] = {
    Status.NEW: [],
    Status.ASSIGNED: ["assign"],
    Status.IN_PROGRESS: ["assign", "start"],
    Status.PENDING: ["assign", "start", "pend"],
    Status.RESOLVED: ["assign", "start", "resolve"],
    Status.VERIFIED: ["assign", "start", "resolve", "verify"],
    Status.CLOSED: ["assign", "start", "resolve", "verify", "close"],
    Status.CANCELLED: ["cancel"],
}


class Cast:
    """The people a ticket test needs, created lazily once per test."""

    def __init__(self) -> None:
        self._agent: User | None = None
        self._engineer: User | None = None

    @property
    def agent(self) -> User:
        if self._agent is None:
            self._agent = staff_user(role_codes=["agent"])
        return self._agent

    @property
    def engineer(self) -> User:
        if self._engineer is None:
            self._engineer = staff_user(role_codes=["support_engineer"])
        return self._engineer


def make_ticket(
    *,
    status: str = Status.NEW,
    customer: Customer | None = None,
    actor: User | None = None,
    agent: User | None = None,
    engineer: User | None = None,
    cast: Cast | None = None,
    **fields: Any,
) -> Ticket:
    """Create a ticket via ``ticket_create`` and move it to ``status`` via the services."""
    cast = cast or Cast()
    agent = agent or cast.agent
    engineer = engineer or cast.engineer
    customer = customer or CustomerFactory.create()
    fields.setdefault("title", "门诊挂号系统无法打印发票")
    fields.setdefault("description", "收费窗口点击打印后没有反应。")
    fields.setdefault("channel", Channel.PHONE)
    ticket = services.ticket_create(actor=actor or agent, customer_id=customer.pk, **fields)
    for step in _PATHS[status]:
        if step == "assign":
            services.ticket_assign(actor=agent, ticket_id=ticket.pk, assignee_id=engineer.pk)
        elif step == "start":
            services.ticket_start(actor=engineer, ticket_id=ticket.pk)
        elif step == "pend":
            services.ticket_pend(actor=engineer, ticket_id=ticket.pk, reason=PendingReason.CUSTOMER)
        elif step == "resolve":
            services.ticket_resolve(
                actor=engineer, ticket_id=ticket.pk, analysis="打印驱动损坏", solution="重装驱动"
            )
        elif step == "verify":
            services.ticket_verify(actor=agent, ticket_id=ticket.pk, note="已电话确认可以打印")
        elif step == "close":
            services.ticket_close(actor=agent, ticket_id=ticket.pk)
        elif step == "cancel":
            services.ticket_cancel(actor=agent, ticket_id=ticket.pk, reason="重复报修")
    ticket.refresh_from_db()
    return ticket
