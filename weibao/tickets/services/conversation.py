"""The conversation on a ticket (TRK-1, TRK-2): replies, internal notes and progress updates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.permissions import is_portal_user
from weibao.core.errors import NotFound, ValidationFailed
from weibao.core.html import html_to_text, sanitize_html, text_to_html
from weibao.customers.models import Contact
from weibao.tickets.choices import CommentKind, EventKind, PendingReason, Status, Visibility
from weibao.tickets.models import Ticket, TicketComment
from weibao.tickets.services._common import (
    authorize,
    desk_settings,
    lock_ticket,
    progress_due_from,
    record_event,
    save_ticket,
)
from weibao.tickets.services.intake import refresh_search_document, store_attachments, validate_attachments
from weibao.tickets.services.sla import SLA_TICKET_FIELDS, sla_response_given, sla_status_changed
from weibao.tickets.transitions import Action


def _body(*, body: str, is_html: bool) -> str:
    cleaned = sanitize_html(value=body) if is_html else text_to_html(value=body or "")
    if not html_to_text(value=cleaned) and "<img" not in cleaned:
        raise ValidationFailed(_("Write something first."), code="required", field="body")
    return cleaned


def _mark_progress(*, ticket: Ticket) -> None:
    now = timezone.now()
    ticket.last_progress_at = now
    ticket.progress_due_at = progress_due_from(ticket=ticket, hours=desk_settings().progress_interval_hours)


def _resume_on_customer_reply(*, ticket: Ticket, actor: Any) -> list[str]:
    """A ticket waiting for the customer resumes when the customer answers; the fields it changed."""
    if ticket.status != Status.PENDING or ticket.pending_reason != PendingReason.CUSTOMER:
        return []
    ticket.status, ticket.pending_reason, ticket.pending_since = Status.IN_PROGRESS, "", None
    sla_status_changed(ticket=ticket, before=Status.PENDING)
    record_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.TRANSITION,
        changes={"status": [Status.PENDING, Status.IN_PROGRESS]},
        note=_("The customer replied."),
    )
    return ["status", "pending_reason", "pending_since", *SLA_TICKET_FIELDS]


def comment_create(
    *,
    actor: Any,
    ticket_id: int,
    body: str,
    internal: bool = False,
    body_is_html: bool = False,
    attachments: Sequence[UploadedFile] = (),
    version: int | None = None,
) -> TicketComment:
    """A public reply or an internal note.

    A staff reply to the customer counts as progress feedback (TRK-1). A customer's reply to a
    ticket waiting for the customer resumes it, so nobody has to notice the answer by hand.
    """
    cleaned = _body(body=body, is_html=body_is_html)
    validate_attachments(files=attachments)
    with transaction.atomic():
        ticket = lock_ticket(actor=actor, ticket_id=ticket_id, version=version)
        authorize(actor=actor, ticket=ticket, action=Action.NOTE if internal else Action.COMMENT)
        portal = is_portal_user(user=actor)
        comment = TicketComment.objects.create(
            ticket=ticket,
            author=actor,
            visibility=Visibility.INTERNAL if internal else Visibility.PUBLIC,
            kind=CommentKind.NOTE if internal else CommentKind.REPLY,
            body=cleaned,
        )
        store_attachments(
            ticket=ticket, files=attachments, actor=actor, comment=comment, is_internal=internal
        )
        fields = []
        if (
            not internal
            and not portal
            and ticket.status in (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING)
        ):
            _mark_progress(ticket=ticket)
            fields += ["last_progress_at", "progress_due_at"]
        if not internal and not portal and sla_response_given(ticket=ticket, at=comment.created_at):
            fields += ["first_response_at", *SLA_TICKET_FIELDS]  # the first answer meets the response target
        record_event(
            ticket=ticket,
            actor=actor,
            kind=EventKind.COMMENTED,
            is_internal=internal,
            changes={"comment": [None, comment.pk]},
        )
        if portal:
            fields += _resume_on_customer_reply(ticket=ticket, actor=actor)
        save_ticket(ticket=ticket, fields=fields)
        refresh_search_document(ticket=ticket)
    return comment


def comment_from_contact(
    *,
    ticket_id: int,
    contact: Contact,
    body: str,
    body_is_html: bool = False,
    attachments: Sequence[UploadedFile] = (),
) -> TicketComment:
    """A public reply from one of the ticket's customer's contacts, received by email (INT-1, TRK-1).

    There is no signed-in actor: the email intake has matched the sender to ``contact`` and checked
    that the contact belongs to the ticket's customer before calling this. It counts as the customer's
    answer exactly like a portal reply: a ticket waiting for the customer resumes.
    """
    cleaned = _body(body=body, is_html=body_is_html)
    validate_attachments(files=attachments)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        if ticket is None or ticket.customer_id != contact.customer_id:
            raise NotFound(_("Ticket not found."), code="ticket_not_found")
        author = contact.user if contact.user is not None and contact.user.is_active else None
        comment = TicketComment.objects.create(
            ticket=ticket,
            author=author,
            author_contact=contact,
            via_email=True,
            visibility=Visibility.PUBLIC,
            kind=CommentKind.REPLY,
            body=cleaned,
        )
        store_attachments(ticket=ticket, files=attachments, actor=author, comment=comment, is_internal=False)
        record_event(
            ticket=ticket,
            actor=author,
            kind=EventKind.COMMENTED,
            changes={"comment": [None, comment.pk]},
            note=_("Reply by email from %(name)s") % {"name": contact.name},
        )
        fields = _resume_on_customer_reply(ticket=ticket, actor=author)
        save_ticket(ticket=ticket, fields=fields)
        refresh_search_document(ticket=ticket)
    return comment


def progress_record(
    *, actor: Any, ticket_id: int, body: str, body_is_html: bool = False, version: int | None = None
) -> TicketComment:
    """Record a progress update given to the customer (TRK-1): by phone or in writing.

    It is kept as a public comment of kind ``progress`` and restarts the update interval.
    """
    cleaned = _body(body=body, is_html=body_is_html)
    with transaction.atomic():
        ticket = lock_ticket(actor=actor, ticket_id=ticket_id, version=version)
        authorize(actor=actor, ticket=ticket, action=Action.PROGRESS)
        comment = TicketComment.objects.create(
            ticket=ticket, author=actor, visibility=Visibility.PUBLIC, kind=CommentKind.PROGRESS, body=cleaned
        )
        before = ticket.progress_due_at
        _mark_progress(ticket=ticket)
        fields = ["last_progress_at", "progress_due_at"]
        if sla_response_given(ticket=ticket, at=comment.created_at):  # a call back answers too
            fields += ["first_response_at", *SLA_TICKET_FIELDS]
        save_ticket(ticket=ticket, fields=fields)
        record_event(
            ticket=ticket,
            actor=actor,
            kind=EventKind.PROGRESS,
            changes={
                "progress_due_at": [
                    before.isoformat() if before else None,
                    ticket.progress_due_at.isoformat() if ticket.progress_due_at else None,
                ]
            },
        )
        refresh_search_document(ticket=ticket)
    return comment
