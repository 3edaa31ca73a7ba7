"""``load_demo_data``: idempotent, every status and role present, portal users scoped to their customer."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from weibao.accounts.models import AuditEvent, Role, Team, User
from weibao.customers.models import Contact, Customer, DeliveredSystem, Site, SystemModule
from weibao.tickets.choices import Channel, CloseKind, PendingReason, Status
from weibao.tickets.models import Ticket, TicketComment, TicketEvent
from weibao.tickets.selectors import ticket_scope

pytestmark = pytest.mark.django_db

COUNTED: list[type[Any]] = [
    *(User, Role, Team, AuditEvent),
    *(Customer, Site, Contact, DeliveredSystem, SystemModule),
    *(Ticket, TicketComment, TicketEvent),
]
DEMO_USERS = {
    "admin": "admin",
    "agent": "agent",
    "engineer": "support_engineer",
    "ops": "ops_engineer",
    "pm": "project_manager",
    "manager": "service_manager",
    "finance": "finance",
    "customer": "portal",
    "customer2": "portal",
}


def _load() -> str:
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_second_run_changes_nothing() -> None:
    first_output = _load()
    first = _counts()
    tickets = {t.pk: (t.status, t.version, t.updated_at) for t in Ticket.objects.all()}
    second_output = _load()

    assert _counts() == first
    assert {t.pk: (t.status, t.version, t.updated_at) for t in Ticket.objects.all()} == tickets
    assert first["Ticket"] >= 35
    assert "(0 new)" not in first_output
    assert "customers (0 new)" in second_output
    assert "tickets (0 new)" in second_output
    assert "http://127.0.0.1:8000/" in second_output
    assert "weibao-demo" in second_output


def test_every_status_channel_and_special_case_is_present() -> None:
    _load()
    tickets = Ticket.objects.all()
    assert set(tickets.values_list("status", flat=True)) == set(Status.values)
    assert set(tickets.values_list("channel", flat=True)) == set(Channel.values)
    pending_reasons = set(tickets.filter(status=Status.PENDING).values_list("pending_reason", flat=True))
    assert pending_reasons == set(PendingReason.values)
    closed = tickets.filter(status=Status.CLOSED)
    assert set(closed.values_list("close_kind", flat=True)) == set(CloseKind.values)
    assert closed.filter(satisfaction__isnull=False).exists()
    assert closed.filter(satisfaction__isnull=True).exclude(close_kind=CloseKind.MERGED).exists()
    assert tickets.filter(merged_into__isnull=False).count() == 1
    assert tickets.filter(is_emergency=True).exclude(status=Status.CLOSED).exists()
    # Reopened: the timeline shows a transition out of a final or resolved state back to work.
    reopened = TicketEvent.objects.filter(kind="transition", changes__status__0=Status.CLOSED)
    assert reopened.exclude(changes__status__1=Status.CLOSED).exists()
    assert TicketComment.objects.filter(visibility="internal").exists()
    assert TicketComment.objects.filter(kind="progress").exists()
    # Reported over the past weeks, and nothing, not even a simulated step, lies in the future.
    now = timezone.now()
    assert not tickets.filter(reported_at__gt=now).exists()
    assert not TicketEvent.objects.filter(at__gt=now).exists()
    assert (now - tickets.earliest("reported_at").reported_at).days >= 21
    assert all(t.search_document for t in tickets)


def test_every_role_has_a_user_and_demo_accounts_sign_in() -> None:
    _load()
    for role in Role.objects.all():
        assert role.users.exists(), role.code
    for username, role_code in DEMO_USERS.items():
        user = User.objects.get(username=username)
        assert user.check_password("weibao-demo"), username
        assert user.roles.filter(code=role_code).exists(), username
        assert user.display_name
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    manager = User.objects.get(username="manager")
    assert User.objects.get(username="engineer").superior == manager
    assert User.objects.get(username="ops").superior == manager
    members = {t.name: set(t.members.values_list("username", flat=True)) for t in Team.objects.all()}
    assert members["技术支持组"] == {"engineer", "pm"}
    assert members["运维组"] == {"ops"}


def test_portal_users_see_only_their_own_customer() -> None:
    _load()
    hospital = Customer.objects.get(code="demo-hospital")
    customer = User.objects.get(username="customer")
    assert customer.contact.customer == hospital
    visible = ticket_scope(actor=customer)
    assert visible.count() == Ticket.objects.filter(customer=hospital).count() > 0
    assert set(visible.values_list("customer_id", flat=True)) == {hospital.pk}

    customer2 = User.objects.get(username="customer2")
    other = customer2.contact.customer
    assert other != hospital
    assert set(ticket_scope(actor=customer2).values_list("customer_id", flat=True)) == {other.pk}
    assert Ticket.objects.exclude(customer=hospital).exists()
