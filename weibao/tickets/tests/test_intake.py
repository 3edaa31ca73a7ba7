"""Intake: validation before any write, attachments limits, triage and priority (INT-1/2, TRI-1/2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from weibao.accounts.tests.factories import staff_user
from weibao.core.errors import NotFound, PayloadTooLarge, PermissionDenied, ValidationFailed
from weibao.customers.tests.factories import (
    CustomerFactory,
    DeliveredSystemFactory,
    SystemModuleFactory,
    portal_user,
)
from weibao.tickets import services
from weibao.tickets.choices import Level, Priority
from weibao.tickets.models import Category, PriorityRule, Ticket, TicketAttachment, TicketEvent
from weibao.tickets.tests.factories import Cast, make_ticket

pytestmark = pytest.mark.django_db


def _create(**kwargs):
    agent = kwargs.pop("actor", None) or staff_user(role_codes=["agent"])
    kwargs.setdefault("customer_id", CustomerFactory.create().pk)
    kwargs.setdefault("title", "网络中断")
    kwargs.setdefault("channel", "phone")
    return services.ticket_create(actor=agent, **kwargs)


def test_numbers_are_sequential_and_unique() -> None:
    first, second = _create(), _create()
    assert second.number == first.number + 1


def test_phone_call_logged_afterwards_keeps_reported_at() -> None:
    reported = timezone.now() - timedelta(hours=3)
    started = reported - timedelta(hours=1)
    ticket = _create(reported_at=reported, problem_started_at=started, reporter_phone="0571-1234")
    assert ticket.reported_at == reported and ticket.problem_started_at == started
    assert ticket.created_at > reported


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reported_at": timezone.now() + timedelta(hours=1)}, "reported_at"),
        ({"problem_started_at": timezone.now() + timedelta(hours=1)}, "problem_started_at"),
        (
            {
                "reported_at": timezone.now() - timedelta(hours=2),
                "problem_started_at": timezone.now() - timedelta(hours=1),
            },
            "problem_started_at",
        ),
        ({"title": "   "}, "title"),
        ({"channel": "fax"}, "channel"),
        ({"customer_id": None}, "customer_id"),
        ({"urgency": 9}, "urgency"),
        ({"category_id": 999999}, "category_id"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(kwargs: dict, field: str) -> None:
    before = Ticket.objects.count()
    with pytest.raises(ValidationFailed) as excinfo:
        _create(**kwargs)
    assert excinfo.value.field == field
    assert Ticket.objects.count() == before
    assert TicketEvent.objects.count() == 0


def test_references_must_belong_to_the_customer() -> None:
    customer = CustomerFactory.create()
    foreign_system = DeliveredSystemFactory.create()
    with pytest.raises(ValidationFailed) as excinfo:
        _create(customer_id=customer.pk, system_id=foreign_system.pk)
    assert excinfo.value.field == "system_id"
    system = DeliveredSystemFactory.create(customer=customer)
    other_module = SystemModuleFactory.create()
    with pytest.raises(ValidationFailed) as excinfo:
        _create(customer_id=customer.pk, system_id=system.pk, module_id=other_module.pk)
    assert excinfo.value.field == "module_id"
    module = SystemModuleFactory.create(system=system)
    ticket = _create(customer_id=customer.pk, system_id=system.pk, module_id=module.pk)
    assert ticket.module == module


def test_priority_comes_from_the_configurable_matrix_and_emergency_is_critical() -> None:
    ticket = _create(urgency=Level.HIGH, impact=Level.HIGH)
    assert ticket.priority == Priority.CRITICAL
    ticket = _create(urgency=Level.LOW, impact=Level.LOW)
    assert ticket.priority == Priority.LOW
    PriorityRule.objects.filter(urgency=Level.LOW, impact=Level.LOW).update(priority=Priority.HIGH)
    assert _create(urgency=Level.LOW, impact=Level.LOW).priority == Priority.HIGH
    emergency = _create(urgency=Level.LOW, impact=Level.LOW, is_emergency=True)
    assert emergency.priority == Priority.CRITICAL and emergency.is_emergency
    assert TicketEvent.objects.get(ticket=emergency).changes["is_emergency"] == [None, True]


def test_category_and_triage_update_recomputes_priority() -> None:
    cast = Cast()
    ticket = make_ticket(cast=cast, urgency=Level.MEDIUM, impact=Level.MEDIUM)
    sub = Category.objects.get(code="technical-network")
    ticket = services.ticket_update(
        actor=cast.agent,
        ticket_id=ticket.pk,
        version=ticket.version,
        changes={"category_id": sub.pk, "urgency": Level.HIGH, "impact": Level.HIGH},
    )
    assert ticket.category == sub and ticket.priority == Priority.CRITICAL
    event = TicketEvent.objects.filter(ticket=ticket).last()
    assert event is not None and event.changes["priority"] == [Priority.NORMAL, Priority.CRITICAL]
    with pytest.raises(ValidationFailed):
        services.ticket_update(actor=cast.agent, ticket_id=ticket.pk, changes={"status": "closed"})


def test_portal_user_reports_only_for_own_customer() -> None:
    customer = CustomerFactory.create()
    user = portal_user(customer=customer)
    ticket = services.ticket_create(actor=user, customer_id=None, title="无法登录", channel="portal")
    assert ticket.customer == customer and ticket.reporter_name == user.contact.name
    with pytest.raises(NotFound):
        services.ticket_create(
            actor=user, customer_id=CustomerFactory.create().pk, title="x", channel="portal"
        )
    with pytest.raises(ValidationFailed):
        services.ticket_create(actor=user, customer_id=None, title="x", channel="phone")


def test_finance_cannot_create() -> None:
    with pytest.raises(PermissionDenied):
        _create(actor=staff_user(role_codes=["finance"]))


def test_html_description_is_sanitised_and_text_is_escaped() -> None:
    ticket = _create(
        description='<p onclick="x()">打印<script>alert(1)</script></p>', description_is_html=True
    )
    assert "script" not in ticket.description and "onclick" not in ticket.description
    assert "打印" in ticket.description
    ticket = _create(description="<b>not html</b>\n第二行")
    assert "&lt;b&gt;" in ticket.description and "<br>" in ticket.description


def test_attachment_limits_are_checked_before_writing(tmp_path, settings) -> None:
    # All through the settings fixture: mixing it with @override_settings restored the decorator's
    # values at teardown and leaked the 1 KB limit into later tests of the same worker.
    settings.ATTACHMENT_MAX_BYTES, settings.ATTACHMENT_MAX_FILES = 1024, 2
    settings.MEDIA_ROOT = tmp_path
    big = SimpleUploadedFile("screen.png", b"x" * 2048, content_type="image/png")
    with pytest.raises(PayloadTooLarge):
        _create(attachments=[big])
    exe = SimpleUploadedFile("virus.exe", b"MZ", content_type="image/png")
    with pytest.raises(ValidationFailed) as excinfo:
        _create(attachments=[exe])
    assert excinfo.value.code == "file_type_not_allowed"
    many = [SimpleUploadedFile(f"{i}.txt", b"x") for i in range(3)]
    with pytest.raises(ValidationFailed):
        _create(attachments=many)
    assert Ticket.objects.count() == 0 and TicketAttachment.objects.count() == 0
    ok = SimpleUploadedFile("日志.log", b"error at 10:00", content_type="text/html")
    ticket = _create(attachments=[ok])
    attachment = ticket.attachments.get()
    # The stored type comes from the allowed extension, not from the client's header.
    assert attachment.filename == "日志.log" and attachment.content_type == "text/plain"
    assert attachment.file.read() == b"error at 10:00"
