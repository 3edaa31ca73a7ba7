"""Forms of the ticket pages. They parse and offer choices; the services validate and decide.

Field names follow the services' argument names without ``_id`` (``customer`` for ``customer_id``),
so :func:`weibao.core.forms.add_domain_error` puts a service's error beside the right field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weibao.accounts.choices import Perm
from weibao.accounts.models import Team, User
from weibao.core.forms import TablerFormMixin
from weibao.customers.models import Contact, Customer, DeliveredSystem, Site, SystemModule
from weibao.tickets.choices import CategoryKind, Channel, Level, PendingReason, Priority, Status
from weibao.tickets.models import Category, Ticket
from weibao.tickets.selectors import QUEUES, SORTS, TicketFilters, category_options
from weibao.tickets.templatetags.ticket_tags import category_label

WORK_PERMS = frozenset({Perm.TICKET_WORK.value, Perm.TICKET_WORK_ANY.value})


# --- widgets and fields -----------------------------------------------------------------------------


class DateTimeLocalInput(forms.DateTimeInput):
    """``<input type="datetime-local">``: the browser shows the viewer's local time; Django makes it aware
    in the active (the user's) time zone when parsing."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class LocalDateTimeField(forms.DateTimeField):
    widget = DateTimeLocalInput


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"class": "form-control", **(attrs or {})})


class MultipleFileField(forms.FileField):
    """Several files in one input; size and type limits are the services' (413 beside the field)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class StarRadioSelect(forms.RadioSelect):
    """1-5 stars; rendered as a button group by ``components/field.html`` (``data-stars``)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"data-stars": "1", **(attrs or {})})


def level_field(label: Any, *, required: bool = False, **kwargs: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=Level.choices,
        coerce=int,
        required=required,
        initial=Level.MEDIUM,
        **kwargs,
    )


def score_field(*, required: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Satisfaction"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=required,
        widget=StarRadioSelect(),
    )


class WeibaoForm(TablerFormMixin, forms.Form):
    """A plain form with Tabler classes, rendered field by field by ``components/field.html``."""


def category_choices() -> list[Any]:
    """Active categories grouped by kind, each with its translated label (built-in ones)."""
    groups: dict[str, list[tuple[int, str]]] = {kind: [] for kind in CategoryKind.values}
    for category in category_options():
        groups.setdefault(category.kind, []).append((category.pk, category_label(category)))
    return [("", "---------")] + [(CategoryKind(kind).label, rows) for kind, rows in groups.items() if rows]


# --- pickers (people and teams) -----------------------------------------------------------------------


@dataclass
class Pickers:
    """Choices of people and teams for one page, read once and shared by every form on it."""

    engineers: list[tuple[int, str]] = field(default_factory=list)
    staff: list[tuple[int, str]] = field(default_factory=list)
    teams: list[tuple[int, str]] = field(default_factory=list)


def pickers_for(*, actor: Any) -> Pickers:
    """Staff (everyone), engineers (staff whose roles let them work on tickets) and active teams."""
    from weibao.accounts.selectors import staff_choices

    staff = list(staff_choices(actor=actor).prefetch_related("roles"))
    engineers = [
        user for user in staff if any(WORK_PERMS & set(role.permissions or []) for role in user.roles.all())
    ]
    teams = Team.objects.filter(is_active=True).order_by("name", "id").values_list("pk", "name")
    return Pickers(
        engineers=[(u.pk, _user_label(u)) for u in engineers],
        staff=[(u.pk, _user_label(u)) for u in staff],
        teams=list(teams),
    )


def _user_label(user: User) -> str:
    return f"{user} ({user.username})" if str(user) != user.username else user.username


def _id_choices(rows: list[tuple[int, str]], empty: Any = "---------") -> list[tuple[Any, Any]]:
    return [("", empty), *rows]


def id_field(label: Any, rows: list[tuple[int, str]], *, required: bool = False, **kw: Any) -> forms.Field:
    return forms.TypedChoiceField(
        label=label, choices=_id_choices(rows), coerce=int, empty_value=None, required=required, **kw
    )


# --- console filters --------------------------------------------------------------------------------

EMERGENCY_CHOICES = [("", _("Emergency")), ("1", _("Emergencies only")), ("0", _("No emergencies"))]


