"""Forms of the maintenance-plan pages. They parse and offer choices; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.accounts.choices import UserKind
from weibao.accounts.forms import WeibaoForm
from weibao.accounts.models import User
from weibao.customers.models import Customer, DeliveredSystem
from weibao.fieldservice.forms import EngineersField, engineer_queryset
from weibao.maintenance.choices import DEFAULT_RULES, RoutineKind
from weibao.maintenance.services import PlanFields, RoutineFields

DATE = forms.DateInput(attrs={"type": "date"})


class PlanForm(WeibaoForm):
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.filter(is_active=True).order_by("name")
    )
    system = forms.ModelChoiceField(
        label=_("System"),
        queryset=DeliveredSystem.objects.select_related("customer").order_by("customer__name", "name"),
        required=False,
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)
    responsible = forms.ModelChoiceField(
        label=_("Responsible"),
        queryset=User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by("username"),
    )
    goals = forms.CharField(label=_("Goals"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    scope = forms.CharField(
        label=_("Scope and content"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    budget = forms.DecimalField(label=_("Budget (CNY)"), max_digits=12, decimal_places=2, initial=0)

    def fields_for_service(self) -> PlanFields:
        data = self.cleaned_data
        return PlanFields(
            customer_id=data["customer"].pk,
            system_id=data["system"].pk if data.get("system") else None,
            year=data["year"],
            title=data["title"],
            responsible_id=data["responsible"].pk,
            goals=data.get("goals") or "",
            scope=data.get("scope") or "",
            budget=data.get("budget") or 0,
        )


class RoutineForm(WeibaoForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=RoutineKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    rrule = forms.CharField(
        label=_("Recurrence (RRULE)"),
        max_length=300,
        required=False,
        help_text=_("Empty: the kind's usual rhythm. E.g. FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15."),
    )
    assignees = EngineersField(label=_("Engineers"), queryset=User.objects.none())
    time_of_day = forms.TimeField(
        label=_("Time of day"), initial="09:00", widget=forms.TimeInput(attrs={"type": "time"})
    )
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), initial=120, min_value=15)
    remind_days_before = forms.IntegerField(
        label=_("Remind days before"), initial=3, min_value=0, max_value=30
    )
    checklist = forms.CharField(
        label=_("Checklist"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One item per line."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["assignees"].queryset = engineer_queryset()

    def fields_for_service(self) -> RoutineFields:
        data = self.cleaned_data
        return RoutineFields(
            kind=data["kind"],
            title=data["title"],
            rrule=data.get("rrule") or "",
            assignee_ids=[u.pk for u in data["assignees"]],
            time_of_day=data["time_of_day"],
            duration_minutes=data["duration_minutes"],
            remind_days_before=data["remind_days_before"],
            checklist=[line for line in (data.get("checklist") or "").splitlines() if line.strip()],
        )


class AdjustmentForm(WeibaoForm):
    """What should change (empty fields stay as they are) and why."""

    budget = forms.DecimalField(label=_("New budget (CNY)"), max_digits=12, decimal_places=2, required=False)
    goals = forms.CharField(label=_("New goals"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    scope = forms.CharField(label=_("New scope"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def changes(self, *, routines: list[Any]) -> dict[str, Any]:
        data = self.cleaned_data
        changes: dict[str, Any] = {
            k: data[k] for k in ("budget", "goals", "scope") if data.get(k) not in (None, "")
        }
        routine_changes: dict[str, Any] = {}
        for routine in routines:
            rule = (self.data.get(f"rrule_{routine.pk}") or "").strip()
            if rule and rule != routine.rrule:
                routine_changes[str(routine.pk)] = {"rrule": rule}
        if routine_changes:
            changes["routines"] = routine_changes
        return changes


class DecisionForm(WeibaoForm):
    note = forms.CharField(label=_("Decision note"), max_length=500, required=False)


class RescheduleOccurrenceForm(WeibaoForm):
    to_date = forms.DateField(label=_("New date"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class CompleteForm(WeibaoForm):
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}))


RULE_HINTS = {str(kind.label): rule for kind, rule in DEFAULT_RULES.items()}
