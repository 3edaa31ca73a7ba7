"""Typed shapes of the tickets API (request bodies, query strings and responses).

Times go out as ISO 8601 in the site's time zone with its offset (``2025-03-01T09:30:00+08:00``)
and must come in with an offset: a naive time is refused (422) rather than guessed.
Inputs forbid unknown fields, so a misspelt field is a 422 naming it instead of a silent no-op.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Schema
from pydantic import AwareDatetime, ConfigDict, PlainSerializer, WithJsonSchema, field_validator

from weibao.sla.choices import ClockState, SegmentKind, TargetKind
from weibao.tickets.choices import (
    CategoryKind,
    Channel,
    CloseKind,
    CommentKind,
    EventKind,
    Level,
    PendingReason,
    Priority,
    Status,
    Visibility,
)
from weibao.tickets.permissions import allowed_actions, can_view_internal
from weibao.tickets.selectors import MAX_PAGE_SIZE, QUEUES, SORTS, TicketFilters
from weibao.tickets.sla_selectors import ticket_sla_json


def _local_iso(value: datetime) -> str:
    return timezone.localtime(value).isoformat()


#: An aware datetime rendered in the site's time zone, with its offset.
Timestamp = Annotated[
    datetime,
    PlainSerializer(_local_iso, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def _choice_values(choices: Any) -> list[Any]:
    return list(choices.values)


def _actor(context: Any) -> Any:
    return context["request"].auth if context else None


# --------------------------------------------------------------------------- errors


class ErrorOut(Schema):
    """Every error answer: a human message, a stable machine code and, for bad input, the field."""

    detail: str
    code: str
    field: str | None = None


# --------------------------------------------------------------------------- references


class Ref(Schema):
    """A related record by id and display name."""

    id: int
    name: str


class UserRef(Schema):
    """A person by id and display name."""

    id: int
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)


class TeamRef(Schema):
    id: int
    code: str
    name: str


class CategoryRef(Schema):
    id: int
    code: str
    name: str
    kind: str = Field(default=..., json_schema_extra={"enum": _choice_values(CategoryKind)})
    parent_id: int | None
    full_name: str

    @staticmethod
    def resolve_full_name(obj: Any) -> str:
        return str(obj)


# --------------------------------------------------------------------------- tickets


class SlaTargetOut(Schema):
    """One promise of the ticket (SLA-1): its clock as of now."""

    state: str = Field(default=..., json_schema_extra={"enum": _choice_values(ClockState)})
    due_at: Timestamp | None = Field(default=..., description="Null while paused")
    met_at: Timestamp | None
    paused_minutes: int = Field(default=..., description="Wall-clock minutes spent paused")
    target_minutes: int = Field(default=..., description="Working minutes the target allows")
    calendar: str = Field(default=..., description="Slug of the working calendar it counts on")
    missing_holiday_years: list[int] = Field(
        default=..., description="Years the deadline spans that have no holiday data"
    )


class TicketOut(Schema):
    """A ticket as the caller may see it, with the actions the caller may take now."""

    id: int
    number: int
    status: str = Field(default=..., json_schema_extra={"enum": _choice_values(Status)})
    pending_reason: str | None = Field(
        default=None, json_schema_extra={"enum": [*_choice_values(PendingReason), None]}
    )
    priority: int = Field(default=..., description="1 critical, 2 high, 3 normal, 4 low",
                          json_schema_extra={"enum": _choice_values(Priority)})  # fmt: skip
    urgency: int = Field(
        default=..., description="1 high, 2 medium, 3 low", json_schema_extra={"enum": _choice_values(Level)}
    )
    impact: int = Field(
        default=..., description="1 high, 2 medium, 3 low", json_schema_extra={"enum": _choice_values(Level)}
    )
    is_emergency: bool
    category: CategoryRef | None
    customer: Ref
    contact: Ref | None
    reporter_name: str
    reporter_phone: str
    reporter_email: str
    site: Ref | None
    system: Ref | None
    module: Ref | None
    channel: str = Field(default=..., json_schema_extra={"enum": _choice_values(Channel)})
    title: str
    description: str = Field(default=..., description="Sanitised HTML")
    problem_started_at: Timestamp | None
    reported_at: Timestamp
    assignee: UserRef | None
    team: TeamRef | None
    dispatch_deadline: Timestamp | None
    dispatch_requirements: str | None = Field(default=None, description="Staff only")
    escalated_to: UserRef | None = Field(default=None, description="Staff only")
    collaborators: list[UserRef] | None = Field(default=None, description="Staff only")
    analysis: str
    solution: str
    resolved_at: Timestamp | None
    verified_at: Timestamp | None
    verification_note: str
    closed_at: Timestamp | None
    close_kind: str | None = Field(
        default=None, json_schema_extra={"enum": [*_choice_values(CloseKind), None]}
    )
    satisfaction: int | None = Field(default=None, ge=1, le=5)
    satisfaction_comment: str
    rated_at: Timestamp | None
    merged_into: int | None = Field(
        default=None, description="Number of the ticket this duplicate was merged into"
    )
    last_progress_at: Timestamp | None
    progress_due_at: Timestamp | None
    needs_onsite: bool
    first_response_at: Timestamp | None
    onsite_arrived_at: Timestamp | None
    sla_policy: Ref | None
    sla_breached: bool
    sla: dict[str, SlaTargetOut] = Field(
        default=...,
        description="Per target (response, onsite, resolution): due_at, met_at, state, paused_minutes",
    )
    created_at: Timestamp
    updated_at: Timestamp
    version: int = Field(default=..., description="Send it back with a change; a stale version answers 409")
    allowed_actions: list[str] = Field(
        default=..., description="What the caller may do now (assign, start, ...)"
    )

    @staticmethod
    def resolve_sla(obj: Any) -> dict[str, Any]:
        return ticket_sla_json(ticket=obj)

    @staticmethod
    def resolve_pending_reason(obj: Any) -> str | None:
        return obj.pending_reason or None

    @staticmethod
    def resolve_close_kind(obj: Any) -> str | None:
        return obj.close_kind or None

    @staticmethod
    def resolve_merged_into(obj: Any) -> int | None:
        return obj.merged_into.number if obj.merged_into_id else None

    @staticmethod
    def resolve_dispatch_requirements(obj: Any, context: Any) -> str | None:
        return obj.dispatch_requirements if can_view_internal(actor=_actor(context)) else None

    @staticmethod
    def resolve_escalated_to(obj: Any, context: Any) -> Any:
        return obj.escalated_to if can_view_internal(actor=_actor(context)) else None

    @staticmethod
    def resolve_collaborators(obj: Any, context: Any) -> Any:
        return list(obj.collaborators.all()) if can_view_internal(actor=_actor(context)) else None

    @staticmethod
    def resolve_allowed_actions(obj: Any, context: Any) -> list[str]:
        return allowed_actions(actor=_actor(context), ticket=obj)


class TicketPageOut(Schema):
    """One keyset page: pass ``next_cursor`` back as ``cursor`` for the next one (null at the end)."""

    items: list[TicketOut]
    next_cursor: str | None


_SORT_HELP = "One of: " + ", ".join(sorted(SORTS)) + " (leading '-' newest/highest first)."


class TicketListQuery(Schema):
    """The console's filters. ``status`` and ``priority`` repeat or take comma-separated values."""

    queue: str = Field(default="", description="One of: " + ", ".join(QUEUES))
    status: list[str] = Field(default_factory=list, description="new, assigned, in_progress, ...")
    priority: list[int] = Field(default_factory=list, description="1 critical .. 4 low")
    customer: int | None = Field(default=None, description="Customer id")
    system: int | None = Field(default=None, description="Delivered system id")
    assignee: str = Field(default="", description="A user id, 'me' or 'none'")
    team: int | None = Field(default=None, description="Team id")
    category: int | None = Field(default=None, description="Category id (includes its sub-categories)")
    emergency: bool | None = None
    sla: str = Field(default="", description="'breached' or 'at_risk' (SLA-5)")
    q: str = Field(
        default="", description="Text search in number, title, description, customer, system, comments"
    )
    reported_from: AwareDatetime | None = Field(default=None, description="Inclusive")
    reported_to: AwareDatetime | None = Field(default=None, description="Exclusive")
    sort: str = Field(default="-reported_at", description=_SORT_HELP)
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)

    @field_validator("status", "priority", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list | tuple):
            return [part.strip() for item in value for part in str(item).split(",") if part.strip()]
        return value

    def to_filters(self) -> TicketFilters:
        return TicketFilters(
            queue=self.queue,
            status=self.status,
            priority=self.priority,
            customer_id=self.customer,
            system_id=self.system,
            assignee=self.assignee.strip(),
            team_id=self.team,
            category_id=self.category,
            is_emergency=self.emergency,
            sla=self.sla,
            text=self.q,
            reported_from=self.reported_from,
            reported_to=self.reported_to,
        )


