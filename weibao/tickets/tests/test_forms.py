"""Ticket forms parse input into service arguments; template helpers render labels and local times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from weibao.accounts.tests.factories import staff_user
from weibao.customers.tests.factories import (
    ContactFactory,
    CustomerFactory,
    DeliveredSystemFactory,
    SystemModuleFactory,
)
from weibao.tickets.choices import EventKind, Level, Priority, Status
from weibao.tickets.forms import ConsoleFilterForm, LogCallForm, Pickers, PortalFilterForm, pickers_for
from weibao.tickets.forms.actions import AssignForm, CommentForm, EditForm, MergeForm
from weibao.tickets.forms.common import MultipleFileField
from weibao.tickets.models import Category
from weibao.tickets.templatetags.ticket_tags import category_label, event_changes, local_dt, local_dt_wrap
from weibao.tickets.tests.factories import Cast, make_ticket

pytestmark = pytest.mark.django_db


def new(factory: Any, **kwargs: Any) -> Any:
    return factory(**kwargs)


def test_log_call_form_limits_choices_to_the_customer_and_system() -> None:
    customer = new(CustomerFactory)
    mine, other = new(DeliveredSystemFactory, customer=customer), new(DeliveredSystemFactory)
    module = new(SystemModuleFactory, system=mine)
    contact = new(ContactFactory, customer=customer)
    form = LogCallForm(initial={"customer": str(customer.pk), "system": str(mine.pk)})
    assert list(form.fields["system"].queryset) == [mine]  # type: ignore[attr-defined]
    assert list(form.fields["module"].queryset) == [module]  # type: ignore[attr-defined]
    assert list(form.fields["contact"].queryset) == [contact]  # type: ignore[attr-defined]
    bound = LogCallForm({"channel": "phone", "customer": customer.pk, "system": other.pk, "title": "x"})
    assert not bound.is_valid()
    assert "system" in bound.errors


def test_log_call_form_parses_local_time_into_service_arguments() -> None:
    customer = new(CustomerFactory)
    category = Category.objects.get(code="usage-howto")
    with timezone.override("Asia/Shanghai"):
        form = LogCallForm(
            {
                "channel": "im",
                "customer": customer.pk,
                "title": "如何导出报表",
                "reported_at": "2025-03-01T09:30",
                "category": category.pk,
                "urgency": "3",
                "impact": "2",
                "is_emergency": "on",
            }
        )
        assert form.is_valid(), form.errors
        kwargs = form.service_kwargs()
    assert kwargs["reported_at"] == datetime(2025, 3, 1, 1, 30, tzinfo=UTC)
    assert kwargs["customer_id"] == customer.pk
    assert kwargs["category_id"] == category.pk
    assert (kwargs["channel"], kwargs["urgency"], kwargs["impact"], kwargs["is_emergency"]) == (
        "im",
        3,
        2,
        True,
    )
    assert kwargs["contact_id"] is None
    assert kwargs["attachments"] == []


def test_log_call_form_defaults_reported_at_to_now() -> None:
    value = LogCallForm()["reported_at"].value()  # shown in the viewer's (naive) local time
    assert abs((value - timezone.localtime().replace(tzinfo=None)).total_seconds()) < 120


def test_multiple_file_field_returns_a_list() -> None:
    field = MultipleFileField()
    files = [SimpleUploadedFile("a.txt", b"a"), SimpleUploadedFile("b.txt", b"b")]
    assert [f.name for f in field.clean(files)] == ["a.txt", "b.txt"]
    assert field.clean(None) == []


def test_console_filter_form_builds_ticket_filters() -> None:
    form = ConsoleFilterForm(
        {
            "queue": "mine",
            "status": ["new", "pending"],
            "priority": "1",
            "assignee": "me",
            "emergency": "1",
            "q": "打印",
        },
        pickers=Pickers(),
    )
    assert form.is_valid(), form.errors
    filters = form.filters()
    assert filters.queue == "mine"
    assert filters.status == ["new", "pending"]
    assert filters.priority == [1]
    assert filters.assignee == "me"
    assert filters.is_emergency is True
    assert filters.text == "打印"
    assert form.active_count() == 4


def test_console_filter_form_ignores_invalid_values() -> None:
    form = ConsoleFilterForm({"status": ["bogus"], "priority": "9", "q": "x"}, pickers=Pickers())
    assert not form.is_valid()
    filters = form.filters()
    assert filters.status == []
    assert filters.priority == []
    assert filters.text == "x"


def test_portal_filter_form_open_means_the_open_queue() -> None:
    form = PortalFilterForm({"status": "open"})
    form.is_valid()
    assert form.filters().queue == "open"
    form = PortalFilterForm({"status": "closed"})
    form.is_valid()
    assert form.filters().status == ["closed"]


def test_pickers_offer_only_engineers_for_dispatch() -> None:
    agent = staff_user(role_codes=["agent"])
    engineer = staff_user(role_codes=["support_engineer"])
    pm = staff_user(role_codes=["project_manager"])
    pickers = pickers_for(actor=agent)
    engineer_ids = {pk for pk, _label in pickers.engineers}
    assert engineer.pk in engineer_ids
    assert pm.pk in engineer_ids
    assert agent.pk not in engineer_ids
    assert agent.pk in {pk for pk, _label in pickers.staff}


def test_action_forms_map_fields_to_service_arguments() -> None:
    cast = Cast()
    ticket = make_ticket(cast=cast, status=Status.NEW)
    pickers = Pickers(engineers=[(cast.engineer.pk, "e")], staff=[(cast.agent.pk, "a")])
    assign = AssignForm({"assignee": str(cast.engineer.pk), "version": "3"}, ticket=ticket, pickers=pickers)
    assert assign.is_valid(), assign.errors
    assert assign.service_kwargs()["assignee_id"] == cast.engineer.pk
    assert assign.cleaned_data["version"] == 3
    merge = MergeForm({"into_ticket": "1001", "note": "dup"}, ticket=ticket)
    assert merge.is_valid()
    assert merge.service_kwargs() == {"note": "dup"}
    comment = CommentForm({"body": "hi", "internal": "on"}, ticket=ticket)
    assert comment.is_valid()
    assert comment.service_kwargs()["internal"] is False
    edit = EditForm(ticket=ticket)
    assert edit["title"].value() == ticket.title
    assert edit["urgency"].value() == ticket.urgency
    assert AssignForm(ticket=ticket)["version"].value() == ticket.version


def test_category_label_translates_builtin_names_only() -> None:
    network = Category.objects.select_related("parent").get(code="technical-network")
    custom = Category.objects.create(
        code="technical-printer", name="打印机", kind="technical", parent=network.parent
    )
    with translation.override("en"):
        assert category_label(network) == "Technical problem / Network fault"
        assert category_label(custom) == "Technical problem / 打印机"
    assert category_label(None) == ""


def test_local_dt_uses_the_active_time_zone() -> None:
    moment = datetime(2025, 1, 1, 16, 5, tzinfo=UTC)
    with timezone.override("Asia/Shanghai"):
        assert local_dt(moment) == "2025-01-02 00:05"
        assert local_dt(moment.isoformat()) == "2025-01-02 00:05"
        assert "text-nowrap" in local_dt_wrap(moment)
    assert local_dt(None) == ""


def test_event_changes_show_labels() -> None:
    event = SimpleNamespace(
        kind=EventKind.TRANSITION,
        changes={
            "status": [Status.IN_PROGRESS, Status.PENDING],
            "pending_reason": ["", "customer"],
            "priority": [None, Priority.CRITICAL],
            "urgency": [Level.LOW, Level.HIGH],
            "comment": [None, 5],
        },
    )
    with translation.override("en"):
        rows = event_changes(event)
    assert [(r["label"], r["old"], r["new"]) for r in rows] == [
        ("Status", "In progress", "Pending"),
        ("Pending reason", "—", "Waiting for the customer"),
        ("Priority", "—", "Critical"),
        ("Urgency", "Low", "High"),
    ]


def test_edit_form_leaves_untouched_times_alone() -> None:
    """The inputs show minutes only; saving the dialog unchanged must not rewrite reported_at."""
    cast = Cast()
    reported = timezone.now().replace(second=37, microsecond=123000) - timedelta(hours=2)
    ticket = make_ticket(cast=cast, reported_at=reported)
    unbound = EditForm(ticket=ticket)
    data = {name: unbound[name].value() for name in unbound.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["reported_at"] = timezone.localtime(ticket.reported_at).strftime("%Y-%m-%dT%H:%M")
    data["is_emergency"] = ""
    form = EditForm(data, ticket=ticket)
    assert form.is_valid(), form.errors
    changes = form.service_kwargs()["changes"]
    assert "reported_at" not in changes
    assert "problem_started_at" not in changes


def test_first_dispatch_has_no_reason_field_but_reassignment_does() -> None:
    cast = Cast()
    new = make_ticket(cast=cast)
    assert "reason" not in AssignForm(ticket=new).fields
    assigned = make_ticket(cast=cast, status=Status.ASSIGNED)
    assert "reason" in AssignForm(ticket=assigned).fields
