"""Intake forms: the agent's "log a call / IM message" and the customer's portal report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weibao.assets.choices import ItemStatus
from weibao.assets.models import ConfigurationItem
from weibao.customers.models import Contact, Customer, DeliveredSystem, Site, SystemModule
from weibao.tickets.choices import Channel, Level
from weibao.tickets.forms.common import (
    LocalDateTimeField,
    MultipleFileField,
    WeibaoForm,
    category_choices,
    level_field,
)


class CustomerFieldsMixin:
    """Contact, site, system and module choices limited to one customer (and module to the system)."""

    fields: dict[str, forms.Field]

    def limit_to_customer(
        self, *, customer_id: int | None, system_id: int | None, keep_item_ids: list[int] | None = None
    ) -> None:
        cid = customer_id or 0
        if "contact" in self.fields:
            self.fields["contact"].queryset = Contact.objects.filter(customer_id=cid, is_active=True)  # type: ignore[attr-defined]
            self.fields["contact"].label_from_instance = contact_label  # type: ignore[attr-defined]
        if "site" in self.fields:
            self.fields["site"].queryset = Site.objects.filter(customer_id=cid, is_active=True)  # type: ignore[attr-defined]
        self.fields["system"].queryset = DeliveredSystem.objects.filter(customer_id=cid, is_active=True)  # type: ignore[attr-defined]
        self.fields["module"].queryset = SystemModule.objects.filter(  # type: ignore[attr-defined]
            system_id=system_id or 0, system__customer_id=cid
        )
        if "items" in self.fields:
            items = ConfigurationItem.objects.filter(customer_id=cid).exclude(status=ItemStatus.RETIRED)
            if system_id:  # the system's items and those of no system (and those already named)
                items = items.filter(
                    Q(system_id=system_id) | Q(system__isnull=True) | Q(pk__in=keep_item_ids or [])
                )
            self.fields["items"].queryset = items.order_by("code")  # type: ignore[attr-defined]


def contact_label(contact: Contact) -> str:
    return f"{contact.name} {contact.phone}".strip()


def int_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "") and str(value).isdigit() else None


class LogCallForm(CustomerFieldsMixin, WeibaoForm):
    """An agent logs a phone call or a forwarded IM/chat message (INT-1, INT-2, TRI-1, TRI-2)."""

    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(Channel.PHONE, Channel.PHONE.label), (Channel.IM, Channel.IM.label)],
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
    )
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    contact = forms.ModelChoiceField(label=_("Contact"), required=False, queryset=Contact.objects.none())
    site = forms.ModelChoiceField(label=_("Site"), required=False, queryset=Site.objects.none())
    system = forms.ModelChoiceField(
        label=_("System"), required=False, queryset=DeliveredSystem.objects.none()
    )
    module = forms.ModelChoiceField(label=_("Module"), required=False, queryset=SystemModule.objects.none())
    items = forms.ModelMultipleChoiceField(
        label=_("Affected items"),
        required=False,
        queryset=ConfigurationItem.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("Their warranties decide who pays (shown below)."),
    )
    reporter_name = forms.CharField(label=_("Reporter name"), required=False, max_length=100)
    reporter_phone = forms.CharField(label=_("Reporter phone"), required=False, max_length=40)
    reporter_email = forms.EmailField(label=_("Reporter email"), required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    problem_started_at = LocalDateTimeField(label=_("Problem started at"), required=False)
    reported_at = LocalDateTimeField(
        label=_("Reported at"),
        required=False,
        help_text=_("When the customer called or wrote; not in the future."),
    )
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    urgency = level_field(_("Urgency"))
    impact = level_field(_("Impact"))
    is_emergency = forms.BooleanField(
        label=_("Emergency: the system is down, start the emergency procedure"), required=False
    )
    # Starts the on-site clock (SLA-1: on site within 4 h, 48 h for remote sites) from the report time.
    needs_onsite = forms.BooleanField(
        label=_("Needs an on-site visit"),
        required=False,
        help_text=_("Starts the on-site service level (e.g. an engineer on site within 4 hours)."),
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]
        self.fields["category"].choices = category_choices()  # type: ignore[attr-defined]
        source = self.data if self.is_bound else self.initial
        self.limit_to_customer(
            customer_id=int_or_none(source.get("customer")), system_id=int_or_none(source.get("system"))
        )
        if not self.is_bound:
            self.initial.setdefault("reported_at", timezone.localtime().replace(second=0, microsecond=0))

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "channel": d["channel"],
            "customer_id": d["customer"].pk,
            "contact_id": pk_of(d.get("contact")),
            "site_id": pk_of(d.get("site")),
            "system_id": pk_of(d.get("system")),
            "module_id": pk_of(d.get("module")),
            "reporter_name": d.get("reporter_name") or "",
            "reporter_phone": d.get("reporter_phone") or "",
            "reporter_email": d.get("reporter_email") or "",
            "title": d["title"],
            "description": d.get("description") or "",
            "problem_started_at": d.get("problem_started_at"),
            "reported_at": d.get("reported_at"),
            "category_id": d.get("category"),
            "urgency": d.get("urgency") or None,
            "impact": d.get("impact") or None,
            "is_emergency": bool(d.get("is_emergency")),
            "needs_onsite": bool(d.get("needs_onsite")),
            "attachments": d.get("attachments") or [],
            "item_ids": [i.pk for i in d.get("items") or []],
        }


def pk_of(obj: Any) -> int | None:
    return obj.pk if obj is not None else None


# Plain-language questions for customers: the answers are the urgency and impact levels (INT-2).
URGENCY_QUESTIONS = [
    (Level.HIGH, _("Work has stopped: it must be fixed as soon as possible")),
    (Level.MEDIUM, _("Work is hampered: it should be fixed today")),
    (Level.LOW, _("It can wait: there is a workaround")),
]
IMPACT_QUESTIONS = [
    (Level.HIGH, _("A whole hospital, department or many users")),
    (Level.MEDIUM, _("A few users or one workstation group")),
    (Level.LOW, _("Only me")),
]


class PortalReportForm(CustomerFieldsMixin, WeibaoForm):
    """A customer's report from the portal: only their own customer's systems are offered."""

    title = forms.CharField(label=_("What is the problem? (short)"), max_length=200)
    description = forms.CharField(
        label=_("Describe it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What did you do, what happened, any error message shown."),
    )
    system = forms.ModelChoiceField(
        label=_("Which system is affected?"), required=False, queryset=DeliveredSystem.objects.none()
    )
    module = forms.ModelChoiceField(
        label=_("Which module?"), required=False, queryset=SystemModule.objects.none()
    )
    problem_started_at = LocalDateTimeField(label=_("When did it start?"), required=False)
    urgency = forms.TypedChoiceField(
        label=_("How urgent is it?"),
        choices=URGENCY_QUESTIONS,
        coerce=int,
        initial=Level.MEDIUM,
        widget=forms.RadioSelect,
    )
    impact = forms.TypedChoiceField(
        label=_("Who is affected?"),
        choices=IMPACT_QUESTIONS,
        coerce=int,
        initial=Level.LOW,
        widget=forms.RadioSelect,
    )
    attachments = MultipleFileField(label=_("Screenshots or files"))

    def __init__(self, *args: Any, customer_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = self.data if self.is_bound else self.initial
        self.limit_to_customer(customer_id=customer_id, system_id=int_or_none(source.get("system")))

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "channel": Channel.PORTAL,
            "customer_id": None,
            "title": d["title"],
            "description": d.get("description") or "",
            "system_id": pk_of(d.get("system")),
            "module_id": pk_of(d.get("module")),
            "problem_started_at": d.get("problem_started_at"),
            "urgency": d.get("urgency"),
            "impact": d.get("impact"),
            "attachments": d.get("attachments") or [],
        }
