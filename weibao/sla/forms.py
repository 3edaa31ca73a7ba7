"""Forms of the SLA administration pages. They parse and offer choices; the services validate and write.

Field names follow the services' arguments without ``_id`` (``policy`` for ``policy_id``), so
:func:`weibao.core.forms.add_domain_error` puts a service's refusal beside the right field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.accounts.forms import WeibaoForm
from weibao.accounts.models import Role
from weibao.calendars.models import Calendar
from weibao.customers.choices import DistanceClass
from weibao.customers.models import Customer
from weibao.sla.choices import EscalationTrigger, Priority, TargetKind, TargetMode
from weibao.sla.models import SlaPolicy


def _int_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


class PolicyForm(WeibaoForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.SlugField(label=_("Code"), max_length=64, help_text=_("Short unique identifier, e.g. gold"))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_default = forms.BooleanField(
        label=_("Default policy"),
        required=False,
        help_text=_("Applies to customers without an active contract."),
    )
    pause_on_customer = forms.BooleanField(label=_("Pause while waiting for the customer"), required=False)
    pause_on_third_party = forms.BooleanField(
        label=_("Pause while waiting for a third party"), required=False
    )
    pause_on_other = forms.BooleanField(label=_("Pause for other pending reasons"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class TargetForm(WeibaoForm):
    """One cell of the grid: a priority and a target (optionally for one distance class)."""

    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    kind = forms.ChoiceField(label=_("Target"), choices=TargetKind.choices)
    distance_class = forms.ChoiceField(
        label=_("Distance class"),
        required=False,
        choices=[("", _("Every site")), *DistanceClass.choices],
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=TargetMode.choices)
    minutes = forms.IntegerField(label=_("Working minutes"), required=False)
    days = forms.IntegerField(label=_("Working days"), required=False)
    calendar = forms.TypedChoiceField(
        label=_("Calendar"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Empty: the working calendar of the ticket's site or customer."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["calendar"].choices = [  # type: ignore[attr-defined]
            ("", _("The ticket's working calendar")),
            *Calendar.objects.order_by("name").values_list("pk", "name"),
        ]

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "priority": d["priority"],
            "kind": d["kind"],
            "distance_class": d.get("distance_class") or "",
            "mode": d["mode"],
            "minutes": d.get("minutes"),
            "days": d.get("days"),
            "calendar_id": d.get("calendar"),
        }


class EscalationRuleForm(WeibaoForm):
    # Set when an existing rule is edited in place (the policy page's "Edit"); empty adds a rule.
    rule_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("Target"), required=False, choices=[("", _("Every target")), *TargetKind.choices]
    )
    trigger = forms.ChoiceField(label=_("Trigger"), choices=EscalationTrigger.choices)
    value = forms.IntegerField(
        label=_("Value"),
        help_text=_("Percent of the target (1-99), or minutes after the breach (0 = at the breach)."),
    )
    notify_assignee = forms.BooleanField(label=_("Notify the assignee"), required=False)
    notify_team = forms.BooleanField(label=_("Notify the team"), required=False)
    notify_superior = forms.BooleanField(label=_("Notify the assignee's superior"), required=False)
    notify_role = forms.TypedChoiceField(
        label=_("Notify everyone with role"), required=False, coerce=int, empty_value=None
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["notify_role"].choices = [  # type: ignore[attr-defined]
            ("", _("Nobody else")),
            *Role.objects.order_by("name").values_list("pk", "name"),
        ]

    def service_kwargs(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d["notify_role_id"] = d.pop("notify_role", None)
        return d


class ContractForm(WeibaoForm):
    customer = forms.TypedChoiceField(label=_("Customer"), coerce=int)
    number = forms.CharField(label=_("Contract number"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    policy = forms.TypedChoiceField(label=_("SLA policy"), coerce=int)
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("Ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *Customer.objects.filter(is_active=True).order_by("name").values_list("pk", "name"),
        ]
        self.fields["policy"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *SlaPolicy.objects.order_by("name").values_list("pk", "name"),
        ]

    def service_kwargs(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d["customer_id"] = d.pop("customer")
        d["policy_id"] = d.pop("policy")
        return d


class ContractFilterForm(WeibaoForm):
    customer = forms.IntegerField(required=False)

    def customer_id(self) -> int | None:
        return _int_or_none(self.cleaned_data.get("customer")) if self.is_valid() else None
