"""Scoping, filters, queues and keyset pagination of the ticket list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from weibao.accounts.tests.factories import TeamFactory, staff_user
from weibao.core.errors import NotFound, ValidationFailed
from weibao.customers.tests.factories import CustomerFactory, DeliveredSystemFactory, portal_user
from weibao.tickets import selectors, services
from weibao.tickets.choices import Status
from weibao.tickets.models import Category
from weibao.tickets.selectors import TicketFilters, ticket_list
from weibao.tickets.tests.factories import Cast, make_ticket

pytestmark = pytest.mark.django_db


def test_portal_scope_is_own_customer_only() -> None:
    cast = Cast()
    mine = make_ticket(cast=cast)
    theirs = make_ticket(cast=cast)
    user = portal_user(customer=mine.customer)
    assert [t.pk for t in ticket_list(actor=user, filters=TicketFilters()).items] == [mine.pk]
    with pytest.raises(NotFound):
        selectors.ticket_get(actor=user, ticket_id=theirs.pk)
    with pytest.raises(NotFound):
        selectors.ticket_get_by_number(actor=user, number=theirs.number)
    assert selectors.ticket_get(actor=user, ticket_id=mine.pk) == mine


def test_staff_without_view_all_see_only_their_involvement() -> None:
    from weibao.accounts.models import Role

    cast = Cast()
    limited_role = Role.objects.create(code="limited", name="limited", permissions=["ticket.work"])
    limited = staff_user(role_codes=[])
    limited.roles.add(limited_role)
    mine = make_ticket(status=Status.ASSIGNED, cast=cast, engineer=limited)
    make_ticket(cast=cast)
    assert [t.pk for t in ticket_list(actor=limited, filters=TicketFilters()).items] == [mine.pk]


def test_filters() -> None:
    cast = Cast()
    customer = CustomerFactory.create()
    system = DeliveredSystemFactory.create(customer=customer)
    team = TeamFactory.create()
    team.members.add(cast.agent)
    network = Category.objects.get(code="technical-network")
    a = make_ticket(
        cast=cast, customer=customer, system_id=system.pk, category_id=network.pk, is_emergency=True
    )
    b = make_ticket(status=Status.IN_PROGRESS, cast=cast, customer=customer)
    c = make_ticket(status=Status.CLOSED, cast=cast)
    services.ticket_assign(actor=cast.agent, ticket_id=a.pk, team_id=team.pk)

    def ids(**kwargs) -> set[int]:
        return {t.pk for t in ticket_list(actor=cast.agent, filters=TicketFilters(**kwargs)).items}

    assert ids(customer_id=customer.pk) == {a.pk, b.pk}
    assert ids(customer_id=customer.pk, status=["in_progress"]) == {b.pk}
    assert ids(system_id=system.pk) == {a.pk}
    assert ids(category_id=network.parent_id) == {a.pk}  # a parent matches its sub-categories
    assert ids(is_emergency=True) == {a.pk}
    assert ids(team_id=team.pk) == {a.pk}
    assert ids(queue="my_teams") == {a.pk}
    assert ids(assignee=str(cast.engineer.pk)) == {b.pk, c.pk}
    assert ids(assignee="none") == {a.pk}
    assert ids(queue="done") == {c.pk}
    assert ids(queue="emergency") == {a.pk}
    assert ids(priority=[a.priority]) >= {a.pk}
    mine = {t.pk for t in ticket_list(actor=cast.engineer, filters=TicketFilters(queue="mine")).items}
    assert mine == {b.pk}
    with pytest.raises(ValidationFailed):
        ids(status=["bogus"])
    with pytest.raises(ValidationFailed):
        ids(queue="bogus")


def test_text_search_finds_chinese_words_and_numbers() -> None:
    cast = Cast()
    printer = make_ticket(cast=cast, title="收费处打印机卡纸")
    network = make_ticket(cast=cast, title="住院部网络中断", description="交换机指示灯不亮")
    assert [t.pk for t in ticket_list(actor=cast.agent, filters=TicketFilters(text="打印机")).items] == [
        printer.pk
    ]
    assert [t.pk for t in ticket_list(actor=cast.agent, filters=TicketFilters(text="交换机")).items] == [
        network.pk
    ]
    found = ticket_list(actor=cast.agent, filters=TicketFilters(text=str(network.number))).items
    assert [t.pk for t in found] == [network.pk]


def test_keyset_pages_have_no_gaps_or_repeats() -> None:
    cast = Cast()
    base = timezone.now() - timedelta(days=1)
    created = [make_ticket(cast=cast, reported_at=base + timedelta(minutes=i // 2)) for i in range(11)]
    for sort in ("-reported_at", "+reported_at", "priority", "-number"):
        seen: list[int] = []
        cursor = None
        while True:
            page = ticket_list(actor=cast.agent, filters=TicketFilters(), sort=sort, cursor=cursor, limit=3)
            seen += [t.pk for t in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert sorted(seen) == sorted(t.pk for t in created), sort
        assert len(seen) == len(set(seen))
    with pytest.raises(ValidationFailed):
        ticket_list(actor=cast.agent, filters=TicketFilters(), cursor="!!!")
    with pytest.raises(ValidationFailed):
        ticket_list(actor=cast.agent, filters=TicketFilters(), sort="title")


def test_queue_counts_match_the_lists() -> None:
    cast = Cast()
    for status in (Status.NEW, Status.NEW, Status.PENDING, Status.RESOLVED, Status.VERIFIED, Status.CLOSED):
        make_ticket(status=status, cast=cast)
    counts = selectors.ticket_queue_counts(actor=cast.agent)
    for queue, count in counts.items():
        listed = ticket_list(actor=cast.agent, filters=TicketFilters(queue=queue), limit=200).items
        assert len(listed) == count, queue
    assert counts["unassigned"] == 2 and counts["to_verify"] == 1 and counts["to_close"] == 1
    assert selectors.ticket_queue_counts(actor=cast.engineer)["mine"] == 3


def test_unrelated_staff_cannot_read_a_ticket_without_view_all() -> None:
    nobody = staff_user(role_codes=[])
    ticket = make_ticket()
    with pytest.raises(NotFound):
        selectors.ticket_get(actor=nobody, ticket_id=ticket.pk)


def test_portal_search_never_matches_internal_notes() -> None:
    cast = Cast()
    ticket = make_ticket(cast=cast, title="收费处打印机卡纸", status=Status.IN_PROGRESS)
    services.comment_create(actor=cast.engineer, ticket_id=ticket.pk, body="供应商固件有缺陷", internal=True)
    services.comment_create(actor=cast.engineer, ticket_id=ticket.pk, body="已更换硒鼓")
    user = portal_user(customer=ticket.customer)

    def found(text: str) -> list[int]:
        return [t.pk for t in ticket_list(actor=user, filters=TicketFilters(text=text)).items]

    assert found("固件") == []
    assert found("硒鼓") == [ticket.pk]
    assert found("打印机") == [ticket.pk]
    assert found(f"#{ticket.number}") == [ticket.pk]
    # Staff search the full document, notes included.
    assert [t.pk for t in ticket_list(actor=cast.agent, filters=TicketFilters(text="固件")).items] == [
        ticket.pk
    ]


def test_portal_user_whose_contact_was_deactivated_sees_nothing() -> None:
    cast = Cast()
    ticket = make_ticket(cast=cast)
    user = portal_user(customer=ticket.customer)
    user.contact.is_active = False
    user.contact.save()
    user = type(user).objects.get(pk=user.pk)  # a fresh request: nothing cached on the user
    assert ticket_list(actor=user, filters=TicketFilters()).items == []
    with pytest.raises(NotFound):
        selectors.ticket_get(actor=user, ticket_id=ticket.pk)
