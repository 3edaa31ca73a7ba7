"""List filters read from the query string: the agent console and the portal list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.customers.models import Customer, DeliveredSystem
from weibao.tickets.choices import Priority, Status
from weibao.tickets.forms.common import (
    Pickers,
    WeibaoForm,
    category_choices,
    id_choices,
)
from weibao.tickets.selectors import QUEUES, SORTS, TicketFilters

EMERGENCY_CHOICES = [("", _("Emergency")), ("1", _("Emergencies only")), ("0", _("No emergencies"))]
SLA_CHOICES = [("", _("Any SLA state")), ("breached", _("SLA breached")), ("at_risk", _("SLA at risk"))]


class ConsoleFilterForm(WeibaoForm):
    """The console's filter bar; read from the query string so a filtered view is a link."""

    queue = forms.ChoiceField(
        required=False, choices=[("", "")] + [(k, v) for k, v in QUEUES.items()], widget=forms.HiddenInput
    )
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in SORTS], widget=forms.HiddenInput)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.MultipleChoiceField(
        label=_("Status"), required=False, choices=Status.choices, widget=forms.CheckboxSelectMultiple
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any priority")), *Priority.choices],
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"), required=False, queryset=Customer.objects.none(), empty_label=_("Any customer")
    )
    system = forms.ModelChoiceField(
        label=_("System"),
        required=False,
        queryset=DeliveredSystem.objects.none(),
        empty_label=_("Any system"),
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    emergency = forms.ChoiceField(label=_("Emergency"), required=False, choices=EMERGENCY_CHOICES)
    sla = forms.ChoiceField(label=_("SLA"), required=False, choices=SLA_CHOICES)

    def __init__(self, *args: Any, pickers: Pickers, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]
        # Systems are listed for the chosen customer only: all systems of all customers make a dropdown
        # of hundreds of rows that costs more to render than the ticket list itself (bench/).
        systems = DeliveredSystem.objects.filter(is_active=True).select_related("customer")
        customer_id = self.data.get("customer") if self.is_bound else None
        system_id = self.data.get("system") if self.is_bound else None
        if customer_id and str(customer_id).isdigit():
            systems = systems.filter(customer_id=int(customer_id))
        elif system_id and str(system_id).isdigit():
            systems = systems.filter(pk=int(system_id))  # a link that names a system alone still works
        else:
            systems = systems.none()
            self.fields["system"].empty_label = _("Choose a customer first")  # type: ignore[attr-defined]
        self.fields["system"].queryset = systems.order_by("customer__name", "name")  # type: ignore[attr-defined]
        self.fields["system"].label_from_instance = lambda s: f"{s.customer.name} · {s}"  # type: ignore[attr-defined]
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Unassigned")),
            *[(str(pk), label) for pk, label in pickers.engineers],
        ]
        self.fields["team"].choices = id_choices(pickers.teams, _("Any team"))  # type: ignore[attr-defined]
        self.fields["category"].choices = [("", _("Any category")), *category_choices()[1:]]  # type: ignore[attr-defined]
        for name, fld in self.fields.items():
            fld.widget.attrs.update({"aria-label": fld.label or name, "data-testid": f"filter-{name}"})

    def filters(self) -> TicketFilters:
        """The valid part of the query string as list filters (an invalid value is ignored)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        emergency = data.get("emergency")
        return TicketFilters(
            queue=data.get("queue") or "",
            status=list(data.get("status") or []),
            priority=[data["priority"]] if data.get("priority") else [],
            customer_id=data["customer"].pk if data.get("customer") else None,
            system_id=data["system"].pk if data.get("system") else None,
            assignee=data.get("assignee") or "",
            team_id=data.get("team"),
            category_id=data.get("category"),
            is_emergency={"1": True, "0": False}.get(emergency or ""),
            sla=data.get("sla") or "",
            text=data.get("q") or "",
        )

    def active_count(self) -> int:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        names = (
            "status",
            "priority",
            "customer",
            "system",
            "assignee",
            "team",
            "category",
            "emergency",
            "sla",
        )
        return sum(1 for name in names if data.get(name))


class PortalFilterForm(WeibaoForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Open")), *Status.choices],
    )

    def filters(self) -> TicketFilters:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        status = data.get("status") or ""
        if status == "open":
            return TicketFilters(queue="open", text=data.get("q") or "")
        return TicketFilters(status=[status] if status else [], text=data.get("q") or "")
