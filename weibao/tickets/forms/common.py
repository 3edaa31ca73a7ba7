"""Shared form pieces: local date-time and multi-file fields, star ratings, category and people pickers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.accounts.choices import Perm
from weibao.accounts.models import Team, User
from weibao.core.forms import TablerFormMixin
from weibao.tickets.choices import CategoryKind, Level
from weibao.tickets.selectors import category_options
from weibao.tickets.templatetags.ticket_tags import category_label

WORK_PERMS = frozenset({Perm.TICKET_WORK.value, Perm.TICKET_WORK_ANY.value})


class DateTimeLocalInput(forms.DateTimeInput):
    """``<input type="datetime-local">``: the browser shows the viewer's local time; Django makes it aware
    in the active (the user's) time zone when parsing."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class LocalDateTimeField(forms.DateTimeField):
    widget = DateTimeLocalInput


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"class": "form-control", **(attrs or {})})


class MultipleFileField(forms.FileField):
    """Several files in one input; size and type limits are the services' (413 beside the field)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class StarRadioSelect(forms.RadioSelect):
    """1-5 stars; rendered as a button group by ``components/field.html`` (``data-stars``)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"data-stars": "1", **(attrs or {})})


def level_field(label: Any, *, required: bool = False, **kwargs: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=Level.choices,
        coerce=int,
        required=required,
        initial=Level.MEDIUM,
        **kwargs,
    )


def score_field(*, required: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Satisfaction"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=required,
        widget=StarRadioSelect(),
    )


class WeibaoForm(TablerFormMixin, forms.Form):
    """A plain form with Tabler classes, rendered field by field by ``components/field.html``."""


def category_choices() -> list[Any]:
    """Active categories grouped by kind, each with its translated label (built-in ones)."""
    groups: dict[str, list[tuple[int, str]]] = {kind: [] for kind in CategoryKind.values}
    for category in category_options():
        groups.setdefault(category.kind, []).append((category.pk, category_label(category)))
    return [("", "---------")] + [(CategoryKind(kind).label, rows) for kind, rows in groups.items() if rows]


@dataclass
class Pickers:
    """Choices of people and teams for one page, read once and shared by every form on it."""

    engineers: list[tuple[int, str]] = field(default_factory=list)
    staff: list[tuple[int, str]] = field(default_factory=list)
    teams: list[tuple[int, str]] = field(default_factory=list)


def pickers_for(*, actor: Any) -> Pickers:
    """Staff (everyone), engineers (staff whose roles let them work on tickets) and active teams."""
    from weibao.accounts.selectors import staff_choices

    staff = list(staff_choices(actor=actor).prefetch_related("roles"))
    engineers = [
        user for user in staff if any(WORK_PERMS & set(role.permissions or []) for role in user.roles.all())
    ]
    teams = Team.objects.filter(is_active=True).order_by("name", "id").values_list("pk", "name")
    return Pickers(
        engineers=[(u.pk, user_label(u)) for u in engineers],
        staff=[(u.pk, user_label(u)) for u in staff],
        teams=list(teams),
    )


def user_label(user: User) -> str:
    return f"{user} ({user.username})" if str(user) != user.username else user.username


def id_choices(rows: list[tuple[int, str]], empty: Any = "---------") -> list[tuple[Any, Any]]:
    return [("", empty), *rows]
