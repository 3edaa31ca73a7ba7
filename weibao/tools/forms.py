"""Forms of the tools pages. They parse and offer choices; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.accounts.choices import UserKind
from weibao.accounts.forms import WeibaoForm
from weibao.accounts.models import User
from weibao.tools.choices import IncidentKind, Liability, ToolKind, ToolStatus

DATE = forms.DateInput(attrs={"type": "date"})


def _staff() -> Any:
    return User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by("username")


class ToolFilterForm(WeibaoForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *ToolStatus.choices]
    )
    mine = forms.BooleanField(label=_("Kept or borrowed by me"), required=False)


class ToolForm(WeibaoForm):
    code = forms.CharField(label=_("Tool number"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ToolKind.choices)
    model = forms.CharField(label=_("Model"), max_length=100, required=False)
    serial_number = forms.CharField(label=_("Serial number"), max_length=100, required=False)
    keeper = forms.ModelChoiceField(label=_("Kept by"), queryset=_staff())
    is_fixed_asset = forms.BooleanField(label=_("Fixed asset"), required=False)
    asset_number = forms.CharField(label=_("Fixed-asset number"), max_length=64, required=False)
    value = forms.DecimalField(label=_("Value (CNY)"), required=False, min_value=0, decimal_places=2)
    purchase_date = forms.DateField(label=_("Purchase date"), required=False, widget=DATE)
    calibration_due = forms.DateField(label=_("Calibration due"), required=False, widget=DATE)


class CheckOutForm(WeibaoForm):
    borrower = forms.ModelChoiceField(label=_("Borrowed by"), queryset=_staff())
    due_back = forms.DateField(label=_("Due back on"), required=False, widget=DATE)
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)


class IncidentForm(WeibaoForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentKind.choices)
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(WeibaoForm):
    liability = forms.ChoiceField(
        label=_("Liability"), choices=[c for c in Liability.choices if c[0] != Liability.UNDECIDED]
    )
    responsible = forms.ModelChoiceField(label=_("Person responsible"), queryset=_staff(), required=False)
    compensation = forms.DecimalField(
        label=_("Compensation (CNY)"), required=False, min_value=0, decimal_places=2
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    back_in_service = forms.BooleanField(label=_("Repaired: back in service"), required=False)


class HandOverForm(WeibaoForm):
    keeper = forms.ModelChoiceField(label=_("New keeper"), queryset=_staff())


class PurchaseForm(WeibaoForm):
    title = forms.CharField(label=_("What"), max_length=200)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    unit_price = forms.DecimalField(label=_("Estimated unit price (CNY)"), min_value=0, decimal_places=2)
    reason = forms.CharField(label=_("Why it is needed"), widget=forms.Textarea(attrs={"rows": 3}))
