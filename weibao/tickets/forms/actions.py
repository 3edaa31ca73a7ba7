"""One form per ticket action, posted to ``tickets:action``; each names the service it feeds."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weibao.assets.models import ConfigurationItem
from weibao.customers.models import Contact, DeliveredSystem, Site, SystemModule
from weibao.sla.choices import TargetKind
from weibao.sla.models import SlaPolicy
from weibao.tickets.choices import PendingReason
from weibao.tickets.forms.common import (
    LocalDateTimeField,
    MultipleFileField,
    Pickers,
    WeibaoForm,
    category_choices,
    id_choices,
    level_field,
    score_field,
)
from weibao.tickets.forms.intake import CustomerFieldsMixin, int_or_none, pk_of
from weibao.tickets.models import Ticket
from weibao.tickets.transitions import assign_needs_reason


class ActionForm(WeibaoForm):
    """A form that posts one action to ``tickets:action``; ``version`` guards against stale pages."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    #: The service function in ``weibao.tickets.services``.
    service = ""
    #: Sends ``version=`` to the service (a few services take none).
    versioned = True
    multipart = False

    def __init__(self, *args: Any, ticket: Ticket, pickers: Pickers | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", ticket.version)
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.pickers = pickers or Pickers()

    def service_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class AssignForm(ActionForm):
    service = "ticket_assign"
    assignee = forms.TypedChoiceField(label=_("Engineer"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    deadline = LocalDateTimeField(label=_("Deadline"), required=False)
    requirements = forms.CharField(
        label=_("Requirements"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(
        label=_("Reason for reassigning"),
        required=False,
        help_text=_("Needed when the ticket is already dispatched."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = id_choices(  # type: ignore[attr-defined]
            self.pickers.engineers, empty=_("No engineer (team only)")
        )
        self.fields["team"].choices = id_choices(self.pickers.teams, empty=_("No team"))  # type: ignore[attr-defined]
        if not assign_needs_reason(ticket=self.ticket):
            # A first dispatch needs no reason; the field only confuses.
            del self.fields["reason"]
        if not self.is_bound:
            self.initial.update(
                assignee=self.ticket.assignee_id,
                team=self.ticket.team_id,
                requirements=self.ticket.dispatch_requirements,
            )

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "assignee_id": d.get("assignee"),
            "team_id": d.get("team"),
            "deadline": d.get("deadline"),
            "requirements": d.get("requirements") or "",
            "reason": d.get("reason") or "",
        }


class StartForm(ActionForm):
    service = "ticket_start"


class PendForm(ActionForm):
    service = "ticket_pend"
    reason = forms.ChoiceField(
        label=_("Waiting for"), choices=PendingReason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ResumeForm(ActionForm):
    service = "ticket_resume"
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(ActionForm):
    service = "ticket_resolve"
    analysis = forms.CharField(
        label=_("Analysis (cause)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    solution = forms.CharField(label=_("Solution"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class VerifyForm(ActionForm):
    service = "ticket_verify"
    note = forms.CharField(
        label=_("Reply to the customer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you checked; the customer reads this in the portal."),
    )


class CloseForm(ActionForm):
    service = "ticket_close"
    score = score_field(required=False)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RateForm(ActionForm):
    service = "ticket_rate"
    score = score_field(required=True)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(ReasonForm):
    service = "ticket_reopen"


class CancelForm(ReasonForm):
    service = "ticket_cancel"


class MergeForm(ActionForm):
    service = "ticket_merge"
    into_ticket = forms.IntegerField(label=_("Merge into ticket number"), min_value=1)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def service_kwargs(self) -> dict[str, Any]:
        # The view turns the number into the id through the scoped selector.
        return {"note": self.cleaned_data.get("note") or ""}


class EscalateForm(ActionForm):
    service = "ticket_escalate"
    to_user = forms.TypedChoiceField(
        label=_("Escalate to"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Leave empty to escalate to your superior."),
    )
    reason = forms.CharField(
        label=_("What help is needed"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_user"].choices = id_choices(self.pickers.staff, _("My superior"))  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "to_user_id": self.cleaned_data.get("to_user"),
            "reason": self.cleaned_data.get("reason") or "",
        }


class AddCollaboratorForm(ActionForm):
    service = "ticket_add_collaborator"
    versioned = False
    user = forms.TypedChoiceField(label=_("Colleague"), required=True, coerce=int, empty_value=None)
    note = forms.CharField(label=_("Note"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = id_choices(self.pickers.staff)  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        return {"user_id": self.cleaned_data["user"], "note": self.cleaned_data.get("note") or ""}


class ProgressForm(ActionForm):
    service = "progress_record"
    body = forms.CharField(
        label=_("What the customer was told"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CommentForm(ActionForm):
    """A reply (public) or, for staff who may, an internal note."""

    service = "comment_create"
    multipart = True
    body = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    internal = forms.BooleanField(label=_("Internal note (not shown to the customer)"), required=False)
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args: Any, allow_internal: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_internal:
            del self.fields["internal"]

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "body": d.get("body") or "",
            "internal": bool(d.get("internal")),
            "attachments": d.get("attachments") or [],
        }


class NoteForm(CommentForm):
    """An internal note posted directly (``/actions/note/``)."""

    def service_kwargs(self) -> dict[str, Any]:
        return {**super().service_kwargs(), "internal": True}


class EditForm(CustomerFieldsMixin, ActionForm):
    """Triage and details (PATCH): priority follows urgency, impact and the emergency flag."""

    service = "ticket_update"
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    urgency = level_field(_("Urgency"), required=True)
    impact = level_field(_("Impact"), required=True)
    is_emergency = forms.BooleanField(label=_("Emergency"), required=False)
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
    )
    reporter_name = forms.CharField(label=_("Reporter name"), required=False, max_length=100)
    reporter_phone = forms.CharField(label=_("Reporter phone"), required=False, max_length=40)
    reporter_email = forms.EmailField(label=_("Reporter email"), required=False)
    problem_started_at = LocalDateTimeField(label=_("Problem started at"), required=False)
    reported_at = LocalDateTimeField(label=_("Reported at"))
    needs_onsite = forms.BooleanField(label=_("Needs an on-site visit"), required=False)
    sla_policy = forms.TypedChoiceField(
        label=_("SLA policy"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Empty: the policy of the customer's service contract."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        t = self.ticket
        self.fields["category"].choices = category_choices()  # type: ignore[attr-defined]
        self.fields["sla_policy"].choices = [  # type: ignore[attr-defined]
            ("", _("The customer's contract")),
            *SlaPolicy.objects.filter(is_active=True).order_by("name").values_list("pk", "name"),
        ]
        if not self.is_bound:
            self.initial.update(
                title=t.title,
                category=t.category_id,
                urgency=t.urgency,
                impact=t.impact,
                is_emergency=t.is_emergency,
                contact=t.contact_id,
                site=t.site_id,
                system=t.system_id,
                module=t.module_id,
                reporter_name=t.reporter_name,
                reporter_phone=t.reporter_phone,
                reporter_email=t.reporter_email,
                problem_started_at=t.problem_started_at,
                reported_at=t.reported_at,
                needs_onsite=t.needs_onsite,
                sla_policy=t.sla_policy_id,
            )
        current = [i.pk for i in t.items.all()]
        if not self.is_bound:
            self.initial["items"] = current
        source = self.data if self.is_bound else self.initial
        self.limit_to_customer(
            customer_id=t.customer_id, system_id=int_or_none(source.get("system")), keep_item_ids=current
        )

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "changes": {
                "title": d["title"],
                "category_id": d.get("category"),
                "urgency": d["urgency"],
                "impact": d["impact"],
                "is_emergency": bool(d.get("is_emergency")),
                "contact_id": pk_of(d.get("contact")),
                "site_id": pk_of(d.get("site")),
                "system_id": pk_of(d.get("system")),
                "module_id": pk_of(d.get("module")),
                "reporter_name": d.get("reporter_name") or "",
                "reporter_phone": d.get("reporter_phone") or "",
                "reporter_email": d.get("reporter_email") or "",
                "needs_onsite": bool(d.get("needs_onsite")),
                "item_ids": [i.pk for i in d.get("items") or []],
                **self._changed_times(d),
                # Sent only when chosen: re-sending the policy in force would re-validate it on every edit.
                **({"sla_policy_id": d.get("sla_policy")} if "sla_policy" in self.changed_data else {}),
            }
        }

    def _changed_times(self, data: dict[str, Any]) -> dict[str, Any]:
        """Times the user actually changed. The inputs show minutes only, so an untouched field would
        otherwise round the stored seconds away and log a meaningless change."""
        changed: dict[str, Any] = {}
        for name in ("problem_started_at", "reported_at"):
            new, old = data.get(name), getattr(self.ticket, name)
            same = (new is None and old is None) or (
                new is not None and old is not None and new == old.replace(second=0, microsecond=0)
            )
            if not same:
                changed[name] = new
        return changed


class ArriveForm(ActionForm):
    """The time the engineer arrived on site (reported by phone until field service checks in)."""

    service = "ticket_record_arrival"
    arrived_at = LocalDateTimeField(label=_("Arrived on site at"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("arrived_at", timezone.localtime().replace(second=0, microsecond=0))


class ExplainBreachForm(ActionForm):
    """Why a target was missed; one form per breach, naming its target."""

    service = "ticket_explain_breach"
    versioned = False  # an explanation does not change the ticket
    kind = forms.ChoiceField(choices=TargetKind.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why was the target missed?"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "assign": AssignForm,
    "start": StartForm,
    "pend": PendForm,
    "resume": ResumeForm,
    "resolve": ResolveForm,
    "verify": VerifyForm,
    "close": CloseForm,
    "rate": RateForm,
    "reopen": ReopenForm,
    "cancel": CancelForm,
    "merge": MergeForm,
    "escalate": EscalateForm,
    "add_collaborator": AddCollaboratorForm,
    "progress": ProgressForm,
    "comment": CommentForm,
    "note": NoteForm,
    "edit": EditForm,
    "arrive": ArriveForm,
    "explain_breach": ExplainBreachForm,
}