# PATCH fields that may not be null: left out they change nothing (``exclude_unset``), sent as null
# they are a 422. Typed ``Any`` only so the type checker accepts it as the default of a non-null field.
_OMITTED: Any = None


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class TicketCreateIn(_In):
    """A new report. Portal users' tickets always belong to their own customer (``customer_id`` optional)."""

    customer_id: int | None = None
    title: str = Field(default=..., max_length=200)
    description: str = ""
    description_is_html: bool = Field(
        default=False, description="true: description is HTML (sanitised); false: plain text"
    )
    channel: str = Field(default=Channel.API.value, json_schema_extra={"enum": _choice_values(Channel)})
    contact_id: int | None = None
    site_id: int | None = None
    system_id: int | None = None
    module_id: int | None = None
    reporter_name: str = Field(default="", max_length=100)
    reporter_phone: str = Field(default="", max_length=40)
    reporter_email: str = Field(default="", max_length=254)
    problem_started_at: AwareDatetime | None = None
    reported_at: AwareDatetime | None = Field(
        default=None, description="Defaults to now; never in the future"
    )
    category_id: int | None = None
    urgency: int | None = Field(default=None, description="1 high, 2 medium (default), 3 low")
    impact: int | None = Field(default=None, description="1 high, 2 medium (default), 3 low")
    is_emergency: bool = False
    needs_onsite: bool = Field(
        default=False, description="An engineer must go on site (starts the on-site target)"
    )
    item_ids: list[int] = Field(
        default_factory=list,
        description="Configuration items the report is about (GET /tickets/{id}/items tells who pays)",
    )


