"""Tickets API (/api/v1/tickets, /categories, /priority-matrix, /desk-settings, /attachments).

Thin handlers (DESIGN.md rule 3): parse, call one service or selector, render. Permission, scope,
state machine and validation all live in ``tickets.services`` / ``tickets.selectors``; the errors
they raise become ``{"detail", "code"}`` answers in ``weibao.core.api_errors``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db.models import prefetch_related_objects
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile as NinjaUploadedFile
from ninja.responses import Status
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from weibao.core.errors import DomainError, NotFound
from weibao.tickets import selectors, services
from weibao.tickets.models import Ticket
from weibao.tickets.schemas import (
    ArriveIn,
    AssignIn,
    AttachmentOut,
    CategoryIn,
    CategoryOut,
    CloseIn,
    CollaboratorIn,
    CommentCreateIn,
    CommentOut,
    DeskSettingsIn,
    DeskSettingsOut,
    ErrorOut,
    EscalateIn,
    EventOut,
    ExplainBreachIn,
    MergeIn,
    NoteIn,
    PendIn,
    PriorityMatrixIn,
    PriorityMatrixOut,
    ProgressIn,
    RateIn,
    ReasonIn,
    ResolveIn,
    SlaBreachOut,
    TicketCreateIn,
    TicketItemsOut,
    TicketListQuery,
    TicketOut,
    TicketPageOut,
    TicketPatchIn,
    TicketSlaOut,
    VerifyIn,
    VersionIn,
)
from weibao.tickets.sla_selectors import ticket_sla

router = Router(tags=["tickets"])
#: Mounted at the API root: /categories, /priority-matrix, /desk-settings, /attachments/{id}/download.
desk_router = Router(tags=["service desk"])

In = TypeVar("In", bound=BaseModel)

# Error answers each kind of operation can give, for the OpenAPI document.
READ_ERRORS = {frozenset({401, 403, 404, 422}): ErrorOut}
WRITE_ERRORS = {frozenset({400, 401, 403, 404, 409, 413, 422}): ErrorOut}

# Everything the list and detail render beyond what the list selector joins: one query each,
# whatever the page size.
_RENDER_PREFETCH = (
    "collaborators",
    "site",
    "contact",
    "module",
    "merged_into",
    "escalated_to",
    "sla_policy",
    "sla_clocks__calendar",
)


# --------------------------------------------------------------------------- parsing helpers


def _dual_body(schema: type[BaseModel], files_field: str) -> dict[str, Any]:
    """OpenAPI request body for operations taking JSON, or a multipart form with files."""
    json_schema = schema.model_json_schema()
    multipart = {
        **json_schema,
        "properties": {
            **json_schema["properties"],
            files_field: {"type": "array", "items": {"type": "string", "format": "binary"}},
        },
    }
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": json_schema},
                "multipart/form-data": {"schema": multipart},
            },
        }
    }


def _parse_dual(request: HttpRequest, schema: type[In], files_field: str) -> tuple[In, list[UploadedFile]]:
    """A JSON body, or form fields plus files (read from the stream, so big files never hit memory)."""
    files: list[UploadedFile] = []
    if request.content_type == "multipart/form-data":
        # A browser form carries its CSRF token as a field; it is checked by the auth, not input.
        data: Any = {k: v for k, v in request.POST.items() if v != "" and k != "csrfmiddlewaretoken"}
        if "item_ids" in request.POST:  # a list field repeats in a form
            data["item_ids"] = [v for v in request.POST.getlist("item_ids") if v != ""]
        files = request.FILES.getlist(files_field)
        unexpected = sorted(set(request.FILES) - {files_field})
        if unexpected:
            raise NinjaValidationError(
                [{"loc": ("body", unexpected[0]), "msg": "Unexpected file field", "type": "extra_forbidden"}]
            )
    elif request.content_type in ("application/json", "", "text/plain"):
        try:
            data = json.loads(request.body or b"{}")
        except ValueError as exc:
            raise HttpError(400, _("Cannot parse request body")) from exc
        if not isinstance(data, dict):
            raise HttpError(400, _("The request body must be a JSON object."))
    else:
        raise DomainError(_("Send JSON or a multipart form."), code="unsupported_media_type")
    try:
        payload = schema.model_validate(data)
    except PydanticValidationError as exc:
        raise NinjaValidationError(
            [
                {**err, "loc": ("body", *err["loc"])}
                for err in exc.errors(include_url=False, include_context=False)
            ]
        ) from exc
    return payload, files


def _render_tickets(tickets: Sequence[Ticket]) -> Sequence[Ticket]:
    prefetch_related_objects(list(tickets), *_RENDER_PREFETCH)
    return tickets


def _actor(request: HttpRequest) -> Any:
    """The authenticated user (ninja puts what the auth class returned on ``request.auth``)."""
    return request.auth  # type: ignore[attr-defined]


def _fields(payload: BaseModel, *, exclude: set[str] | None = None) -> dict[str, Any]:
    return payload.model_dump(exclude=exclude or set())


# --------------------------------------------------------------------------- tickets: reads


@router.get("", response={200: TicketPageOut, **READ_ERRORS}, url_name="ticket_list")
def list_tickets(request: HttpRequest, filters: Query[TicketListQuery]) -> Any:
    """Tickets in the caller's scope, filtered like the console, newest first, in keyset pages."""
    page = selectors.ticket_list(
        actor=_actor(request),
        filters=filters.to_filters(),
        sort=filters.sort,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": _render_tickets(page.items), "next_cursor": page.next_cursor}


@router.get("/counts", response={200: dict[str, int], **READ_ERRORS}, url_name="ticket_counts")
def queue_counts(request: HttpRequest) -> Any:
    """Open tickets per console queue (``open``, ``mine``, ``unassigned``, ``pending``, ...)."""
    return selectors.ticket_queue_counts(actor=_actor(request))


@router.get("/by-number/{number}", response={200: TicketOut, **READ_ERRORS}, url_name="ticket_by_number")
def get_ticket_by_number(request: HttpRequest, number: int) -> Any:
    return selectors.ticket_get_by_number(actor=_actor(request), number=number)


@router.get("/{ticket_id}", response={200: TicketOut, **READ_ERRORS}, url_name="ticket_detail")
def get_ticket(request: HttpRequest, ticket_id: int) -> Any:
    return selectors.ticket_get(actor=_actor(request), ticket_id=ticket_id)


@router.get(
    "/{ticket_id}/comments", response={200: list[CommentOut], **READ_ERRORS}, url_name="ticket_comments"
)
def list_comments(request: HttpRequest, ticket_id: int) -> Any:
    """Replies and progress updates; internal notes only for staff who may read them."""
    ticket = selectors.ticket_get(actor=_actor(request), ticket_id=ticket_id)
    return selectors.ticket_comments(actor=_actor(request), ticket=ticket)


@router.get("/{ticket_id}/events", response={200: list[EventOut], **READ_ERRORS}, url_name="ticket_events")
def list_events(request: HttpRequest, ticket_id: int) -> Any:
    """The immutable timeline, oldest first; internal events only for staff."""
    ticket = selectors.ticket_get(actor=_actor(request), ticket_id=ticket_id)
    return selectors.ticket_events(actor=_actor(request), ticket=ticket)


@router.get("/{ticket_id}/items", response={200: TicketItemsOut, **READ_ERRORS}, url_name="ticket_items")
def get_ticket_items(request: HttpRequest, ticket_id: int) -> Any:
    """The configuration items the ticket names and who pays for work on them today, with the reason.
    Change them with ``PATCH /tickets/{id}`` and ``item_ids``."""
    ticket = selectors.ticket_get(actor=_actor(request), ticket_id=ticket_id)
    return selectors.ticket_items(ticket=ticket)


@router.get("/{ticket_id}/sla", response={200: TicketSlaOut, **READ_ERRORS}, url_name="ticket_sla")
def get_ticket_sla(request: HttpRequest, ticket_id: int) -> Any:
    """The ticket's SLA clocks with every running/paused segment, its breaches and the alerts sent."""
    ticket = selectors.ticket_get(actor=_actor(request), ticket_id=ticket_id)
    sla = ticket_sla(ticket=ticket)
    views = {v.kind: v for v in sla.views}
    return {
        "ticket": ticket.pk,
        "number": ticket.number,
        "policy": ticket.sla_policy,
        "clocks": [
            {
                "kind": clock.kind,
                "state": views[clock.kind].state,
                "policy": clock.policy.code,
                "calendar": clock.calendar.slug,
                "target_minutes": clock.budget_minutes,
                "started_at": clock.started_at,
                "due_at": clock.due_at,
                "met_at": clock.met_at,
                "paused_minutes": clock.paused_minutes,
                "missing_holiday_years": clock.missing_holiday_years,
                "segments": list(clock.segments.all()),
            }
            for clock in sla.clocks
        ],
        "breaches": sla.breaches,
        "alerts": [
            {
                "description": a.description,
                "fired_at": a.fired_at,
                "delivered_at": a.delivered_at,
                "recipients": len(a.recipients),
            }
            for a in sla.alerts
        ],
    }


@router.get(
    "/{ticket_id}/attachments",
    response={200: list[AttachmentOut], **READ_ERRORS},
    url_name="ticket_attachments",
)
def list_attachments(request: HttpRequest, ticket_id: int) -> Any:
    ticket = selectors.ticket_get(actor=_actor(request), ticket_id=ticket_id)
    return selectors.ticket_attachments(actor=_actor(request), ticket=ticket)


# --------------------------------------------------------------------------- tickets: intake and edits


@router.post(
    "",
    response={201: TicketOut, **WRITE_ERRORS},
    url_name="ticket_create",
    openapi_extra=_dual_body(TicketCreateIn, "attachments"),
)
def create_ticket(request: HttpRequest) -> Any:
    """Report a problem. JSON, or a multipart form with the same fields plus ``attachments`` files."""
    payload, files = _parse_dual(request, TicketCreateIn, "attachments")
    ticket = services.ticket_create(actor=_actor(request), **_fields(payload), attachments=files)
    return Status(201, ticket)


@router.patch("/{ticket_id}", response={200: TicketOut, **WRITE_ERRORS}, url_name="ticket_update")
def update_ticket(request: HttpRequest, ticket_id: int, payload: TicketPatchIn) -> Any:
    """Change details and triage; only the fields sent are changed."""
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    return services.ticket_update(
        actor=_actor(request), ticket_id=ticket_id, version=payload.version, changes=changes
    )


@router.post(
    "/{ticket_id}/attachments", response={201: list[AttachmentOut], **WRITE_ERRORS}, url_name="ticket_attach"
)
def attach_files(
    request: HttpRequest,
    ticket_id: int,
    attachments: File[list[NinjaUploadedFile]],
    internal: Form[bool] = False,
) -> Any:
    """Add files to a ticket (multipart ``attachments``); ``internal`` files are hidden from the customer."""
    stored = services.ticket_attach(
        actor=_actor(request), ticket_id=ticket_id, files=attachments, is_internal=internal
    )
    return Status(201, stored)


# --------------------------------------------------------------------------- tickets: actions


@router.post("/{ticket_id}/assign", response={200: TicketOut, **WRITE_ERRORS}, url_name="ticket_assign")
def assign(request: HttpRequest, ticket_id: int, payload: AssignIn) -> Any:
    """Dispatch to an engineer and/or team; reassigning needs a ``reason``."""
    return services.ticket_assign(actor=_actor(request), ticket_id=ticket_id, **_fields(payload))


@router.post("/{ticket_id}/start", response={200: TicketOut, **WRITE_ERRORS}, url_name="ticket_start")
def start(request: HttpRequest, ticket_id: int, payload: VersionIn | None = None) -> Any:
    return services.ticket_start(
        actor=_actor(request), ticket_id=ticket_id, **_fields(payload or VersionIn())
    )


@router.post("/{ticket_id}/pend", response={200: TicketOut, **WRITE_ERRORS}, url_name="ticket_pend")
def pend(request: HttpRequest, ticket_id: int, payload: PendIn) -> Any:
    """Wait for the customer, a third party or something else (``note`` required for ``other``)."""
    return services.ticket_pend(actor=_actor(request), ticket_id=ticket_id, **_fields(payload))


@router.post("/{ticket_id}/resume", response={200: TicketOut, **WRITE_ERRORS}, url_name="ticket_resume")
def resume(request: HttpRequest, ticket_id: int, payload: NoteIn | None = None) -> Any:
    return services.ticket_resume(actor=_actor(request), ticket_id=ticket_id, **_fields(payload or NoteIn()))


@router.post("/{ticket_id}/resolve", response={200: TicketOut, **WRITE_ERRORS}, url_name="ticket_resolve")
def resolve(request: HttpRequest, ticket_id: int, payload: ResolveIn) -> Any:
    """Record the analysis and the solution."""
    return services.ticket_resolve(actor=_actor(request), ticket_id=ticket_id, **_fields(payload))


@router.post("/{ticket_id}/verify", response={200: TicketOut, **WRITE_ERRORS}, url_name="ticket_verify")
def verify(request: HttpRequest, ticket_id: int, payload: VerifyIn) -> Any:
    """Customer service checked the result; the note is posted as a public reply to the customer."""
    return services.ticket_verify(actor=_actor(request), ticket_id=ticket_id, **_fields(payload))


@router.post("/{ticket_id}/close", response={200: TicketOut, **WRITE_ERRORS}, url_name="ticket_close")
def close(request: HttpRequest, ticket_id: int, payload: CloseIn | None = None) -> Any:
    """The customer confirms (or an agent on the customer's behalf), optionally rating 1-5."""
    return services.ticket_close(actor=_actor(request), ticket_id=ticket_id, **_fields(payload or CloseIn()))


@router.post("/{ticket_id}/rate", response={200: TicketOut, **WRITE_ERRORS}, url_name="ticket_rate")
def rate(request: HttpRequest, ticket_id: int, payload: RateIn) -> Any:
    return services.ticket_rate(actor=_actor(request), ticket_id=ticket_id, **_fields(payload))


@router.post("/{ticket_id}/reopen", response={200: TicketOut, **WRITE_ERRORS}, url_name="ticket_reopen")
def reopen(request: HttpRequest, ticket_id: int, payload: ReasonIn) -> Any:
    return services.ticket_reopen(actor=_actor(request), ticket_id=ticket_id, **_fields(payload))


@router.post("/{ticket_id}/cancel", response={200: TicketOut, **WRITE_ERRORS}, url_name="ticket_cancel")
def cancel(request: HttpRequest, ticket_id: int, payload: ReasonIn) -> Any:
    return services.ticket_cancel(actor=_actor(request), ticket_id=ticket_id, **_fields(payload))


@router.post("/{ticket_id}/merge", response={200: TicketOut, **WRITE_ERRORS}, url_name="ticket_merge")
def merge(request: HttpRequest, ticket_id: int, payload: MergeIn) -> Any:
    """Close this duplicate as merged into ``into_ticket_id`` (same customer); returns the duplicate."""
    return services.ticket_merge(actor=_actor(request), ticket_id=ticket_id, **_fields(payload))


@router.post("/{ticket_id}/escalate", response={200: TicketOut, **WRITE_ERRORS}, url_name="ticket_escalate")
def escalate(request: HttpRequest, ticket_id: int, payload: EscalateIn) -> Any:
    """Ask a superior for help (default: the caller's own superior), who joins as collaborator."""
    return services.ticket_escalate(actor=_actor(request), ticket_id=ticket_id, **_fields(payload))


@router.post(
    "/{ticket_id}/collaborators",
    response={200: TicketOut, **WRITE_ERRORS},
    url_name="ticket_add_collaborator",
)
def add_collaborator(request: HttpRequest, ticket_id: int, payload: CollaboratorIn) -> Any:
    return services.ticket_add_collaborator(actor=_actor(request), ticket_id=ticket_id, **_fields(payload))


@router.post("/{ticket_id}/progress", response={200: TicketOut, **WRITE_ERRORS}, url_name="ticket_progress")
def record_progress(request: HttpRequest, ticket_id: int, payload: ProgressIn) -> Any:
    """Record a progress update given to the customer (kept as a public reply); returns the ticket."""
    comment = services.progress_record(actor=_actor(request), ticket_id=ticket_id, **_fields(payload))
    return comment.ticket


@router.post("/{ticket_id}/arrive", response={200: TicketOut, **WRITE_ERRORS}, url_name="ticket_arrive")
def record_arrival(request: HttpRequest, ticket_id: int, payload: ArriveIn) -> Any:
    """Record when the engineer arrived on site: meets the on-site target (SLA-1)."""
    return services.ticket_record_arrival(actor=_actor(request), ticket_id=ticket_id, **_fields(payload))


@router.post(
    "/{ticket_id}/explain-breach",
    response={200: SlaBreachOut, **WRITE_ERRORS},
    url_name="ticket_explain_breach",
)
def explain_breach(request: HttpRequest, ticket_id: int, payload: ExplainBreachIn) -> Any:
    """The engineer's reason for a missed target (``kind``: response, onsite, resolution)."""
    return services.ticket_explain_breach(actor=_actor(request), ticket_id=ticket_id, **_fields(payload))


@router.post(
    "/{ticket_id}/comments",
    response={201: CommentOut, **WRITE_ERRORS},
    url_name="ticket_comment_create",
    openapi_extra=_dual_body(CommentCreateIn, "attachments"),
)
def create_comment(request: HttpRequest, ticket_id: int) -> Any:
    """A public reply or (``internal``) a note. JSON, or a multipart form plus ``attachments`` files."""
    payload, files = _parse_dual(request, CommentCreateIn, "attachments")
    comment = services.comment_create(
        actor=_actor(request), ticket_id=ticket_id, **_fields(payload), attachments=files
    )
    return Status(201, comment)


# --------------------------------------------------------------------------- files and reference data


@desk_router.get(
    "/attachments/{attachment_id}/download",
    response={200: None, **READ_ERRORS},
    url_name="attachment_download",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as a download",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_attachment(request: HttpRequest, attachment_id: int) -> Any:
    attachment = selectors.attachment_get(actor=_actor(request), attachment_id=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except OSError as exc:
        raise NotFound(_("Attachment not found."), code="attachment_missing") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.filename, content_type=attachment.content_type
    )
    # Never let a browser render an upload (an .html renamed .txt, an SVG) in our origin.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@desk_router.get("/categories", response={200: list[CategoryOut], **READ_ERRORS}, url_name="category_list")
def list_categories(request: HttpRequest, include_inactive: bool = False) -> Any:
    """Report categories (technical / functional / usage question and their sub-categories)."""
    return selectors.category_options(include_inactive=include_inactive)


@desk_router.post("/categories", response={201: CategoryOut, **WRITE_ERRORS}, url_name="category_create")
def create_category(request: HttpRequest, payload: CategoryIn) -> Any:
    return Status(201, services.category_save(actor=_actor(request), **_fields(payload)))


@desk_router.put(
    "/categories/{category_id}", response={200: CategoryOut, **WRITE_ERRORS}, url_name="category_save"
)
def save_category(request: HttpRequest, category_id: int, payload: CategoryIn) -> Any:
    return services.category_save(actor=_actor(request), category_id=category_id, **_fields(payload))


def _matrix(cells: dict[tuple[int, int], int]) -> dict[str, Any]:
    return {"cells": [{"urgency": u, "impact": i, "priority": p} for (u, i), p in sorted(cells.items())]}


@desk_router.get(
    "/priority-matrix", response={200: PriorityMatrixOut, **READ_ERRORS}, url_name="priority_matrix"
)
def get_priority_matrix(request: HttpRequest) -> Any:
    """The urgency x impact -> priority matrix (1 = most urgent)."""
    return _matrix(selectors.priority_matrix())


@desk_router.put(
    "/priority-matrix", response={200: PriorityMatrixOut, **WRITE_ERRORS}, url_name="priority_matrix_update"
)
def update_priority_matrix(request: HttpRequest, payload: PriorityMatrixIn) -> Any:
    """Replace the whole matrix; all nine cells are required."""
    cells = {(cell.urgency, cell.impact): cell.priority for cell in payload.cells}
    services.priority_matrix_update(actor=_actor(request), cells=cells)
    return _matrix(cells)


@desk_router.get("/desk-settings", response={200: DeskSettingsOut, **READ_ERRORS}, url_name="desk_settings")
def get_desk_settings(request: HttpRequest) -> Any:
    """Auto-close days and the progress-update interval."""
    return selectors.desk_settings_get()


@desk_router.put(
    "/desk-settings", response={200: DeskSettingsOut, **WRITE_ERRORS}, url_name="desk_settings_update"
)
def update_desk_settings(request: HttpRequest, payload: DeskSettingsIn) -> Any:
    return services.desk_settings_update(actor=_actor(request), **_fields(payload))
