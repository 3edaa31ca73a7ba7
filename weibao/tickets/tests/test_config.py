"""Desk configuration services: settings, categories and the priority matrix."""

from __future__ import annotations

from datetime import timedelta

import pytest

from weibao.accounts.tests.factories import staff_user
from weibao.core.errors import PermissionDenied, ValidationFailed
from weibao.tickets import services
from weibao.tickets.choices import Level, Priority
from weibao.tickets.models import Category, DeskSettings, PriorityRule
from weibao.tickets.tests.factories import Cast, make_ticket

pytestmark = pytest.mark.django_db


def test_only_config_managers_change_settings() -> None:
    with pytest.raises(PermissionDenied):
        services.desk_settings_update(
            actor=staff_user(role_codes=["agent"]), auto_close_days=5, progress_interval_hours=8
        )
    assert DeskSettings.objects.get(pk=1).auto_close_days == 3


def test_interval_change_moves_open_tickets_due_times() -> None:
    cast = Cast()
    ticket = make_ticket(cast=cast)
    admin = staff_user(role_codes=["admin"])
    with pytest.raises(ValidationFailed) as excinfo:
        services.desk_settings_update(actor=admin, auto_close_days=0, progress_interval_hours=8)
    assert excinfo.value.field == "auto_close_days"
    services.desk_settings_update(actor=admin, auto_close_days=5, progress_interval_hours=8)
    ticket.refresh_from_db()
    assert ticket.progress_due_at == ticket.reported_at + timedelta(hours=8)


def test_categories_are_two_levels_of_one_kind() -> None:
    admin = staff_user(role_codes=["admin"])
    technical = Category.objects.get(code="technical")
    sub = services.category_save(
        actor=admin, code="technical-db", name="数据库", kind="technical", parent_id=technical.pk
    )
    assert sub.parent == technical
    with pytest.raises(ValidationFailed):
        services.category_save(actor=admin, code="x", name="x", kind="usage", parent_id=technical.pk)
    with pytest.raises(ValidationFailed):
        services.category_save(actor=admin, code="y", name="y", kind="technical", parent_id=sub.pk)
    with pytest.raises(ValidationFailed):
        services.category_save(actor=admin, code="technical-db", name="dup", kind="technical")
    edited = services.category_save(
        actor=admin,
        category_id=sub.pk,
        code="technical-db",
        name="数据库故障",
        kind="technical",
        parent_id=technical.pk,
    )
    assert edited.name == "数据库故障"


def test_matrix_must_be_complete() -> None:
    admin = staff_user(role_codes=["admin"])
    cells = {(u, i): Priority.LOW for u in Level.values for i in Level.values}
    with pytest.raises(ValidationFailed):
        services.priority_matrix_update(actor=admin, cells={(1, 1): Priority.LOW})
    services.priority_matrix_update(actor=admin, cells=cells)
    assert set(PriorityRule.objects.values_list("priority", flat=True)) == {Priority.LOW}
