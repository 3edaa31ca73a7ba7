"""Forms of the stock pages. They parse and offer choices; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.accounts.forms import WeibaoForm
from weibao.customers.models import Customer
from weibao.inventory.choices import LoanerStatus, MoveKind
from weibao.inventory.models import LoanerUnit, Location, Part

MOVE_KINDS = [(k.value, k.label) for k in (MoveKind.RECEIVE, MoveKind.ISSUE, MoveKind.RETURN, MoveKind.SCRAP)]


class PartForm(WeibaoForm):
    code = forms.CharField(label=_("Part number"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    spec = forms.CharField(label=_("Model / specification"), max_length=200, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=16, initial="个")
    min_stock = forms.IntegerField(label=_("Minimum stock"), min_value=0, initial=0)


class MoveForm(WeibaoForm):
    kind = forms.ChoiceField(label=_("Move"), choices=MOVE_KINDS)
    part = forms.ModelChoiceField(
        label=_("Part"), queryset=Part.objects.filter(is_active=True).order_by("code")
    )
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.filter(is_active=True))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    reference = forms.CharField(
        label=_("Reference"), max_length=64, required=False, help_text=_("E.g. a work order WO-12.")
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class TransferForm(WeibaoForm):
    part = forms.ModelChoiceField(
        label=_("Part"), queryset=Part.objects.filter(is_active=True).order_by("code")
    )
    from_location = forms.ModelChoiceField(label=_("From"), queryset=Location.objects.filter(is_active=True))
    to_location = forms.ModelChoiceField(label=_("To"), queryset=Location.objects.filter(is_active=True))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CountForm(WeibaoForm):
    part = forms.ModelChoiceField(
        label=_("Part"), queryset=Part.objects.filter(is_active=True).order_by("code")
    )
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.filter(is_active=True))
    counted = forms.IntegerField(label=_("Counted"), min_value=0)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class LoanerForm(WeibaoForm):
    code = forms.CharField(label=_("Loaner number"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    model = forms.CharField(label=_("Model"), max_length=100, required=False)
    serial_number = forms.CharField(label=_("Serial number"), max_length=100, required=False)
    location = forms.ModelChoiceField(
        label=_("Kept at"), required=False, queryset=Location.objects.filter(is_active=True)
    )


class LendForm(WeibaoForm):
    unit = forms.ModelChoiceField(
        label=_("Loaner unit"),
        queryset=LoanerUnit.objects.filter(status=LoanerStatus.AVAILABLE).order_by("code"),
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.filter(is_active=True).order_by("name")
    )
    ticket = forms.IntegerField(label=_("Ticket number"), required=False, min_value=1)
    contact_name = forms.CharField(label=_("Received by"), max_length=100, required=False)
    due_on = forms.DateField(label=_("Due back on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ReturnForm(WeibaoForm):
    condition = forms.CharField(label=_("Condition on return"), max_length=300, required=False)
    needs_repair = forms.BooleanField(label=_("Came back damaged: send to repair"), required=False)
