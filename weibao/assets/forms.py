"""Forms of the installed-base pages. They parse and offer choices; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.accounts.forms import WeibaoForm
from weibao.assets.choices import DocumentKind, ItemKind, ItemStatus, RelationKind
from weibao.assets.models import Supplier
from weibao.customers.models import Customer, DeliveredSystem, Site

WARRANTY_CHOICES = [
    ("", _("Any warranty")),
    ("active", _("Under warranty")),
    ("expiring", _("Ending within 90 days")),
    ("expired", _("Warranty ended")),
    ("none", _("No warranty recorded")),
]


def _customers() -> Any:
    return Customer.objects.filter(is_active=True).order_by("name")


class ItemFilterForm(WeibaoForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    customer = forms.ModelChoiceField(
        label=_("Customer"), required=False, queryset=_customers(), empty_label=_("Any customer")
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *ItemKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *ItemStatus.choices]
    )
    warranty = forms.ChoiceField(label=_("Warranty"), required=False, choices=WARRANTY_CHOICES)
    system = forms.IntegerField(required=False, widget=forms.HiddenInput)  # from a customer's system list

    def __init__(self, *args: Any, portal: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if portal:  # a portal user sees one customer; the choice would list the others
            del self.fields["customer"]


class ItemForm(WeibaoForm):
    """One item; systems and sites are those of the item's customer."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    code = forms.CharField(label=_("Asset tag"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    system = forms.ModelChoiceField(
        label=_("Delivered project / system"), required=False, queryset=DeliveredSystem.objects.none()
    )
    model = forms.CharField(label=_("Model"), max_length=100, required=False)
    version = forms.CharField(label=_("Version"), max_length=50, required=False)
    serial_number = forms.CharField(label=_("Serial number"), max_length=100, required=False)
    site = forms.ModelChoiceField(label=_("Site"), required=False, queryset=Site.objects.none())
    location = forms.CharField(
        label=_("Location"), max_length=200, required=False, help_text=_("Building, floor, room, rack.")
    )
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), required=False, queryset=Supplier.objects.filter(is_active=True)
    )
    purchase_date = forms.DateField(
        label=_("Purchase date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    warranty_end = forms.DateField(
        label=_("Warranty end"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the delivered project's warranty applies."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=ItemStatus.choices, initial=ItemStatus.IN_USE)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    row_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = DeliveredSystem.objects.filter(customer=customer)  # type: ignore[attr-defined]
        self.fields["site"].queryset = Site.objects.filter(customer=customer)  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        """The cleaned data in the service's names (ids for references)."""
        d = self.cleaned_data
        values = {k: d.get(k) for k in ("kind", "code", "name", "model", "version", "serial_number")}
        values |= {k: d.get(k) for k in ("location", "purchase_date", "warranty_end", "status", "notes")}
        for name in ("system", "site", "supplier"):
            values[f"{name}_id"] = d[name].pk if d.get(name) else None
        return values


class ComponentsForm(WeibaoForm):
    components = forms.CharField(
        label=_("Components"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: name | serial number | warranty end (YYYY-MM-DD)."),
    )
    row_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def specs(self) -> list[dict[str, str]]:
        rows = []
        for line in (self.cleaned_data.get("components") or "").splitlines():
            parts = [p.strip() for p in line.split("|")]
            if parts and parts[0]:
                parts += [""] * 3
                rows.append({"name": parts[0], "serial_number": parts[1], "warranty_end": parts[2] or ""})
        return rows


class RelationForm(WeibaoForm):
    kind = forms.ChoiceField(label=_("Relation"), choices=RelationKind.choices)
    target = forms.CharField(
        label=_("Asset tag of the related item"), max_length=64, help_text=_("Of the same customer.")
    )


class ImportForm(WeibaoForm):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=_customers())
    file = forms.FileField(
        label=_("Excel file (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )


class SupplierForm(WeibaoForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    email = forms.EmailField(label=_("Email"), required=False)


class HandoverUploadForm(WeibaoForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"))
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)


class HandoverWaiveForm(WeibaoForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    reason = forms.CharField(label=_("Why it does not apply"), max_length=300)
