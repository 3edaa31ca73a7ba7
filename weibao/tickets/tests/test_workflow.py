"""Every transition of the table, forbidden ones (409, nothing written) and the dispatch rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from weibao.accounts.tests.factories import TeamFactory, staff_user
from weibao.core.errors import Conflict, ValidationFailed
from weibao.customers.tests.factories import CustomerFactory, portal_user
from weibao.tickets import services
from weibao.tickets.choices import CloseKind, EventKind, Status
from weibao.tickets.models import Ticket, TicketEvent
from weibao.tickets.tests.factories import Cast, make_ticket
from weibao.tickets.transitions import TRANSITIONS, Action, action_allowed_in

pytestmark = pytest.mark.django_db


def _run(action: str, ticket: Ticket, cast: Cast, other: Ticket | None = None) -> Ticket:
    a, e = cast.agent, cast.engineer
    calls: dict[str, Any] = {
        Action.ASSIGN: lambda: services.ticket_assign(
            actor=a, ticket_id=ticket.pk, assignee_id=e.pk, reason="换人"
        ),
        Action.START: lambda: services.ticket_start(actor=e, ticket_id=ticket.pk),
        Action.PEND: lambda: services.ticket_pend(actor=e, ticket_id=ticket.pk, reason="customer"),
        Action.RESUME: lambda: services.ticket_resume(actor=e, ticket_id=ticket.pk),
        Action.RESOLVE: lambda: services.ticket_resolve(
            actor=e, ticket_id=ticket.pk, analysis="x", solution="y"
        ),
        Action.VERIFY: lambda: services.ticket_verify(actor=a, ticket_id=ticket.pk, note="ok"),
        Action.CLOSE: lambda: services.ticket_close(actor=a, ticket_id=ticket.pk),
        Action.REOPEN: lambda: services.ticket_reopen(actor=a, ticket_id=ticket.pk, reason="复发"),
        Action.CANCEL: lambda: services.ticket_cancel(actor=a, ticket_id=ticket.pk, reason="误报"),
        Action.MERGE: lambda: services.ticket_merge(actor=a, ticket_id=ticket.pk, into_ticket_id=other.pk),  # type: ignore[union-attr]
    }
    return calls[action]()


@pytest.mark.parametrize("action", list(TRANSITIONS))
@pytest.mark.parametrize("status", Status.values)
def test_transition_table(action: str, status: str) -> None:
    """Allowed pairs reach the table's target; every other pair is a 409 that writes nothing."""
    cast = Cast()
    # The assignee holds work_any so role checks never mask the state machine here.
    cast._engineer = staff_user(role_codes=["support_engineer", "service_manager"])
    ticket = make_ticket(status=status, cast=cast)
    other = make_ticket(customer=ticket.customer, cast=cast)
    version, events = ticket.version, TicketEvent.objects.filter(ticket=ticket).count()
    if action_allowed_in(action=action, status=status):
        result = _run(action, ticket, cast, other)
        expected = TRANSITIONS[action].target
        if expected is None:  # reopen: back to assigned because the ticket has an assignee
            expected = Status.ASSIGNED
        assert result.status == expected
        assert TicketEvent.objects.filter(ticket=ticket).count() > events
    else:
        with pytest.raises(Conflict) as excinfo:
            _run(action, ticket, cast, other)
        assert excinfo.value.code == "invalid_transition"
        ticket.refresh_from_db()
        assert ticket.version == version
        assert ticket.status == status
        assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_full_lifecycle_records_every_step() -> None:
    customer = CustomerFactory.create()
    customer_user = portal_user(customer=customer)
    cast = Cast()
    t = services.ticket_create(actor=customer_user, customer_id=None, title="HIS 登录很慢", channel="portal")
    assert t.contact is not None
    assert t.status == Status.NEW and t.customer == customer and t.contact.user == customer_user
    services.ticket_assign(
        actor=cast.agent, ticket_id=t.pk, assignee_id=cast.engineer.pk, requirements="今天处理"
    )
    services.ticket_start(actor=cast.engineer, ticket_id=t.pk)
    services.ticket_pend(actor=cast.engineer, ticket_id=t.pk, reason="customer", note="等待日志")
    services.ticket_resume(actor=cast.engineer, ticket_id=t.pk)
    services.ticket_resolve(actor=cast.engineer, ticket_id=t.pk, analysis="索引缺失", solution="重建索引")
    services.ticket_verify(actor=cast.agent, ticket_id=t.pk, note="已回访，登录正常")
    t = services.ticket_close(actor=customer_user, ticket_id=t.pk, score=5, comment="很快")
    assert (t.status, t.close_kind, t.satisfaction) == (Status.CLOSED, CloseKind.CONFIRMED, 5)
    kinds = list(TicketEvent.objects.filter(ticket=t).values_list("kind", flat=True))
    assert kinds[0] == EventKind.CREATED and EventKind.ASSIGNED in kinds and EventKind.RATED in kinds
    # The verification note reached the customer as a public reply.
    assert t.comments.filter(visibility="public", body__contains="已回访").exists()


