"""Forms for the customer pages. They parse input; services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.accounts.forms import UserModelChoiceField, WeibaoForm
from weibao.accounts.models import User
from weibao.calendars.models import Calendar
from weibao.customers.choices import DistanceClass
from weibao.customers.models import Customer, Site


class CustomerFilterForm(WeibaoForm):
    q = forms.CharField(label=_("Search"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    include_inactive = forms.BooleanField(label=_("Include inactive"), required=False)

    def __init__(self, *args: Any, regions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.ChoiceField)
        region_field.choices = [("", _("All regions")), *((r, r) for r in regions)]


def _calendar_field(empty_label: Any, help_text: Any) -> forms.TypedChoiceField:
    """A select of working calendars whose value is the id the services take (empty: ``None``)."""

    def choices() -> list[tuple[Any, Any]]:
        return [("", empty_label), *Calendar.objects.order_by("name").values_list("pk", "name")]

    return forms.TypedChoiceField(
        label=_("Working calendar"),
        choices=choices,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=help_text,
    )


class CustomerForm(WeibaoForm):
    code = forms.SlugField(
        label=_("Code"), max_length=64, help_text=_("Short unique identifier, e.g. sh-renji")
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email_domains = forms.CharField(
        label=_("Email domains"),
        max_length=300,
        required=False,
        help_text=_(
            "Comma-separated, e.g. hospital.example.cn; mail from these domains belongs to this customer"
        ),
    )
    calendar_id = _calendar_field(
        _("Default working calendar"),
        _("Office hours, holidays and make-up workdays the SLA targets of this customer count on."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    @staticmethod
    def initial_for(customer: Customer) -> dict[str, Any]:
        names = ("code", "name", "region", "address", "phone", "email_domains", "calendar_id", "notes")
        return {name: getattr(customer, name) for name in (*names, "is_active")}


class CustomerEditForm(CustomerForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)


class SiteForm(WeibaoForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    distance_class = forms.ChoiceField(
        label=_("Distance class"),
        choices=DistanceClass.choices,
        help_text=_("Sets the on-site response target: remote sites (beyond 200 km) get 48 hours."),
    )
    calendar_id = _calendar_field(
        _("The customer's working calendar"),
        _("Choose one only when this site keeps different hours from the rest of the customer."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["is_active"]  # new sites start active


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


def _sites_field(customer: Customer) -> SiteChoiceField:
    return SiteChoiceField(
        label=_("Site"), required=False, queryset=Site.objects.filter(customer=customer).order_by("name")
    )


class ContactForm(WeibaoForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    title = forms.CharField(label=_("Job title"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("An inactive contact's portal login sees nothing."),
    )
    create_login = forms.BooleanField(label=_("Create a portal login for this contact"), required=False)
    portal_username = forms.CharField(label=_("Portal username"), max_length=150, required=False)
    portal_password = forms.CharField(
        label=_("Initial portal password"), required=False, strip=False, widget=forms.PasswordInput
    )
    link_user = UserModelChoiceField(
        label=_("Or link an existing portal user"), required=False, queryset=User.objects.none()
    )
    unlink_user = forms.BooleanField(label=_("Remove the portal login from this contact"), required=False)

    def __init__(
        self,
        *args: Any,
        customer: Customer,
        has_login: bool,
        linkable_users: Any = None,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["is_active"]  # new contacts start active
        self.fields["site"] = _sites_field(customer)
        self.order_fields(["name", "title", "phone", "email", "site", "is_active"])
        self.fields["site"].widget.attrs["class"] = "form-select"
        if has_login:
            for name in ("create_login", "portal_username", "portal_password", "link_user"):
                del self.fields[name]
        else:
            del self.fields["unlink_user"]
            link_field = self.fields["link_user"]
            assert isinstance(link_field, forms.ModelChoiceField)
            if linkable_users is None:
                del self.fields["link_user"]
            else:
                link_field.queryset = linkable_users

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Only presence checks here; username and password rules are the service's.
        if data.get("create_login"):
            if not data.get("portal_username"):
                self.add_error("portal_username", _("Enter a username for the portal login."))
            if not data.get("portal_password"):
                self.add_error("portal_password", _("Enter an initial password for the portal login."))
        return data


class SystemForm(WeibaoForm):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("e.g. HIS, LIS, PACS, core network"))
    version = forms.CharField(label=_("Version"), max_length=50, required=False)
    project_manager = UserModelChoiceField(
        label=_("Project manager"), required=False, queryset=User.objects.none()
    )
    go_live_date = forms.DateField(
        label=_("Go-live date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    warranty_end = forms.DateField(
        label=_("Warranty end"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(
        self, *args: Any, customer: Customer, staff: Any, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["is_active"]  # new systems start active
        self.fields["site"] = _sites_field(customer)
        self.fields["site"].widget.attrs["class"] = "form-select"
        pm_field = self.fields["project_manager"]
        assert isinstance(pm_field, forms.ModelChoiceField)
        pm_field.queryset = staff
        self.order_fields(
            ["name", "version", "site", "project_manager", "go_live_date", "warranty_end", "is_active"]
        )


class ModuleForm(WeibaoForm):
    name = forms.CharField(label=_("Module"), max_length=200, required=False)
    version = forms.CharField(label=_("Version"), max_length=50, required=False)


ModuleFormSet = forms.formset_factory(ModuleForm, extra=3, can_delete=True)
