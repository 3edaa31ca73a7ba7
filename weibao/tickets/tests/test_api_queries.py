"""Query counts of the ticket list and ticket detail endpoints (DESIGN.md rule 7).

The list must cost the same number of queries for 5 tickets as for 30: every relation the JSON
shows (customer, system, module, site, contact, assignee, team, category, collaborators, merged
into, escalated to) and every ``allowed_actions`` is answered without a query per ticket.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from weibao.accounts.models import User
from weibao.accounts.tests.factories import staff_user
from weibao.customers.models import Customer
from weibao.customers.tests.factories import ContactFactory, SiteFactory, SystemModuleFactory, portal_user
from weibao.tickets import services
from weibao.tickets.choices import Status
from weibao.tickets.models import Category, Ticket
from weibao.tickets.tests.factories import Cast, make_ticket
from weibao.tickets.tests.test_api import Api, new_customer, new_system, new_team

pytestmark = pytest.mark.django_db

# Token (with its owner), the caller's roles, a portal user's contact, the page, then one query
# each for collaborators, site, contact, module, merged-into, escalated-to, the SLA policy, the SLA
# clocks and their calendars. Fixed, whatever the page size.
LIST_MAX_QUERIES = 13
# Token, roles, a portal user's contact, the ticket with its joins, its collaborators, its SLA clocks
# and their calendars.
DETAIL_MAX_QUERIES = 7

STATUSES = [Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED]


def _rich_tickets(*, n: int, customer: Customer, cast: Cast, helper: User) -> list[Ticket]:
    """Tickets with every relation the JSON renders set, in a mix of statuses."""
    system = new_system(customer)
    module: Any = SystemModuleFactory(system=system)
    site: Any = SiteFactory(customer=customer)
    contact: Any = ContactFactory(customer=customer)
    category = Category.objects.filter(is_active=True).first()
    team = new_team()
    tickets = []
    for i in range(n):
        ticket = make_ticket(
            cast=cast,
            customer=customer,
            status=STATUSES[i % len(STATUSES)],
            system_id=system.pk,
            module_id=module.pk,
            site_id=site.pk,
            contact_id=contact.pk,
            category_id=category.pk if category else None,
        )
        if ticket.status in (Status.NEW, Status.ASSIGNED):
            services.ticket_assign(
                actor=cast.agent,
                ticket_id=ticket.pk,
                assignee_id=cast.engineer.pk,
                team_id=team.pk,
                reason="换组",
            )
            services.ticket_add_collaborator(actor=cast.agent, ticket_id=ticket.pk, user_id=helper.pk)
        elif ticket.status == Status.IN_PROGRESS:
            services.ticket_escalate(
                actor=cast.agent, ticket_id=ticket.pk, reason="需要专家", to_user_id=helper.pk
            )
        tickets.append(ticket)
    # A merged duplicate, so ``merged_into`` is rendered too.
    duplicate = make_ticket(cast=cast, customer=customer)
    services.ticket_merge(actor=cast.agent, ticket_id=duplicate.pk, into_ticket_id=tickets[1].pk)
    return [*tickets, duplicate]


def _list_queries(api: Api, **params: Any) -> tuple[int, int]:
    api.get("/tickets", limit=200)  # warm up: the token's last-used stamp is written once a minute
    with CaptureQueriesContext(connection) as captured:
        response = api.get("/tickets", limit=200, **params)
    assert response.status_code == 200, response.content
    return len(captured), len(response.json()["items"])


@pytest.mark.parametrize("who", ["agent", "engineer", "portal"])
def test_list_queries_do_not_grow_with_the_number_of_tickets(who: str) -> None:
    cast = Cast()
    helper = staff_user(role_codes=["ops_engineer"])
    few, many = new_customer(), new_customer()
    _rich_tickets(n=5, customer=few, cast=cast, helper=helper)
    _rich_tickets(n=30, customer=many, cast=cast, helper=helper)
    users: dict[str, Any] = {"agent": cast.agent, "engineer": cast.engineer}
    counts = {}
    for customer in (few, many):
        user = users.get(who) or portal_user(customer=customer)
        api = Api(user)
        counts[customer.pk] = _list_queries(api, customer=customer.pk)
    (few_queries, few_items), (many_queries, many_items) = counts[few.pk], counts[many.pk]
    assert (few_items, many_items) == (6, 31)
    assert few_queries == many_queries, (few_queries, many_queries)
    assert many_queries <= LIST_MAX_QUERIES


def test_list_endpoint_query_budget(django_assert_max_num_queries: Any) -> None:
    cast = Cast()
    customer = new_customer()
    _rich_tickets(n=30, customer=customer, cast=cast, helper=staff_user(role_codes=["ops_engineer"]))
    api = Api(cast.agent)
    api.get("/tickets")
    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        response = api.get("/tickets", status="assigned,in_progress,resolved", q="打印")
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["agent", "portal"])
def test_detail_endpoint_query_budget(who: str, django_assert_max_num_queries: Any) -> None:
    cast = Cast()
    customer = new_customer()
    tickets = _rich_tickets(n=3, customer=customer, cast=cast, helper=staff_user(role_codes=["ops_engineer"]))
    user = cast.agent if who == "agent" else portal_user(customer=customer)
    api = Api(user)
    api.get(f"/tickets/{tickets[0].pk}")
    for ticket in tickets:
        with django_assert_max_num_queries(DETAIL_MAX_QUERIES):
            response = api.get(f"/tickets/{ticket.pk}")
        assert response.status_code == 200
