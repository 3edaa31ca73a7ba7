"""Forms of the email pages. They parse and offer choices; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.accounts.forms import WeibaoForm
from weibao.accounts.models import Team
from weibao.customers.models import Contact, Customer
from weibao.mail.choices import MailAuth, MailSecurity, UnknownSender
from weibao.mail.models import Mailbox


class MailboxForm(WeibaoForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    address = forms.EmailField(
        label=_("Email address"),
        required=False,
        help_text=_("The address customers write to, e.g. support@…"),
    )
    host = forms.CharField(label=_("IMAP server"), max_length=255)
    port = forms.IntegerField(label=_("Port"), initial=993, min_value=1, max_value=65535)
    security = forms.ChoiceField(label=_("Security"), choices=MailSecurity.choices, initial=MailSecurity.SSL)
    username = forms.CharField(label=_("User name"), max_length=255)
    auth = forms.ChoiceField(label=_("Sign in with"), choices=MailAuth.choices, initial=MailAuth.PASSWORD)
    secret = forms.CharField(
        label=_("Password or access token"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the stored one."),
    )
    folder = forms.CharField(label=_("Folder"), max_length=255, initial="INBOX")
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.filter(is_active=True).order_by("name"),
        required=False,
        help_text=_("A mailbox of one customer: every new mail becomes that customer's ticket."),
    )
    team = forms.ModelChoiceField(
        label=_("Queue (team)"), queryset=Team.objects.order_by("name"), required=False
    )
    unknown_sender = forms.ChoiceField(
        label=_("Unknown senders"), choices=UnknownSender.choices, initial=UnknownSender.HOLD
    )
    is_active = forms.BooleanField(label=_("Active (polled every minute)"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    @classmethod
    def initial_for(cls, mailbox: Mailbox) -> dict[str, Any]:
        return {
            "name": mailbox.name,
            "address": mailbox.address,
            "host": mailbox.host,
            "port": mailbox.port,
            "security": mailbox.security,
            "username": mailbox.username,
            "auth": mailbox.auth,
            "folder": mailbox.folder,
            "customer": mailbox.customer_id,
            "team": mailbox.team_id,
            "unknown_sender": mailbox.unknown_sender,
            "is_active": mailbox.is_active,
            "version": mailbox.version,
        }

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {
            "name": data["name"],
            "address": data.get("address") or "",
            "host": data["host"],
            "port": data["port"],
            "security": data["security"],
            "username": data["username"],
            "auth": data["auth"],
            "secret": data.get("secret") or "",
            "folder": data.get("folder") or "INBOX",
            "customer_id": data["customer"].pk if data.get("customer") else None,
            "team_id": data["team"].pk if data.get("team") else None,
            "unknown_sender": data["unknown_sender"],
            "is_active": bool(data.get("is_active")),
        }
        return {"fields": fields, "version": data.get("version")}


class InboundAssignForm(WeibaoForm):
    """A held mail becomes a ticket of the chosen customer (from a contact, or the sender as a new one)."""

    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.filter(is_active=True).order_by("name")
    )
    contact = forms.ModelChoiceField(
        label=_("Contact"),
        queryset=Contact.objects.filter(is_active=True).select_related("customer").order_by("name"),
        required=False,
        help_text=_("Empty: the sender is added as a new contact of the customer."),
    )