def test_reassign_needs_reason_and_keeps_history() -> None:
    cast = Cast()
    ticket = make_ticket(status=Status.IN_PROGRESS, cast=cast)
    other = staff_user(role_codes=["ops_engineer"])
    with pytest.raises(Conflict) as excinfo:
        services.ticket_assign(actor=cast.agent, ticket_id=ticket.pk, assignee_id=other.pk)
    assert excinfo.value.code == "already_assigned"
    team = TeamFactory.create()
    ticket = services.ticket_assign(
        actor=cast.agent, ticket_id=ticket.pk, assignee_id=other.pk, team_id=team.pk, reason="需要运维"
    )
    assert (ticket.assignee, ticket.team, ticket.status) == (other, team, Status.ASSIGNED)
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNED).last()
    assert event is not None and event.note == "需要运维"
    assert event.changes["assignee"] == [str(cast.engineer), str(other)]


def test_assign_validation() -> None:
    cast = Cast()
    ticket = make_ticket(cast=cast)
    finance = staff_user(role_codes=["finance"])
    with pytest.raises(ValidationFailed) as excinfo:
        services.ticket_assign(actor=cast.agent, ticket_id=ticket.pk, assignee_id=finance.pk)
    assert excinfo.value.field == "assignee_id"
    with pytest.raises(ValidationFailed):
        services.ticket_assign(actor=cast.agent, ticket_id=ticket.pk)
    with pytest.raises(ValidationFailed) as excinfo:
        services.ticket_assign(
            actor=cast.agent,
            ticket_id=ticket.pk,
            assignee_id=cast.engineer.pk,
            deadline=timezone.now() - timedelta(hours=1),
        )
    assert excinfo.value.field == "deadline"
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and ticket.assignee is None


def test_stale_version_is_a_conflict_and_writes_nothing() -> None:
    cast = Cast()
    ticket = make_ticket(cast=cast)
    stale = ticket.version
    services.ticket_update(actor=cast.agent, ticket_id=ticket.pk, version=stale, changes={"title": "A"})
    with pytest.raises(Conflict) as excinfo:
        services.ticket_update(actor=cast.agent, ticket_id=ticket.pk, version=stale, changes={"title": "B"})
    assert excinfo.value.code == "stale_version"
    ticket.refresh_from_db()
    assert ticket.title == "A"


def test_pend_other_needs_note_and_resolve_needs_analysis() -> None:
    cast = Cast()
    ticket = make_ticket(status=Status.IN_PROGRESS, cast=cast)
    with pytest.raises(ValidationFailed) as excinfo:
        services.ticket_pend(actor=cast.engineer, ticket_id=ticket.pk, reason="other")
    assert excinfo.value.field == "note"
    with pytest.raises(ValidationFailed):
        services.ticket_pend(actor=cast.engineer, ticket_id=ticket.pk, reason="bogus")
    with pytest.raises(ValidationFailed) as excinfo:
        services.ticket_resolve(actor=cast.engineer, ticket_id=ticket.pk, analysis=" ", solution="x")
    assert excinfo.value.field == "analysis"
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS


