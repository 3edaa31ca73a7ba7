"""Forms of the notification pages. They parse and offer choices; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.accounts.forms import WeibaoForm
from weibao.accounts.models import Team
from weibao.customers.models import Customer
from weibao.notifications.choices import (
    CONTACT_EVENTS,
    RULE_EVENTS,
    Channel,
    DeliveryStatus,
    NotifyEvent,
    RuleAudience,
    WebhookKind,
)
from weibao.notifications.models import NotificationPreference, NotificationRule, Webhook
from weibao.notifications.services import RuleCell


class PreferenceForm(WeibaoForm):
    """One row per event with "in the app" and "by email" switches (ticked: I want it), and quiet hours."""

    quiet_start = forms.TimeField(
        label=_("Quiet hours from"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, preference: NotificationPreference, **kwargs: Any) -> None:
        initial = {
            "quiet_start": preference.quiet_start,
            "quiet_end": preference.quiet_end,
            "version": preference.version if preference.pk else None,
        }
        for event in NotifyEvent.values:
            initial[f"app_{event}"] = event not in preference.muted_in_app
            initial[f"email_{event}"] = event not in preference.muted_email
        super().__init__(*args, initial=initial, **kwargs)
        for event in NotifyEvent.values:
            self.fields[f"app_{event}"] = forms.BooleanField(required=False)
            self.fields[f"email_{event}"] = forms.BooleanField(required=False)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"label": label, "app": self[f"app_{event}"], "email": self[f"email_{event}"]}
            for event, label in NotifyEvent.choices
        ]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "muted_in_app": [e for e in NotifyEvent.values if not data.get(f"app_{e}")],
            "muted_email": [e for e in NotifyEvent.values if not data.get(f"email_{e}")],
            "quiet_start": data.get("quiet_start"),
            "quiet_end": data.get("quiet_end"),
            "version": data.get("version"),
        }


class RuleGridForm(WeibaoForm):
    """The rules grid: a switch per (event, audience, channel); contacts have email only."""

    fingerprint = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, grid: dict[tuple[str, str], NotificationRule], fingerprint: str, **kwargs: Any
    ) -> None:
        initial: dict[str, Any] = {"fingerprint": fingerprint}
        for (event, audience), rule in grid.items():
            initial[f"{event}__{audience}__app"] = rule.in_app
            initial[f"{event}__{audience}__email"] = rule.email
        super().__init__(*args, initial=initial, **kwargs)
        for event in RULE_EVENTS:
            for audience in RuleAudience.values:
                for channel in ("app", "email"):
                    if self._offered(event, audience, channel):
                        self.fields[f"{event}__{audience}__{channel}"] = forms.BooleanField(required=False)

    @staticmethod
    def _offered(event: str, audience: str, channel: str) -> bool:
        if audience == RuleAudience.CONTACT:
            return channel == "email" and event in CONTACT_EVENTS
        return True

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for event in RULE_EVENTS:
            label = event.label
            cells = []
            for audience in RuleAudience.values:
                cells.append(
                    {
                        "app": self[f"{event}__{audience}__app"]
                        if self._offered(event, audience, "app")
                        else None,
                        "email": self[f"{event}__{audience}__email"]
                        if self._offered(event, audience, "email")
                        else None,
                    }
                )
            rows.append({"event": event, "label": label, "cells": cells})
        return rows

    def cells(self) -> list[RuleCell]:
        data = self.cleaned_data
        return [
            RuleCell(
                event=event,
                audience=audience,
                in_app=bool(data.get(f"{event}__{audience}__app")),
                email=bool(data.get(f"{event}__{audience}__email")),
            )
            for event in RULE_EVENTS
            for audience in RuleAudience.values
        ]


class WebhookForm(WeibaoForm):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("E.g. the group chat's name."))
    kind = forms.ChoiceField(label=_("Kind"), choices=WebhookKind.choices)
    url = forms.CharField(
        label=_("Webhook URL"),
        max_length=500,
        help_text=_(
            "The robot's address as its app shows it, e.g. https://oapi.dingtalk.com/robot/send?access_token=…"
        ),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "DingTalk's signing secret (SEC…), Feishu's signature key, or the generic webhook's key. "
            "Leave empty to keep the stored one."
        ),
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.order_by("name"), required=False)
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.order_by("name"), required=False
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=NotifyEvent.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "None ticked: ticket created, assigned, SLA warning and breach, resolved, low ratings; a "
            "customer's group (a customer and no team): only created, resolved and closed."
        ),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    @classmethod
    def initial_for(cls, webhook: Webhook) -> dict[str, Any]:
        return {
            "name": webhook.name,
            "kind": webhook.kind,
            "url": webhook.url,
            "team": webhook.team_id,
            "customer": webhook.customer_id,
            "events": list(webhook.events),
            "is_active": webhook.is_active,
            "version": webhook.version,
        }

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {
            "name": data["name"],
            "kind": data["kind"],
            "url": data["url"],
            "secret": data.get("secret") or "",
            "team_id": data["team"].pk if data.get("team") else None,
            "customer_id": data["customer"].pk if data.get("customer") else None,
            "events": data.get("events") or [],
            "is_active": bool(data.get("is_active")),
        }
        return {"fields": fields, "version": data.get("version")}


class DeliveryFilterForm(WeibaoForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *DeliveryStatus.choices]
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[
            ("", _("All")),
            (Channel.EMAIL, Channel.EMAIL.label),
            (Channel.WEBHOOK, Channel.WEBHOOK.label),
        ],
    )
    ticket = forms.IntegerField(label=_("Ticket number"), required=False, min_value=1)
