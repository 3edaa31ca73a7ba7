"""Forms for sign-in, tokens and the administration pages. They parse; services validate."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from weibao.accounts.choices import Perm, UserKind
from weibao.accounts.models import Role, Team, User
from weibao.core.forms import TablerFormMixin


class WeibaoForm(TablerFormMixin, forms.Form):
    """Plain form rendered with Tabler markup by ``accounts/partials/form_fields.html``."""


class LoginForm(WeibaoForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(render_value=False), strip=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class TokenCreateForm(WeibaoForm):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the monitoring bridge."),
    )


class UserModelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.username})"


def _staff_queryset() -> Any:
    return User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by("username")


class UserFilterForm(WeibaoForm):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *UserKind.choices]
    )
    role = forms.ModelChoiceField(
        label=_("Role"),
        required=False,
        queryset=Role.objects.all(),
        to_field_name="code",
        empty_label=_("All roles"),
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        required=False,
        queryset=Team.objects.all(),
        to_field_name="code",
        empty_label=_("All teams"),
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("active", _("Active")), ("inactive", _("Deactivated")), ("all", _("All"))],
    )


class UserProfileFields(WeibaoForm):
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)


class MembershipFields(forms.Form):
    """Roles, teams and superior: the same fields on the create and the edit form."""

    roles = forms.ModelMultipleChoiceField(
        label=_("Roles"),
        required=False,
        queryset=Role.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"),
        required=False,
        queryset=Team.objects.filter(is_active=True),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    superior = UserModelChoiceField(label=_("Superior"), required=False, queryset=_staff_queryset())


class UserCreateForm(UserProfileFields, MembershipFields):
    field_order = [
        "kind",
        "username",
        "display_name",
        "email",
        "phone",
        "password",
        "roles",
        "teams",
        "superior",
    ]

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=UserKind.choices,
        help_text=_(
            "Portal users see only their own customer. Link them to a contact on the customer's page, "
            "or create the login there directly."
        ),
    )
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, strip=False)


class UserEditForm(UserProfileFields, MembershipFields):
    field_order = ["display_name", "email", "phone", "time_zone", "language", "roles", "teams", "superior"]

    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        required=False,
        help_text=_("e.g. Asia/Shanghai; empty for the default"),
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("Default")), *settings.LANGUAGES]
    )

    def __init__(self, *args: Any, target: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles_field = self.fields["roles"]
        assert isinstance(roles_field, forms.ModelMultipleChoiceField)
        roles_field.queryset = Role.objects.filter(is_staff_role=target.kind == UserKind.STAFF)
        superior_field = self.fields["superior"]
        assert isinstance(superior_field, forms.ModelChoiceField)
        superior_field.queryset = _staff_queryset().exclude(pk=target.pk)
        if target.kind != UserKind.STAFF:
            del self.fields["teams"]
            del self.fields["superior"]


class PasswordResetForm(WeibaoForm):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput, strip=False)
    password_again = forms.CharField(label=_("New password again"), widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class RoleForm(WeibaoForm):
    code = forms.SlugField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_staff_role = forms.BooleanField(
        label=_("Staff role"), required=False, initial=True, help_text=_("Unticked: a role for portal users.")
    )
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"), required=False, choices=Perm.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, role: Role | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if role is not None and role.is_builtin:
            # Shown but not editable: code elsewhere refers to built-in roles by code and kind.
            for name in ("code", "is_staff_role"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Built-in roles keep their code and kind.")


class TeamForm(WeibaoForm):
    code = forms.SlugField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lead = UserModelChoiceField(label=_("Lead"), required=False, queryset=_staff_queryset())
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        required=False,
        queryset=_staff_queryset(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("The lead is always a member."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class OwnPasswordForm(TablerFormMixin, forms.Form):
    current_password = forms.CharField(
        label=_("Current password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password_again = forms.CharField(
        label=_("New password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two passwords differ."))
        return data