class ConsoleFilterForm(WeibaoForm):
    """The console's filter bar; read from the query string so a filtered view is a link."""

    queue = forms.ChoiceField(
        required=False, choices=[("", "")] + [(k, v) for k, v in QUEUES.items()], widget=forms.HiddenInput
    )
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in SORTS], widget=forms.HiddenInput)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.MultipleChoiceField(
        label=_("Status"), required=False, choices=Status.choices, widget=forms.CheckboxSelectMultiple
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any priority")), *Priority.choices],
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"), required=False, queryset=Customer.objects.none(), empty_label=_("Any customer")
    )
    system = forms.ModelChoiceField(
        label=_("System"),
        required=False,
        queryset=DeliveredSystem.objects.none(),
        empty_label=_("Any system"),
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    emergency = forms.ChoiceField(label=_("Emergency"), required=False, choices=EMERGENCY_CHOICES)

    def __init__(self, *args: Any, pickers: Pickers, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]
        systems = DeliveredSystem.objects.filter(is_active=True).select_related("customer")
        customer_id = self.data.get("customer") if self.is_bound else None
        if customer_id and str(customer_id).isdigit():
            systems = systems.filter(customer_id=int(customer_id))
        self.fields["system"].queryset = systems.order_by("customer__name", "name")  # type: ignore[attr-defined]
        self.fields["system"].label_from_instance = lambda s: f"{s.customer.name} · {s}"  # type: ignore[attr-defined]
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Unassigned")),
            *[(str(pk), label) for pk, label in pickers.engineers],
        ]
        self.fields["team"].choices = _id_choices(pickers.teams, _("Any team"))  # type: ignore[attr-defined]
        self.fields["category"].choices = [("", _("Any category")), *category_choices()[1:]]  # type: ignore[attr-defined]
        for name, fld in self.fields.items():
            fld.widget.attrs.update({"aria-label": fld.label or name, "data-testid": f"filter-{name}"})

    def filters(self) -> TicketFilters:
        """The valid part of the query string as list filters (an invalid value is ignored)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        emergency = data.get("emergency")
        return TicketFilters(
            queue=data.get("queue") or "",
            status=list(data.get("status") or []),
            priority=[data["priority"]] if data.get("priority") else [],
            customer_id=data["customer"].pk if data.get("customer") else None,
            system_id=data["system"].pk if data.get("system") else None,
            assignee=data.get("assignee") or "",
            team_id=data.get("team"),
            category_id=data.get("category"),
            is_emergency={"1": True, "0": False}.get(emergency or ""),
            text=data.get("q") or "",
        )

    def active_count(self) -> int:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        names = ("status", "priority", "customer", "system", "assignee", "team", "category", "emergency")
        return sum(1 for name in names if data.get(name))


class PortalFilterForm(WeibaoForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Open")), *Status.choices],
    )

    def filters(self) -> TicketFilters:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        status = data.get("status") or ""
        if status == "open":
            return TicketFilters(queue="open", text=data.get("q") or "")
        return TicketFilters(status=[status] if status else [], text=data.get("q") or "")


# --- intake -----------------------------------------------------------------------------------------


class CustomerFieldsMixin:
    """Contact, site, system and module choices limited to one customer (and module to the system)."""

    fields: dict[str, forms.Field]

    def limit_to_customer(self, *, customer_id: int | None, system_id: int | None) -> None:
        cid = customer_id or 0
        if "contact" in self.fields:
            self.fields["contact"].queryset = Contact.objects.filter(customer_id=cid, is_active=True)  # type: ignore[attr-defined]
            self.fields["contact"].label_from_instance = _contact_label  # type: ignore[attr-defined]
        if "site" in self.fields:
            self.fields["site"].queryset = Site.objects.filter(customer_id=cid, is_active=True)  # type: ignore[attr-defined]
        self.fields["system"].queryset = DeliveredSystem.objects.filter(customer_id=cid, is_active=True)  # type: ignore[attr-defined]
        self.fields["module"].queryset = SystemModule.objects.filter(  # type: ignore[attr-defined]
            system_id=system_id or 0, system__customer_id=cid
        )


def _contact_label(contact: Contact) -> str:
    return f"{contact.name} {contact.phone}".strip()


def _int_or_none(value: Any) -> int | None:
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
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]
        self.fields["category"].choices = category_choices()  # type: ignore[attr-defined]
        source = self.data if self.is_bound else self.initial
        self.limit_to_customer(
            customer_id=_int_or_none(source.get("customer")), system_id=_int_or_none(source.get("system"))
        )
        if not self.is_bound:
            self.initial.setdefault("reported_at", timezone.localtime().replace(second=0, microsecond=0))

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "channel": d["channel"],
            "customer_id": d["customer"].pk,
            "contact_id": _pk(d.get("contact")),
            "site_id": _pk(d.get("site")),
            "system_id": _pk(d.get("system")),
            "module_id": _pk(d.get("module")),
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
            "attachments": d.get("attachments") or [],
        }


def _pk(obj: Any) -> int | None:
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
        self.limit_to_customer(customer_id=customer_id, system_id=_int_or_none(source.get("system")))

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "channel": Channel.PORTAL,
            "customer_id": None,
            "title": d["title"],
            "description": d.get("description") or "",
            "system_id": _pk(d.get("system")),
            "module_id": _pk(d.get("module")),
            "problem_started_at": d.get("problem_started_at"),
            "urgency": d.get("urgency"),
            "impact": d.get("impact"),
            "attachments": d.get("attachments") or [],
        }


# --- actions on a ticket ------------------------------------------------------------------------------


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
        self.fields["assignee"].choices = _id_choices(self.pickers.engineers)  # type: ignore[attr-defined]
        self.fields["team"].choices = _id_choices(self.pickers.teams)  # type: ignore[attr-defined]
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
        self.fields["to_user"].choices = _id_choices(self.pickers.staff, _("My superior"))  # type: ignore[attr-defined]

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
        self.fields["user"].choices = _id_choices(self.pickers.staff)  # type: ignore[attr-defined]

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
    reporter_name = forms.CharField(label=_("Reporter name"), required=False, max_length=100)
    reporter_phone = forms.CharField(label=_("Reporter phone"), required=False, max_length=40)
    reporter_email = forms.EmailField(label=_("Reporter email"), required=False)
    problem_started_at = LocalDateTimeField(label=_("Problem started at"), required=False)
    reported_at = LocalDateTimeField(label=_("Reported at"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        t = self.ticket
        self.fields["category"].choices = category_choices()  # type: ignore[attr-defined]
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
            )
        source = self.data if self.is_bound else self.initial
        self.limit_to_customer(customer_id=t.customer_id, system_id=_int_or_none(source.get("system")))

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "changes": {
                "title": d["title"],
                "category_id": d.get("category"),
                "urgency": d["urgency"],
                "impact": d["impact"],
                "is_emergency": bool(d.get("is_emergency")),
                "contact_id": _pk(d.get("contact")),
                "site_id": _pk(d.get("site")),
                "system_id": _pk(d.get("system")),
                "module_id": _pk(d.get("module")),
                "reporter_name": d.get("reporter_name") or "",
                "reporter_phone": d.get("reporter_phone") or "",
                "reporter_email": d.get("reporter_email") or "",
                "problem_started_at": d.get("problem_started_at"),
                "reported_at": d.get("reported_at"),
            }
        }


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
}


# --- administration -------------------------------------------------------------------------------


class CategoryForm(WeibaoForm):
    code = forms.SlugField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=CategoryKind.choices)
    parent = forms.TypedChoiceField(
        label=_("Parent"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Empty for a top-level category."),
    )
    sort_order = forms.IntegerField(label=_("Sort order"), min_value=0, initial=0)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, categories: list[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [  # type: ignore[attr-defined]
            ("", "---------"),
            *[(c.pk, category_label(c)) for c in categories if c.parent_id is None],
        ]

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "code": d["code"],
            "name": d["name"],
            "kind": d["kind"],
            "parent_id": d.get("parent"),
            "sort_order": d.get("sort_order") or 0,
            "is_active": bool(d.get("is_active")),
        }


class PriorityMatrixForm(WeibaoForm):
    """One select per urgency x impact cell, named ``cell_<urgency>_<impact>``."""

    def __init__(self, *args: Any, matrix: dict[tuple[int, int], int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for urgency in Level.values:
            for impact in Level.values:
                name = f"cell_{urgency}_{impact}"
                self.fields[name] = forms.TypedChoiceField(
                    label=f"{Level(urgency).label} x {Level(impact).label}",
                    choices=Priority.choices,
                    coerce=int,
                    initial=matrix.get((urgency, impact), Priority.NORMAL),
                )
                self.fields[name].widget.attrs["class"] = "form-select"

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"urgency": Level(u).label, "cells": [self[f"cell_{u}_{i}"] for i in Level.values]}
            for u in Level.values
        ]

    def cells(self) -> dict[tuple[int, int], int]:
        return {(u, i): self.cleaned_data[f"cell_{u}_{i}"] for u in Level.values for i in Level.values}


class DeskSettingsForm(WeibaoForm):
    auto_close_days = forms.IntegerField(
        label=_("Auto-close after (days)"),
        help_text=_("A verified ticket with no objection from the customer is closed after this many days."),
    )
    progress_interval_hours = forms.IntegerField(
        label=_("Progress update interval (hours)"),
        help_text=_(
            "An open ticket is due a progress update to the customer after this many hours without one."
        ),
    )
