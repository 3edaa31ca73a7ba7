"""The console and the ticket page run a constant number of queries, whatever the data (DESIGN rule 7)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from weibao.accounts.tests.factories import TeamFactory, staff_user
from weibao.customers.tests.factories import CustomerFactory, DeliveredSystemFactory, portal_user
from weibao.tickets import services
from weibao.tickets.choices import Status
from weibao.tickets.models import Category
from weibao.tickets.tests.factories import Cast, make_ticket

pytestmark = pytest.mark.django_db

# Upper bounds, so a regression that adds queries (not only one that grows with rows) is noticed.
CONSOLE_MAX_QUERIES = 13
# The ticket page: 20 before SLA, then +2 for ticket_get's prefetch of the clocks and their calendars
# (the badges), +4 for the staff's service-level card (clocks with segments, breaches, alerts sent)
# and +1 for the SLA policy choices of the triage form; +2 for the affected items (ticket_get's prefetch)
# and the contracts that decide who pays for them (AST-2).
TICKET_PAGE_MAX_QUERIES = 29


def _system(customer: Any) -> Any:
    return DeliveredSystemFactory(customer=customer)


def _queries(client: Client, url: str, **params: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _varied_tickets(cast: Cast, count: int) -> None:
    """Tickets of different customers, systems, teams, categories and engineers (every join differs)."""
    categories = list(Category.objects.filter(parent__isnull=False))
    for i in range(count):
        customer: Any = CustomerFactory()
        system: Any = DeliveredSystemFactory(customer=customer)
        ticket = make_ticket(
            cast=cast,
            customer=customer,
            system_id=system.pk,
            category_id=categories[i % len(categories)].pk,
            is_emergency=i % 5 == 0,
        )
        engineer = staff_user(role_codes=["support_engineer"])
        team: Any = TeamFactory()
        services.ticket_assign(
            actor=cast.agent, ticket_id=ticket.pk, assignee_id=engineer.pk, team_id=team.pk
        )


@pytest.mark.parametrize("params", [{"queue": "all"}, {"queue": "open", "q": "打印"}, {"queue": "mine"}])
def test_console_queries_do_not_grow_with_tickets(
    params: dict[str, str], django_assert_max_num_queries: Any
) -> None:
    cast = Cast()
    client = Client()
    client.force_login(cast.agent)
    url = reverse("tickets:console")
    _varied_tickets(cast, 3)
    few = _queries(client, url, **params)
    _varied_tickets(cast, 22)
    many = _queries(client, url, **params)
    assert many == few
    with django_assert_max_num_queries(CONSOLE_MAX_QUERIES):
        client.get(url, params)


def test_console_htmx_partial_queries_do_not_grow(django_assert_max_num_queries: Any) -> None:
    cast = Cast()
    client = Client()
    client.force_login(cast.agent)
    url = reverse("tickets:console")
    _varied_tickets(cast, 3)
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"queue": "all"}, HTTP_HX_REQUEST="true")
    _varied_tickets(cast, 22)
    with CaptureQueriesContext(connection) as many:
        client.get(url, {"queue": "all"}, HTTP_HX_REQUEST="true")
    assert len(many.captured_queries) == len(few.captured_queries)


def _grow_ticket(ticket: Any, cast: Cast, customer_user: Any, count: int) -> None:
    """Comments (public, internal, from the customer) with attachments, and events from many actors."""
    for i in range(count):
        author = staff_user(role_codes=["agent"])
        services.comment_create(
            actor=[author, customer_user, cast.agent][i % 3],
            ticket_id=ticket.pk,
            body=f"第{i}条回复",
            internal=i % 3 == 2,
            attachments=[SimpleUploadedFile(f"log{i}.txt", b"log")],
        )
        services.ticket_add_collaborator(
            actor=cast.agent, ticket_id=ticket.pk, user_id=staff_user(role_codes=["ops_engineer"]).pk
        )


@pytest.mark.parametrize("viewer", ["agent", "engineer", "portal"])
def test_ticket_page_queries_do_not_grow_with_comments_and_events(
    viewer: str, django_assert_max_num_queries: Any
) -> None:
    cast = Cast()
    customer: Any = CustomerFactory()
    customer_user = portal_user(customer=customer)
    ticket = make_ticket(cast=cast, customer=customer, status=Status.IN_PROGRESS)
    client = Client()
    client.force_login({"agent": cast.agent, "engineer": cast.engineer, "portal": customer_user}[viewer])
    url = reverse("tickets:detail", args=[ticket.number])
    _grow_ticket(ticket, cast, customer_user, 3)
    few = _queries(client, url)
    _grow_ticket(ticket, cast, customer_user, 22)
    many = _queries(client, url)
    assert many == few
    with django_assert_max_num_queries(TICKET_PAGE_MAX_QUERIES):
        client.get(url)


def test_portal_list_queries_do_not_grow(django_assert_max_num_queries: Any) -> None:
    cast = Cast()
    customer: Any = CustomerFactory()
    user = portal_user(customer=customer)
    client = Client()
    client.force_login(user)
    url = reverse("tickets:portal_list")
    for _ in range(3):
        make_ticket(cast=cast, customer=customer, system_id=_system(customer).pk)
    few = _queries(client, url)
    for _ in range(22):
        make_ticket(cast=cast, customer=customer, system_id=_system(customer).pk)
    assert _queries(client, url) == few
