"""Replies, internal notes, progress feedback (TRK-1) and what customers can see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from weibao.core.errors import PermissionDenied, ValidationFailed
from weibao.customers.tests.factories import portal_user
from weibao.tickets import selectors, services
from weibao.tickets.choices import Status
from weibao.tickets.models import Ticket
from weibao.tickets.tests.factories import Cast, make_ticket

pytestmark = pytest.mark.django_db


def test_customer_sees_public_replies_not_internal_notes() -> None:
    cast = Cast()
    ticket = make_ticket(status=Status.IN_PROGRESS, cast=cast)
    customer_user = portal_user(customer=ticket.customer)
    services.comment_create(actor=cast.engineer, ticket_id=ticket.pk, body="正在排查")
    services.comment_create(actor=cast.engineer, ticket_id=ticket.pk, body="怀疑是数据库锁", internal=True)
    visible = [c.body for c in selectors.ticket_comments(actor=customer_user, ticket=ticket)]
    assert any("正在排查" in b for b in visible) and not any("数据库锁" in b for b in visible)
    staff_view = selectors.ticket_comments(actor=cast.agent, ticket=ticket)
    assert staff_view.count() == 2
    events = selectors.ticket_events(actor=customer_user, ticket=ticket)
    assert all(not e.is_internal for e in events)
    with pytest.raises(PermissionDenied):
        services.comment_create(actor=customer_user, ticket_id=ticket.pk, body="x", internal=True)


def test_empty_and_script_only_comments_are_refused() -> None:
    cast = Cast()
    ticket = make_ticket(cast=cast)
    with pytest.raises(ValidationFailed):
        services.comment_create(actor=cast.agent, ticket_id=ticket.pk, body="  ")
    with pytest.raises(ValidationFailed):
        services.comment_create(
            actor=cast.agent, ticket_id=ticket.pk, body="<script>x</script>", body_is_html=True
        )
    assert ticket.comments.count() == 0


def test_customer_reply_resumes_a_ticket_waiting_for_the_customer() -> None:
    cast = Cast()
    ticket = make_ticket(status=Status.PENDING, cast=cast)
    customer_user = portal_user(customer=ticket.customer)
    services.comment_create(actor=customer_user, ticket_id=ticket.pk, body="日志已上传")
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and ticket.pending_reason == ""


def test_third_party_pending_is_not_resumed_by_customer_reply() -> None:
    cast = Cast()
    ticket = make_ticket(status=Status.IN_PROGRESS, cast=cast)
    services.ticket_pend(actor=cast.engineer, ticket_id=ticket.pk, reason="third_party")
    services.comment_create(actor=portal_user(customer=ticket.customer), ticket_id=ticket.pk, body="还没好吗")
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING


def test_progress_due_queue_and_recording_an_update() -> None:
    cast = Cast()
    overdue = make_ticket(cast=cast, reported_at=timezone.now() - timedelta(hours=30))
    fresh = make_ticket(cast=cast)
    due = selectors.ticket_list(actor=cast.agent, filters=selectors.TicketFilters(queue="progress_due"))
    assert [t.pk for t in due.items] == [overdue.pk]
    services.progress_record(actor=cast.agent, ticket_id=overdue.pk, body="已电话告知客户处理进度")
    overdue.refresh_from_db()
    assert overdue.last_progress_at is not None
    assert overdue.progress_due_at == overdue.last_progress_at + timedelta(hours=24)
    due = selectors.ticket_list(actor=cast.agent, filters=selectors.TicketFilters(queue="progress_due"))
    assert due.items == []
    assert overdue.comments.get().kind == "progress"
    # A staff public reply also counts as feedback to the customer.
    Ticket.objects.filter(pk=fresh.pk).update(progress_due_at=timezone.now() - timedelta(minutes=1))
    services.comment_create(actor=cast.engineer, ticket_id=fresh.pk, body="已远程登录排查")
    fresh.refresh_from_db()
    assert fresh.progress_due_at is not None and fresh.progress_due_at > timezone.now()


def test_resolved_tickets_are_not_due_progress_updates() -> None:
    cast = Cast()
    ticket = make_ticket(status=Status.RESOLVED, cast=cast)
    assert ticket.progress_due_at is None
    ticket = services.ticket_reopen(actor=cast.agent, ticket_id=ticket.pk, reason="未解决")
    assert ticket.progress_due_at is not None
