"""Forms of the returns pages. They parse and offer choices; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.accounts.forms import WeibaoForm
from weibao.assets.models import ConfigurationItem, Supplier
from weibao.customers.models import Customer
from weibao.returns.choices import RmaOutcome, RmaStatus


class RmaFilterForm(WeibaoForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *RmaStatus.choices]
    )


class RmaForm(WeibaoForm):
    """A new return; the item list is the customer's (chosen first, or taken from the ticket)."""

    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.filter(is_active=True).order_by("name")
    )
    item = forms.ModelChoiceField(label=_("Item"), required=False, queryset=ConfigurationItem.objects.none())
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), required=False, queryset=Supplier.objects.filter(is_active=True),
        help_text=_("Empty: the item's supplier."),
    )  # fmt: skip
    goods = forms.CharField(
        label=_("Goods returned"), max_length=200, required=False, help_text=_("Empty: the item.")
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, customer: Customer | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields  # ModelChoiceFields: typed loosely for their querysets
        if customer is not None:
            fields["customer"].initial = customer.pk
            fields["item"].queryset = ConfigurationItem.objects.filter(customer=customer).order_by("code")


class AnalysisForm(WeibaoForm):
    root_cause = forms.CharField(
        label=_("Root cause"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    responsible_department = forms.CharField(
        label=_("Responsible department"), max_length=100, required=False
    )
    responsible_person = forms.CharField(label=_("Responsible person"), max_length=100, required=False)
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), required=False, queryset=Supplier.objects.filter(is_active=True)
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class TransitionForm(WeibaoForm):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    shipping_reference = forms.CharField(label=_("Shipping reference"), max_length=100, required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", "—"), *RmaOutcome.choices])
    refund_amount = forms.DecimalField(label=_("Refund (CNY)"), required=False, min_value=0, decimal_places=2)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
