"""Service desk administration forms: categories, the priority matrix, desk settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.tickets.choices import CategoryKind, Level, Priority
from weibao.tickets.forms.common import (
    WeibaoForm,
)
from weibao.tickets.models import Category
from weibao.tickets.templatetags.ticket_tags import category_label


class CategoryForm(WeibaoForm):
    code = forms.SlugField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=CategoryKind.choices)
    parent = forms.TypedChoiceField(
        label=_("Parent"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Empty for a top-level category."),
    )
    sort_order = forms.IntegerField(label=_("Sort order"), min_value=0, initial=0)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, categories: list[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [  # type: ignore[attr-defined]
            ("", "---------"),
            *[(c.pk, category_label(c)) for c in categories if c.parent_id is None],
        ]

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "code": d["code"],
            "name": d["name"],
            "kind": d["kind"],
            "parent_id": d.get("parent"),
            "sort_order": d.get("sort_order") or 0,
            "is_active": bool(d.get("is_active")),
        }


class PriorityMatrixForm(WeibaoForm):
    """One select per urgency x impact cell, named ``cell_<urgency>_<impact>``."""

    def __init__(self, *args: Any, matrix: dict[tuple[int, int], int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for urgency in Level.values:
            for impact in Level.values:
                name = f"cell_{urgency}_{impact}"
                self.fields[name] = forms.TypedChoiceField(
                    label=f"{Level(urgency).label} x {Level(impact).label}",
                    choices=Priority.choices,
                    coerce=int,
                    initial=matrix.get((urgency, impact), Priority.NORMAL),
                )
                self.fields[name].widget.attrs["class"] = "form-select"

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"urgency": Level(u).label, "cells": [self[f"cell_{u}_{i}"] for i in Level.values]}
            for u in Level.values
        ]

    def cells(self) -> dict[tuple[int, int], int]:
        return {(u, i): self.cleaned_data[f"cell_{u}_{i}"] for u in Level.values for i in Level.values}


class DeskSettingsForm(WeibaoForm):
    auto_close_days = forms.IntegerField(
        label=_("Auto-close after (days)"),
        help_text=_("A verified ticket with no objection from the customer is closed after this many days."),
    )
    progress_interval_hours = forms.IntegerField(
        label=_("Progress update interval (hours)"),
        help_text=_(
            "An open ticket is due a progress update to the customer after this many hours without one."
        ),
    )
    pending_alert_hours = forms.IntegerField(
        label=_("Pending too long after (hours)"),
        required=False,
        help_text=_('A ticket pending this many hours raises the "pending too long" notification.'),
    )
