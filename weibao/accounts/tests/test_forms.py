"""Form helpers: Tabler classes on widgets, and service errors put back beside their field."""

from __future__ import annotations

import pytest

from weibao.accounts.forms import LoginForm, RoleForm, UserCreateForm
from weibao.accounts.models import Role
from weibao.core.errors import Conflict, ValidationFailed
from weibao.core.forms import add_domain_error


def test_widgets_get_tabler_classes() -> None:
    form = LoginForm()
    assert "form-control" in form.fields["username"].widget.attrs["class"]


@pytest.mark.django_db
def test_select_and_checkbox_classes() -> None:
    form = UserCreateForm()
    assert "form-select" in form.fields["kind"].widget.attrs["class"]
    assert "form-check-input" in form.fields["roles"].widget.attrs["class"]


@pytest.mark.parametrize(
    ("field", "field_map", "expected"),
    [
        ("username", None, "username"),
        ("superior_id", None, "superior"),
        ("team_codes", {"team_codes": "teams"}, "teams"),
        ("nonexistent", None, "__all__"),
        (None, None, "__all__"),
    ],
)
@pytest.mark.django_db
def test_add_domain_error(field: str | None, field_map: dict[str, str] | None, expected: str) -> None:
    form = UserCreateForm(data={"kind": "staff", "username": "x", "password": "y"})
    assert form.is_valid()
    add_domain_error(form, ValidationFailed("Bad.", field=field), field_map=field_map)
    assert form.errors[expected] == ["Bad."]


@pytest.mark.django_db
def test_builtin_role_form_disables_code() -> None:
    form = RoleForm(role=Role.objects.get(code="agent"))
    assert form.fields["code"].disabled
    assert form.fields["is_staff_role"].disabled
    assert not RoleForm().fields["code"].disabled


def test_non_field_error() -> None:
    form = LoginForm(data={"username": "a", "password": "b"})
    assert form.is_valid()
    add_domain_error(form, Conflict("Nope."))
    assert form.non_field_errors() == ["Nope."]
