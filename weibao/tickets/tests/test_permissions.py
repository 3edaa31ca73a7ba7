"""Permission matrix: every built-in role x every ticket action; a denial changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from weibao.accounts.tests.factories import staff_user
from weibao.core.errors import PermissionDenied
from weibao.customers.tests.factories import CustomerFactory, portal_user
from weibao.tickets import services
from weibao.tickets.choices import Status
from weibao.tickets.models import Ticket, TicketEvent
from weibao.tickets.tests.factories import Cast, make_ticket

ROLES = [
    "agent",
    "support_engineer",
    "ops_engineer",
    "project_manager",
    "service_manager",
    "finance",
    "admin",
    "portal",
]

# action -> (status the ticket is in, roles allowed). Engineers here are NOT the assignee: the
# assignee's own rights are tested separately below.
MATRIX: dict[str, tuple[str, set[str]]] = {
    "assign": (Status.NEW, {"agent", "project_manager", "service_manager", "admin"}),
    "start": (Status.ASSIGNED, {"project_manager", "service_manager", "admin"}),
    "pend": (Status.IN_PROGRESS, {"project_manager", "service_manager", "admin"}),
    "resume": (Status.PENDING, {"project_manager", "service_manager", "admin"}),
    "resolve": (Status.IN_PROGRESS, {"project_manager", "service_manager", "admin"}),
    "verify": (Status.RESOLVED, {"agent", "service_manager", "admin"}),
    "close": (Status.VERIFIED, {"agent", "service_manager", "admin", "portal"}),
    "rate": (Status.VERIFIED, {"agent", "service_manager", "admin", "portal"}),
    "reopen": (Status.CLOSED, {"agent", "service_manager", "admin", "portal"}),
    "cancel": (Status.NEW, {"agent", "service_manager", "admin"}),
    "merge": (Status.NEW, {"agent", "service_manager", "admin"}),
    "comment": (
        Status.IN_PROGRESS,
        {
            "agent",
            "support_engineer",
            "ops_engineer",
            "project_manager",
            "service_manager",
            "admin",
            "portal",
        },
    ),
    "note": (
        Status.IN_PROGRESS,
        {"agent", "support_engineer", "ops_engineer", "project_manager", "service_manager", "admin"},
    ),
    "progress": (Status.IN_PROGRESS, {"agent", "service_manager", "admin"}),
    "edit": (
        Status.NEW,
        {"agent", "support_engineer", "ops_engineer", "project_manager", "service_manager", "admin"},
    ),
    "escalate": (Status.ASSIGNED, {"agent", "project_manager", "service_manager", "admin"}),
}


def _call(action: str, actor: Any, ticket: Ticket, other: Ticket, helper: Any) -> Callable[[], Any]:
    calls: dict[str, Callable[[], Any]] = {
        "assign": lambda: services.ticket_assign(actor=actor, ticket_id=ticket.pk, assignee_id=helper.pk),
        "start": lambda: services.ticket_start(actor=actor, ticket_id=ticket.pk),
        "pend": lambda: services.ticket_pend(actor=actor, ticket_id=ticket.pk, reason="customer"),
        "resume": lambda: services.ticket_resume(actor=actor, ticket_id=ticket.pk),
        "resolve": lambda: services.ticket_resolve(
            actor=actor, ticket_id=ticket.pk, analysis="a", solution="s"
        ),
        "verify": lambda: services.ticket_verify(actor=actor, ticket_id=ticket.pk, note="已确认"),
        "close": lambda: services.ticket_close(actor=actor, ticket_id=ticket.pk),
        "rate": lambda: services.ticket_rate(actor=actor, ticket_id=ticket.pk, score=4),
        "reopen": lambda: services.ticket_reopen(actor=actor, ticket_id=ticket.pk, reason="又坏了"),
        "cancel": lambda: services.ticket_cancel(actor=actor, ticket_id=ticket.pk, reason="误报"),
        "merge": lambda: services.ticket_merge(actor=actor, ticket_id=ticket.pk, into_ticket_id=other.pk),
        "comment": lambda: services.comment_create(actor=actor, ticket_id=ticket.pk, body="你好"),
        "note": lambda: services.comment_create(actor=actor, ticket_id=ticket.pk, body="内部", internal=True),
        "progress": lambda: services.progress_record(actor=actor, ticket_id=ticket.pk, body="仍在处理"),
        "edit": lambda: services.ticket_update(actor=actor, ticket_id=ticket.pk, changes={"title": "新标题"}),
        "escalate": lambda: services.ticket_escalate(
            actor=actor, ticket_id=ticket.pk, reason="需要支援", to_user_id=helper.pk
        ),
    }
    return calls[action]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MATRIX))
def test_permission_matrix(action: str, role: str) -> None:
    status, allowed = MATRIX[action]
    customer = CustomerFactory.create()
    cast = Cast()
    ticket = make_ticket(status=status, customer=customer, cast=cast)
    other = make_ticket(customer=customer, cast=cast)
    helper = staff_user(role_codes=["support_engineer"])
    actor = portal_user(customer=customer) if role == "portal" else staff_user(role_codes=[role])
    call = _call(action, actor, ticket, other, helper)
    before_version = ticket.version
    before_events = TicketEvent.objects.filter(ticket=ticket).count()
    if role in allowed:
        call()
        ticket.refresh_from_db()
        assert ticket.version > before_version
    else:
        with pytest.raises(PermissionDenied):
            call()
        ticket.refresh_from_db()
        assert ticket.version == before_version
        assert TicketEvent.objects.filter(ticket=ticket).count() == before_events
        assert ticket.comments.filter(author=actor).count() == 0


@pytest.mark.django_db
def test_assigned_engineer_works_own_ticket_but_not_others() -> None:
    cast = Cast()
    mine = make_ticket(status=Status.ASSIGNED, cast=cast)
    services.ticket_start(actor=cast.engineer, ticket_id=mine.pk)
    someone_else = staff_user(role_codes=["ops_engineer"])
    theirs = make_ticket(status=Status.ASSIGNED, cast=cast, engineer=someone_else)
    with pytest.raises(PermissionDenied):
        services.ticket_start(actor=cast.engineer, ticket_id=theirs.pk)


@pytest.mark.django_db
def test_collaborator_may_work_and_escalated_superior_joins() -> None:
    cast = Cast()
    superior = staff_user(role_codes=["support_engineer"])
    cast.engineer.superior = superior
    cast.engineer.save()
    ticket = make_ticket(status=Status.IN_PROGRESS, cast=cast)
    services.ticket_escalate(actor=cast.engineer, ticket_id=ticket.pk, reason="数据库问题需要支援")
    ticket.refresh_from_db()
    assert ticket.escalated_to == superior
    assert superior in ticket.collaborators.all()
    services.ticket_pend(actor=superior, ticket_id=ticket.pk, reason="third_party")
    colleague = staff_user(role_codes=["ops_engineer"])
    services.ticket_add_collaborator(actor=cast.engineer, ticket_id=ticket.pk, user_id=colleague.pk)
    services.ticket_resume(actor=colleague, ticket_id=ticket.pk)


@pytest.mark.django_db
def test_portal_user_of_another_customer_gets_not_found() -> None:
    from weibao.core.errors import NotFound

    ticket = make_ticket(status=Status.VERIFIED)
    stranger = portal_user(customer=CustomerFactory.create())
    with pytest.raises(NotFound):
        services.ticket_close(actor=stranger, ticket_id=ticket.pk)
    with pytest.raises(NotFound):
        services.comment_create(actor=stranger, ticket_id=ticket.pk, body="hi")
    ticket.refresh_from_db()
    assert ticket.status == Status.VERIFIED
