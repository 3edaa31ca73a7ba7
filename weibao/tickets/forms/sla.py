"""The SLA compliance page's period and grouping, read from the query string."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weibao.tickets.forms.common import WeibaoForm

GROUP_CHOICES = [("customer", _("Customer")), ("priority", _("Priority")), ("engineer", _("Engineer"))]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


class ComplianceFilterForm(WeibaoForm):
    """From/to dates (default: this month so far) and the grouping; a filtered view is a link."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    group_by = forms.ChoiceField(label=_("Group by"), required=False, choices=GROUP_CHOICES)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def period(self) -> tuple[dt.date, dt.date, str]:
        """The valid part of the query string, with defaults for what is missing or invalid."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") and not self.errors else {}
        today = timezone.localdate()
        start = data.get("date_from") or month_start(today)
        end = data.get("date_to") or max(today, start)
        return start, end, data.get("group_by") or "customer"