class TicketPatchIn(_In):
    """Editable details and triage; send only what changes. Priority follows urgency, impact, emergency."""

    title: str = Field(default=_OMITTED, max_length=200)
    description: str = Field(default=_OMITTED, description="HTML, sanitised")
    category_id: int | None = None
    urgency: int = Field(default=_OMITTED, description="1 high, 2 medium, 3 low")
    impact: int = Field(default=_OMITTED, description="1 high, 2 medium, 3 low")
    is_emergency: bool = Field(default=_OMITTED)
    contact_id: int | None = None
    site_id: int | None = None
    system_id: int | None = None
    module_id: int | None = None
    problem_started_at: AwareDatetime | None = None
    reported_at: AwareDatetime = Field(default=_OMITTED)
    reporter_name: str = Field(default=_OMITTED, max_length=100)
    reporter_phone: str = Field(default=_OMITTED, max_length=40)
    reporter_email: str = Field(default=_OMITTED, max_length=254)
    needs_onsite: bool = Field(default=_OMITTED)
    sla_policy_id: int | None = Field(
        default=None, description="An SLA policy for this ticket; null returns to the customer's contract"
    )
    item_ids: list[int] = Field(default=_OMITTED, description="Replaces the configuration items named")
    version: int | None = Field(default=None, description="The version you read; a stale one answers 409")


class VersionIn(_In):
    version: int | None = Field(default=None, description="The version you read; a stale one answers 409")


class AssignIn(VersionIn):
    assignee_id: int | None = None
    team_id: int | None = None
    deadline: AwareDatetime | None = None
    requirements: str = ""
    reason: str = Field(
        default="", description="Required when the ticket is already dispatched (reassignment)"
    )


class PendIn(VersionIn):
    reason: str = Field(default=..., json_schema_extra={"enum": _choice_values(PendingReason)})
    note: str = Field(default="", description="Required when the reason is 'other'")


class NoteIn(VersionIn):
    note: str = ""


class ResolveIn(VersionIn):
    analysis: str
    solution: str


class VerifyIn(VersionIn):
    note: str = Field(
        default=..., description="What was checked and told the customer; posted as a public reply"
    )


class CloseIn(VersionIn):
    score: int | None = Field(default=None, description="Optional satisfaction rating 1-5")
    comment: str = ""


class RateIn(VersionIn):
    score: int = Field(default=..., description="1-5")
    comment: str = ""


class ReasonIn(VersionIn):
    reason: str


class MergeIn(VersionIn):
    into_ticket_id: int
    note: str = ""


class EscalateIn(VersionIn):
    reason: str
    to_user_id: int | None = Field(default=None, description="Defaults to the caller's superior")


class ArriveIn(VersionIn):
    arrived_at: AwareDatetime = Field(default=..., description="When the engineer arrived; not in the future")


class ExplainBreachIn(_In):
    kind: str = Field(default=..., json_schema_extra={"enum": _choice_values(TargetKind)})
    reason: str = Field(default=..., max_length=2000)


class SlaSegmentOut(Schema):
    kind: str = Field(default=..., json_schema_extra={"enum": _choice_values(SegmentKind)})
    reason: str
    started_at: Timestamp
    ended_at: Timestamp | None


