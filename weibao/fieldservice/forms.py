"""Forms of the work-order pages. They parse and offer choices; the services validate and write.

Field names follow the services' arguments without ``_id`` so a service's refusal lands beside its field.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from weibao.accounts.choices import Perm, UserKind
from weibao.accounts.forms import WeibaoForm
from weibao.accounts.models import User
from weibao.assets.models import ConfigurationItem
from weibao.customers.models import Customer, DeliveredSystem, Site
from weibao.fieldservice.choices import CheckResult, OrderKind, OrderStatus
from weibao.fieldservice.models import WorkOrder
from weibao.fieldservice.services import ChargeInput, CheckResultInput, PartInput
from weibao.inventory.models import Part

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class EngineersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


def engineer_queryset() -> Any:
    """Active staff whose roles let them carry out work orders (roles are data: filtered in Python)."""
    users = (
        User.objects.filter(kind=UserKind.STAFF, is_active=True)
        .prefetch_related("roles")
        .order_by("username")
    )
    ids = [u.pk for u in users if any(Perm.WORKORDER_WORK in (r.permissions or []) for r in u.roles.all())]
    return User.objects.filter(pk__in=ids).order_by("username")


class OrderCreateForm(WeibaoForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=OrderKind.choices, initial=OrderKind.ONSITE)
    title = forms.CharField(label=_("Title"), max_length=200)
    planned_start = forms.DateTimeField(
        label=_("Planned start"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    planned_end = forms.DateTimeField(label=_("Planned end"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    engineers = EngineersField(label=_("Engineers"), queryset=User.objects.none())
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.filter(is_active=True).order_by("name"), required=False
    )
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False)
    system = forms.ModelChoiceField(
        label=_("System"), queryset=DeliveredSystem.objects.none(), required=False
    )
    items = forms.CharField(
        label=_("Items (asset tags)"),
        required=False,
        max_length=2000,
        help_text=_(
            "Comma-separated asset tags of the customer; empty for a ticket's visit: the ticket's items."
        ),
    )
    instructions = forms.CharField(
        label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    tools = forms.CharField(
        label=_("Tools to bring"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    parts_needed = forms.CharField(
        label=_("Parts to bring"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    checklist = forms.CharField(
        label=_("Checklist"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One item per line."),
    )

    def __init__(self, *args: Any, customer: Customer | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._customer = customer
        fields: dict[str, Any] = self.fields  # ModelChoiceFields: typed loosely for their querysets
        fields["engineers"].queryset = engineer_queryset()
        if customer is not None:
            fields["site"].queryset = Site.objects.filter(customer=customer)
            fields["system"].queryset = DeliveredSystem.objects.filter(customer=customer)
        else:
            fields["site"].queryset = Site.objects.select_related("customer").order_by(
                "customer__name", "name"
            )
            fields["system"].queryset = DeliveredSystem.objects.select_related("customer").order_by(
                "customer__name", "name"
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        codes = [c.strip() for c in (data.get("items") or "").replace("，", ",").split(",") if c.strip()]
        customer = self._customer or data.get("customer")
        data["item_ids"] = []
        if codes and customer is None:
            self.add_error("items", _("Choose the customer first."))
        elif codes:
            found = dict(
                ConfigurationItem.objects.filter(customer=customer, code__in=codes).values_list("code", "pk")
            )
            unknown = [c for c in codes if c not in found]
            if unknown:
                self.add_error("items", _("Unknown asset tags: %(codes)s") % {"codes": ", ".join(unknown)})
            data["item_ids"] = [found[c] for c in codes if c in found]
        return data

    def plan_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "item_ids": data.get("item_ids") or [],
            "kind": data["kind"],
            "title": data["title"],
            "planned_start": data["planned_start"],
            "planned_end": data["planned_end"],
            "engineer_ids": [u.pk for u in data["engineers"]],
            "customer_id": data["customer"].pk if data.get("customer") else None,
            "site_id": data["site"].pk if data.get("site") else None,
            "system_id": data["system"].pk if data.get("system") else None,
            "instructions": data.get("instructions") or "",
            "tools": data.get("tools") or "",
            "parts_needed": data.get("parts_needed") or "",
            "checklist": [line for line in (data.get("checklist") or "").splitlines() if line.strip()],
        }


class RescheduleForm(WeibaoForm):
    planned_start = forms.DateTimeField(
        label=_("Planned start"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    planned_end = forms.DateTimeField(label=_("Planned end"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    reason = forms.CharField(label=_("Reason"), max_length=500)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CheckInForm(WeibaoForm):
    """Filled by the browser's geolocation when the engineer allows it (static/src/js/workorder.js)."""

    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)
    accuracy_m = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    remote_consent_by = forms.CharField(label=_("Remote access agreed by"), max_length=100, required=False)
    remote_tool = forms.CharField(label=_("Remote tool"), max_length=100, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


_PART_SPLIT = re.compile(r"\s*[,，]\s*")


def parse_parts(text: str) -> list[PartInput]:
    """``硒鼓, 1, TN-2260`` per line (name, quantity, serial; quantity 1 when left out). A name that is
    a part number of the catalogue takes that part from the engineer's own stock (INV-1)."""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        cells = _PART_SPLIT.split(line.strip(), maxsplit=2)
        quantity = 1
        if len(cells) > 1 and cells[1].strip():
            if not cells[1].strip().isdigit():
                raise forms.ValidationError(_("Write each part as: name, quantity, serial number."))
            quantity = int(cells[1])
        rows.append((cells[0].strip(), quantity, cells[2] if len(cells) > 2 else ""))
    catalogue = dict(
        Part.objects.filter(code__in={name for name, _q, _s in rows}, is_active=True).values_list(
            "code", "pk"
        )
    )
    return [
        PartInput(
            name="" if name in catalogue else name,
            quantity=quantity,
            serial=serial,
            part_id=catalogue.get(name),
        )
        for name, quantity, serial in rows
    ]


class RecordForm(WeibaoForm):
    """What was done; the checklist results are added per item by :meth:`for_order`."""

    work_done = forms.CharField(
        label=_("Work done"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    findings = forms.CharField(
        label=_("Findings and advice"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    time_spent_minutes = forms.IntegerField(label=_("Time spent (minutes)"), required=False, min_value=0)
    travel_minutes = forms.IntegerField(label=_("Travel time (minutes)"), required=False, min_value=0)
    parts = forms.CharField(
        label=_("Parts used"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One per line: name, quantity, serial number. A part number of the catalogue is taken from "
            "your own stock."
        ),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, order: WorkOrder, **kwargs: Any) -> None:
        initial = {
            "work_done": order.work_done,
            "findings": order.findings,
            "time_spent_minutes": order.time_spent_minutes,
            "travel_minutes": order.travel_minutes,
            "parts": "\n".join(
                f"{p.part.code if p.part else p.name}, {p.quantity}, {p.serial}".rstrip(", ")
                for p in order.parts.select_related("part")
            ),
            "version": order.version,
        }
        self.items = list(order.checklist.all())
        for item in self.items:
            initial[f"result_{item.pk}"] = item.result
            initial[f"note_{item.pk}"] = item.note
            initial[f"replace_{item.pk}"] = item.flag_replacement
        super().__init__(*args, initial=initial, **kwargs)
        for item in self.items:
            self.fields[f"result_{item.pk}"] = forms.ChoiceField(
                label=item.label, choices=CheckResult.choices, required=False
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(label=_("Note"), max_length=500, required=False)
            self.fields[f"replace_{item.pk}"] = forms.BooleanField(label=_("Replace"), required=False)

    def clean_parts(self) -> list[PartInput]:
        return parse_parts(self.cleaned_data.get("parts") or "")

    def checklist_rows(self) -> list[dict[str, Any]]:
        return [
            {"item": i, "result": self[f"result_{i.pk}"], "note": self[f"note_{i.pk}"]} for i in self.items
        ]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "work_done": data.get("work_done") or "",
            "findings": data.get("findings") or "",
            "time_spent_minutes": data.get("time_spent_minutes"),
            "travel_minutes": data.get("travel_minutes"),
            "results": [
                CheckResultInput(
                    item_id=i.pk,
                    result=data.get(f"result_{i.pk}") or "",
                    note=data.get(f"note_{i.pk}") or "",
                    replace=bool(data.get(f"replace_{i.pk}")),
                )
                for i in self.items
            ],
            "parts": data["parts"],
            "version": data.get("version"),
        }


class PhotoForm(WeibaoForm):
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class SignForm(WeibaoForm):
    signer_name = forms.CharField(label=_("Name of the person signing"), max_length=100)
    signature = forms.CharField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReasonForm(WeibaoForm):
    reason = forms.CharField(label=_("Reason"), max_length=500)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AnnotateForm(WeibaoForm):
    text = forms.CharField(label=_("Annotation"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ChargeForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    component = forms.CharField(label=_("Part of the product"), max_length=200, required=False)
    warranty_end = forms.DateField(
        label=_("Warranty of this part ends"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=9, decimal_places=2, required=False, initial=1
    )
    unit_price = forms.DecimalField(
        label=_("Unit price (CNY)"), max_digits=12, decimal_places=2, required=False
    )

    def line(self) -> ChargeInput | None:
        data = self.cleaned_data
        if not data.get("description"):
            return None
        return ChargeInput(
            description=data["description"],
            component=data.get("component") or "",
            warranty_end=data.get("warranty_end"),
            quantity=data.get("quantity") or 1,
            unit_price=data.get("unit_price") or 0,
        )


ChargeFormSet = formset_factory(ChargeForm, extra=2, max_num=50)


class AcceptQuoteForm(WeibaoForm):
    accepted_by = forms.CharField(label=_("Accepted by (customer)"), max_length=100)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class SettleForm(WeibaoForm):
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=64, required=False)


class ReceiptForm(WeibaoForm):
    description = forms.CharField(label=_("Equipment"), max_length=200)
    serial = forms.CharField(label=_("Serial number"), max_length=100, required=False)
    condition = forms.CharField(label=_("Condition and accessories"), max_length=500, required=False)
    handed_over_by = forms.CharField(label=_("Handed over by (customer)"), max_length=100)


class ReturnForm(WeibaoForm):
    returned_to = forms.CharField(label=_("Returned to (customer)"), max_length=100)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class OrderFilterForm(WeibaoForm):
    status = forms.ChoiceField(label=_("Status"), required=False)
    mine = forms.BooleanField(label=_("Mine only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *OrderStatus.choices]  # type: ignore[attr-defined]