def test_reopen_clears_closure_and_rating_but_events_keep_them() -> None:
    cast = Cast()
    ticket = make_ticket(status=Status.VERIFIED, cast=cast)
    services.ticket_close(actor=cast.agent, ticket_id=ticket.pk, score=2, comment="慢")
    with pytest.raises(ValidationFailed):
        services.ticket_reopen(actor=cast.agent, ticket_id=ticket.pk, reason="")
    ticket = services.ticket_reopen(actor=cast.agent, ticket_id=ticket.pk, reason="问题复现")
    assert ticket.status == Status.ASSIGNED
    assert ticket.satisfaction is None and ticket.closed_at is None and ticket.resolved_at is None
    event = TicketEvent.objects.filter(ticket=ticket).last()
    assert event is not None and event.changes["satisfaction"] == [2, None] and event.note == "问题复现"


def test_rating_rules() -> None:
    cast = Cast()
    ticket = make_ticket(status=Status.VERIFIED, cast=cast)
    with pytest.raises(ValidationFailed):
        services.ticket_rate(actor=cast.agent, ticket_id=ticket.pk, score=6)
    services.ticket_rate(actor=cast.agent, ticket_id=ticket.pk, score=3, comment="一般")
    with pytest.raises(Conflict) as excinfo:
        services.ticket_rate(actor=cast.agent, ticket_id=ticket.pk, score=5)
    assert excinfo.value.code == "already_rated"


def test_merge_keeps_history_and_tells_the_reporter() -> None:
    cast = Cast()
    original = make_ticket(cast=cast)
    duplicate = make_ticket(customer=original.customer, cast=cast)
    foreign = make_ticket(cast=cast)
    with pytest.raises(ValidationFailed):
        services.ticket_merge(actor=cast.agent, ticket_id=duplicate.pk, into_ticket_id=foreign.pk)
    with pytest.raises(ValidationFailed):
        services.ticket_merge(actor=cast.agent, ticket_id=duplicate.pk, into_ticket_id=duplicate.pk)
    duplicate = services.ticket_merge(actor=cast.agent, ticket_id=duplicate.pk, into_ticket_id=original.pk)
    assert (duplicate.status, duplicate.close_kind, duplicate.merged_into) == (
        Status.CLOSED,
        CloseKind.MERGED,
        original,
    )
    assert TicketEvent.objects.filter(ticket=original, kind=EventKind.MERGED_IN).exists()
    notice = duplicate.comments.get(visibility="public")
    assert f"#{original.number}" in notice.body
    with pytest.raises(Conflict):
        services.ticket_reopen(actor=cast.agent, ticket_id=duplicate.pk, reason="x")
    closed = make_ticket(status=Status.CLOSED, customer=original.customer, cast=cast)
    third = make_ticket(customer=original.customer, cast=cast)
    with pytest.raises(Conflict):
        services.ticket_merge(actor=cast.agent, ticket_id=third.pk, into_ticket_id=closed.pk)


def test_auto_close_after_configured_days_is_idempotent() -> None:
    from weibao.tickets.services import ticket_auto_close
    from weibao.tickets.tasks import auto_close_verified_tickets

    cast = Cast()
    old = make_ticket(status=Status.VERIFIED, cast=cast)
    recent = make_ticket(status=Status.VERIFIED, cast=cast)
    Ticket.objects.filter(pk=old.pk).update(verified_at=timezone.now() - timedelta(days=4))
    assert auto_close_verified_tickets() == 1
    assert auto_close_verified_tickets() == 0
    assert ticket_auto_close(ticket_id=old.pk) is False
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.close_kind) == (Status.CLOSED, CloseKind.AUTO)
    assert recent.status == Status.VERIFIED
    assert (
        TicketEvent.objects.filter(ticket=old, actor__isnull=True, changes__close_kind=["", "auto"]).count()
        == 1
    )