class SlaClockOut(Schema):
    kind: str = Field(default=..., json_schema_extra={"enum": _choice_values(TargetKind)})
    state: str = Field(default=..., json_schema_extra={"enum": _choice_values(ClockState)})
    policy: str
    calendar: str
    target_minutes: int
    started_at: Timestamp
    due_at: Timestamp | None
    met_at: Timestamp | None
    paused_minutes: int
    missing_holiday_years: list[int]
    segments: list[SlaSegmentOut]


class SlaBreachOut(Schema):
    kind: str
    due_at: Timestamp
    met_at: Timestamp | None
    late_minutes: int | None
    assignee: UserRef | None
    reason: str
    reason_by: UserRef | None
    reason_at: Timestamp | None


class SlaAlertOut(Schema):
    description: str
    fired_at: Timestamp
    # Null for the seconds between the sweep that recorded the alert and its delivery.
    delivered_at: Timestamp | None
    recipients: int = Field(description="How many people were notified (0 until delivered).")


class TicketSlaOut(Schema):
    """The auditable SLA record of a ticket (SLA-4, SLA-5)."""

    ticket: int
    number: int
    policy: Ref | None
    clocks: list[SlaClockOut]
    breaches: list[SlaBreachOut]
    alerts: list[SlaAlertOut]


class CollaboratorIn(_In):
    user_id: int
    note: str = ""


class ProgressIn(VersionIn):
    body: str
    body_is_html: bool = False


# --------------------------------------------------------------------------- conversation, timeline, files


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    internal: bool = Field(default=..., alias="is_internal")
    comment_id: int | None
    created_at: Timestamp
    download_url: str

    model_config = ConfigDict(populate_by_name=True)

    @staticmethod
    def resolve_download_url(obj: Any) -> str:
        return reverse("api:attachment_download", kwargs={"attachment_id": obj.pk})


class CommentOut(Schema):
    id: int
    author: UserRef | None
    author_contact_name: str | None = Field(
        default=None, description="The customer contact who wrote it by email, when there is no user"
    )
    via_email: bool = Field(default=False, description="Received by email")
    visibility: str = Field(default=..., json_schema_extra={"enum": _choice_values(Visibility)})
    kind: str = Field(default=..., json_schema_extra={"enum": _choice_values(CommentKind)})
    body: str = Field(default=..., description="Sanitised HTML")
    created_at: Timestamp
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_author_contact_name(obj: Any) -> str | None:
        contact = obj.author_contact
        return contact.name if contact is not None else None


class CommentCreateIn(_In):
    body: str
    internal: bool = Field(default=False, description="An internal note, never shown to the customer")
    body_is_html: bool = Field(default=False, description="true: body is HTML (sanitised); false: plain text")
    version: int | None = None


class EventOut(Schema):
    """One immutable timeline entry; ``changes`` maps a field to ``[old, new]``."""

    id: int
    at: Timestamp
    actor: UserRef | None
    kind: str = Field(default=..., json_schema_extra={"enum": _choice_values(EventKind)})
    changes: dict[str, Any]
    note: str
    internal: bool = Field(default=..., alias="is_internal")

    model_config = ConfigDict(populate_by_name=True)


# --------------------------------------------------------------------------- configuration


class CategoryOut(CategoryRef):
    sort_order: int
    is_active: bool


class CategoryIn(_In):
    code: str = Field(default=..., max_length=64)
    name: str = Field(default=..., max_length=100)
    kind: str = Field(default=..., json_schema_extra={"enum": _choice_values(CategoryKind)})
    parent_id: int | None = None
    sort_order: int = Field(default=0, ge=0)
    is_active: bool = True


class MatrixCell(Schema):
    urgency: int = Field(default=..., json_schema_extra={"enum": _choice_values(Level)})
    impact: int = Field(default=..., json_schema_extra={"enum": _choice_values(Level)})
    priority: int = Field(default=..., json_schema_extra={"enum": _choice_values(Priority)})


class PriorityMatrixOut(Schema):
    cells: list[MatrixCell]


class PriorityMatrixIn(_In):
    cells: list[MatrixCell] = Field(default=..., description="All nine urgency x impact cells")


class DeskSettingsOut(Schema):
    auto_close_days: int
    progress_interval_hours: int
    pending_alert_hours: int


class DeskSettingsIn(_In):
    auto_close_days: int
    progress_interval_hours: int
    pending_alert_hours: int | None = Field(
        default=None,
        description="Hours pending before the 'pending too long' notification; omitted: unchanged",
    )


class TicketItemOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    warranty_end: date | None = Field(description="The item's warranty end (its own or its project's)")


class EntitlementOut(Schema):
    service_type: str = Field(description="warranty, contract or paid")
    reason: str


class TicketItemsOut(Schema):
    """The configuration items a ticket names and who pays for work on them today (AST-2)."""

    items: list[TicketItemOut]
    entitlement: EntitlementOut
