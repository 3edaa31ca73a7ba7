"""Intake (INT-1, INT-2, TRI-1, TRI-2): creating tickets from every channel and editing their details."""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from datetime import datetime
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.choices import Perm
from weibao.accounts.permissions import has_perm, is_portal_user
from weibao.assets.services import validate_items
from weibao.core.counters import counter_next
from weibao.core.errors import NotFound, PayloadTooLarge, PermissionDenied, ValidationFailed
from weibao.core.html import sanitize_html, text_to_html
from weibao.customers.models import Contact, Customer, DeliveredSystem, Site, SystemModule
from weibao.sla.models import SlaPolicy
from weibao.sla.selectors import policy_for_customer
from weibao.tickets.choices import Channel, EventKind, Level, Priority
from weibao.tickets.models import Category, PriorityRule, SlaClock, Ticket, TicketAttachment, TicketComment
from weibao.tickets.permissions import actor_customer_id
from weibao.tickets.search import ticket_search_document
from weibao.tickets.services._common import (
    authorize,
    desk_settings,
    diff,
    lock_ticket,
    progress_due_from,
    record_event,
    require_text,
    save_ticket,
    validate_past,
)
from weibao.tickets.services.sla import SLA_TICKET_FIELDS, TicketClocks, sla_resync
from weibao.tickets.transitions import Action

# Attachment types people send to a service desk: screenshots, logs, office documents, archives.
ALLOWED_EXTENSIONS = frozenset(
    {
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".bmp",
        ".pdf",
        ".txt",
        ".log",
        ".csv",
        ".json",
        ".xml",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".ppt",
        ".pptx",
        ".wps",
        ".et",
        ".zip",
        ".7z",
        ".rar",
        ".gz",
        ".eml",
    }
)
# Types the platform's mimetypes table may not know (Kingsoft WPS files are common in China).
EXTRA_TYPES = {
    ".log": "text/plain",
    ".wps": "application/vnd.ms-works",
    ".et": "application/vnd.ms-excel",
    ".7z": "application/x-7z-compressed",
    ".rar": "application/vnd.rar",
    ".eml": "message/rfc822",
}
PORTAL_CHANNELS = frozenset({Channel.PORTAL, Channel.API})


def priority_for(*, urgency: int, impact: int, is_emergency: bool) -> int:
    """Priority from the configurable urgency x impact matrix (TRI-2).

    An emergency (INT-2: the system is down, the emergency procedure starts at once) is always
    critical, whatever the matrix says.
    """
    if is_emergency:
        return Priority.CRITICAL
    rule = (
        PriorityRule.objects.filter(urgency=urgency, impact=impact).values_list("priority", flat=True).first()
    )
    return rule if rule is not None else Priority.NORMAL


def _clean_description(*, value: str, is_html: bool) -> str:
    return sanitize_html(value=value) if is_html else text_to_html(value=value)


def validate_attachments(*, files: Sequence[UploadedFile]) -> None:
    """Count, size (413) and type limits, checked before anything is written."""
    if len(files) > settings.ATTACHMENT_MAX_FILES:
        raise ValidationFailed(
            _("At most %(n)s files can be attached at once.") % {"n": settings.ATTACHMENT_MAX_FILES},
            code="too_many_files",
            field="attachments",
        )
    for upload in files:
        name = PurePath(upload.name or "").name
        if (upload.size or 0) > settings.ATTACHMENT_MAX_BYTES:
            raise PayloadTooLarge(
                _("%(name)s is larger than %(mb)s MB.")
                % {"name": name, "mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
                code="file_too_large",
                field="attachments",
            )
        if PurePath(name.lower()).suffix not in ALLOWED_EXTENSIONS:
            raise ValidationFailed(
                _("Files of this type cannot be attached: %(name)s") % {"name": name},
                code="file_type_not_allowed",
                field="attachments",
            )


def store_attachments(
    *,
    ticket: Ticket,
    files: Sequence[UploadedFile],
    actor: Any,
    comment: TicketComment | None,
    is_internal: bool,
) -> list[TicketAttachment]:
    """Save already validated uploads under random names; callers hold the ticket's transaction."""
    stored = []
    for upload in files:
        name = PurePath(upload.name or "file").name[:255]
        # The type is taken from the extension we allow, never from the client's header.
        suffix = PurePath(name.lower()).suffix
        content_type = EXTRA_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
        attachment = TicketAttachment(
            ticket=ticket,
            comment=comment,
            filename=name,
            content_type=content_type,
            size=upload.size or 0,
            is_internal=is_internal,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def _related(
    *, model: Any, pk: int | None, customer_id: int, field: str, message: str, select: tuple[str, ...] = ()
) -> Any:
    if pk is None:
        return None
    obj = model.objects.select_related(*select).filter(pk=pk).first()
    owner = getattr(obj, "customer_id", None)
    if obj is None or owner != customer_id:
        raise ValidationFailed(message, code="invalid_reference", field=field)
    return obj


def _validate_module(*, module_id: int | None, system: DeliveredSystem | None) -> SystemModule | None:
    if module_id is None:
        return None
    module = SystemModule.objects.filter(pk=module_id).first()
    if module is None or system is None or module.system_id != system.pk:
        raise ValidationFailed(
            _("The module does not belong to the chosen system."), code="invalid_reference", field="module_id"
        )
    return module


def _validate_category(*, category_id: int | None) -> Category | None:
    if category_id is None:
        return None
    category = Category.objects.filter(pk=category_id, is_active=True).first()
    if category is None:
        raise ValidationFailed(_("Unknown category."), code="invalid_reference", field="category_id")
    return category


def _validate_policy(*, policy_id: int | None, customer_id: int) -> SlaPolicy:
    """An explicit policy for one ticket; ``None`` goes back to the customer's contract (SLA-2)."""
    if policy_id is None:
        return policy_for_customer(customer_id=customer_id, on=timezone.localdate())
    policy = SlaPolicy.objects.filter(pk=policy_id, is_active=True).first()
    if policy is None:
        raise ValidationFailed(
            _("Choose an active SLA policy."), code="invalid_reference", field="sla_policy_id"
        )
    return policy


def _validate_level(*, value: int | None, field: str) -> int:
    if value is None:
        return Level.MEDIUM
    if value not in Level.values:
        raise ValidationFailed(_("Choose high, medium or low."), code="invalid_choice", field=field)
    return value


def refresh_search_document(*, ticket: Ticket) -> None:
    """Rebuild the ticket's jieba-segmented search document (ADR 0005) after text changed."""
    Ticket.objects.filter(pk=ticket.pk).update(search_document=ticket_search_document(ticket=ticket))


def ticket_create(
    *,
    actor: Any,
    customer_id: int | None,
    title: str,
    description: str = "",
    description_is_html: bool = False,
    channel: str,
    contact_id: int | None = None,
    site_id: int | None = None,
    system_id: int | None = None,
    module_id: int | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    problem_started_at: datetime | None = None,
    reported_at: datetime | None = None,
    category_id: int | None = None,
    urgency: int | None = None,
    impact: int | None = None,
    is_emergency: bool = False,
    needs_onsite: bool = False,
    attachments: Sequence[UploadedFile] = (),
    item_ids: Sequence[int] = (),
) -> Ticket:
    """Register a report from any channel (INT-1) with its initial assessment (INT-2, TRI-1, TRI-2).

    Portal users always report for their own customer; ``reported_at`` may lie in the past (a call
    logged afterwards) but never in the future.
    """
    if not has_perm(user=actor, perm=Perm.TICKET_CREATE):
        raise PermissionDenied(_("You may not create tickets."), code="permission_denied")
    now = timezone.now()
    portal = is_portal_user(user=actor)
    if portal:
        own = actor_customer_id(actor=actor)
        if own is None:
            raise PermissionDenied(_("Your account is not linked to a customer."), code="no_customer")
        if customer_id not in (None, own):
            raise NotFound(_("Customer not found."), code="customer_not_found")
        customer_id = own
        if channel not in PORTAL_CHANNELS:
            raise ValidationFailed(_("Choose a valid channel."), code="invalid_choice", field="channel")
    if channel not in Channel.values:
        raise ValidationFailed(_("Choose a valid channel."), code="invalid_choice", field="channel")
    customer = Customer.objects.filter(pk=customer_id, is_active=True).first() if customer_id else None
    if customer is None:
        raise ValidationFailed(_("Choose the customer."), code="required", field="customer_id")
    title = require_text(value=title, field="title", message=_("Give the ticket a title."))[:200]
    reported_at = reported_at or now
    validate_past(value=reported_at, field="reported_at", now=now)
    validate_past(value=problem_started_at, field="problem_started_at", now=now)
    if problem_started_at and problem_started_at > reported_at:
        raise ValidationFailed(
            _("The problem cannot start after it was reported."),
            code="started_after_reported",
            field="problem_started_at",
        )
    contact = _related(
        model=Contact,
        pk=contact_id,
        customer_id=customer.pk,
        field="contact_id",
        message=_("The contact does not belong to this customer."),
    )
    if portal and contact is None:
        contact = actor.contact
    site = _related(
        model=Site,
        pk=site_id,
        customer_id=customer.pk,
        field="site_id",
        message=_("The site does not belong to this customer."),
    )
    system = _related(
        model=DeliveredSystem,
        pk=system_id,
        customer_id=customer.pk,
        field="system_id",
        message=_("The system does not belong to this customer."),
        select=("site",),  # the ticket's site when none is given: read with the system, not after it
    )
    module = _validate_module(module_id=module_id, system=system)
    items = validate_items(item_ids=item_ids, customer_id=customer.pk)
    category = _validate_category(category_id=category_id)
    urgency = _validate_level(value=urgency, field="urgency")
    impact = _validate_level(value=impact, field="impact")
    validate_attachments(files=attachments)

    # Everything that only reads is done before the transaction, so it holds the database for the
    # writes alone (bench/: creates were queueing behind each other).
    ticket = Ticket(
        customer=customer,
        site=site or (system.site if system else None) or (contact.site if contact else None),
        contact=contact,
        reporter_name=(reporter_name or (contact.name if contact else ""))[:100],
        reporter_phone=(reporter_phone or (contact.phone if contact else ""))[:40],
        reporter_email=reporter_email or (contact.email if contact else ""),
        system=system,
        module=module,
        channel=channel,
        title=title,
        description=_clean_description(value=description, is_html=description_is_html),
        problem_started_at=problem_started_at,
        reported_at=reported_at,
        category=category,
        urgency=urgency,
        impact=impact,
        priority=priority_for(urgency=urgency, impact=impact, is_emergency=is_emergency),
        is_emergency=is_emergency,
        needs_onsite=bool(needs_onsite),
        created_by=actor,
    )
    ticket.progress_due_at = progress_due_from(ticket=ticket, hours=desk_settings().progress_interval_hours)
    # SLA clocks start at reported_at (SLA-1); policy, targets and deadlines are read and computed
    # here, outside the transaction, and written with the ticket.
    clocks = TicketClocks(ticket=ticket, now=now)
    clocks.sync_targets()
    clocks.compute()
    with transaction.atomic():
        ticket.number = counter_next(name="ticket", start=1001)
        # The number is part of the document, so it is built once the number is known, before the insert.
        ticket.search_document = ticket_search_document(ticket=ticket)
        ticket.save()
        clocks.write()
        store_attachments(ticket=ticket, files=attachments, actor=actor, comment=None, is_internal=False)
        if items:
            ticket.items.set(items)
        record_event(
            ticket=ticket,
            actor=actor,
            kind=EventKind.CREATED,
            changes={
                "status": [None, ticket.status],
                "priority": [None, ticket.priority],
                "channel": [None, channel],
                **({"is_emergency": [None, True]} if is_emergency else {}),
                **({"items": [None, [i.code for i in items]]} if items else {}),
            },
        )
    _no_collaborators_yet(ticket=ticket)
    _known_clocks(ticket=ticket, clocks=list(clocks.clocks.values()))
    return ticket


def _known_clocks(*, ticket: Ticket, clocks: list[SlaClock]) -> None:
    """Hand the clocks just written to whoever shows the new ticket (the API's ``sla``), as a prefetch would.

    They are the rows as saved, with their calendars loaded, so the answer needs no query to read them
    back. Like any prefetch, a later change through the related manager drops this cache.
    """
    known: Any = ticket.sla_clocks.all()
    known._result_cache = sorted(clocks, key=lambda clock: clock.kind)
    known._prefetch_done = True
    cache = getattr(ticket, "_prefetched_objects_cache", {})
    ticket._prefetched_objects_cache = {**cache, "sla_clocks": known}  # type: ignore[attr-defined]


def _no_collaborators_yet(*, ticket: Ticket) -> None:
    """Tell the ORM that a ticket just created has no collaborators (as a prefetch would).

    Whoever shows the new ticket reads ``ticket.collaborators.all()`` (the API's answer twice); a
    brand-new ticket has none, so that needs no query. Adding one later clears this cache (Django's
    related managers drop the prefetched list on add/remove/set/clear).
    """
    empty: Any = ticket.collaborators.all()
    empty._result_cache = []
    empty._prefetch_done = True
    cache = getattr(ticket, "_prefetched_objects_cache", {})
    ticket._prefetched_objects_cache = {**cache, "collaborators": empty}  # type: ignore[attr-defined]


EDITABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "category_id",
        "urgency",
        "impact",
        "is_emergency",
        "contact_id",
        "site_id",
        "system_id",
        "module_id",
        "problem_started_at",
        "reported_at",
        "reporter_name",
        "reporter_phone",
        "reporter_email",
        "needs_onsite",
        "sla_policy_id",
        "item_ids",
    }
)
# A change of any of these re-targets the SLA clocks (SLA-4: recomputed without losing paused time).
SLA_INPUTS = {"priority", "site", "needs_onsite", "sla_policy", "reported_at"}


def ticket_update(
    *, actor: Any, ticket_id: int, version: int | None = None, changes: dict[str, Any]
) -> Ticket:
    """Edit a ticket's details and triage (PATCH). Priority follows urgency, impact and the emergency flag."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))},
            code="not_editable",
            field=sorted(unknown)[0],
        )
    now = timezone.now()
    with transaction.atomic():
        ticket = lock_ticket(actor=actor, ticket_id=ticket_id, version=version)
        authorize(actor=actor, ticket=ticket, action=Action.EDIT)
        tracked = [
            "title",
            "description",
            "category",
            "urgency",
            "impact",
            "priority",
            "is_emergency",
            "contact",
            "site",
            "system",
            "module",
            "problem_started_at",
            "reported_at",
            "reporter_name",
            "reporter_phone",
            "reporter_email",
            "needs_onsite",
            "sla_policy",
        ]
        before = {name: getattr(ticket, name) for name in tracked}
        if "title" in changes:
            ticket.title = require_text(
                value=changes["title"], field="title", message=_("Give the ticket a title.")
            )[:200]
        if "description" in changes:
            ticket.description = sanitize_html(value=changes["description"] or "")
        if "category_id" in changes:
            ticket.category = _validate_category(category_id=changes["category_id"])
        if "urgency" in changes:
            ticket.urgency = _validate_level(value=changes["urgency"], field="urgency")
        if "impact" in changes:
            ticket.impact = _validate_level(value=changes["impact"], field="impact")
        if "is_emergency" in changes:
            ticket.is_emergency = bool(changes["is_emergency"])
        if "needs_onsite" in changes:
            ticket.needs_onsite = bool(changes["needs_onsite"])
        if "sla_policy_id" in changes:
            ticket.sla_policy = _validate_policy(
                policy_id=changes["sla_policy_id"], customer_id=ticket.customer_id
            )
        for name, model in (("contact", Contact), ("site", Site), ("system", DeliveredSystem)):
            if f"{name}_id" in changes:
                setattr(
                    ticket,
                    name,
                    _related(
                        model=model,
                        pk=changes[f"{name}_id"],
                        customer_id=ticket.customer_id,
                        field=f"{name}_id",
                        message=_("This does not belong to the ticket's customer."),
                    ),
                )
        if "module_id" in changes or "system_id" in changes:
            same_system = ticket.system == before["system"]
            module_id = changes.get("module_id", ticket.module_id if same_system else None)
            ticket.module = _validate_module(module_id=module_id, system=ticket.system)
        for name in ("reporter_name", "reporter_phone", "reporter_email"):
            if name in changes:
                setattr(ticket, name, (changes[name] or "").strip())
        for name in ("problem_started_at", "reported_at"):
            if name in changes:
                if name == "reported_at" and changes[name] is None:
                    raise ValidationFailed(_("This field is required."), code="required", field=name)
                validate_past(value=changes[name], field=name, now=now)
                setattr(ticket, name, changes[name])
        if ticket.problem_started_at and ticket.problem_started_at > ticket.reported_at:
            raise ValidationFailed(
                _("The problem cannot start after it was reported."),
                code="started_after_reported",
                field="problem_started_at",
            )
        ticket.priority = priority_for(
            urgency=ticket.urgency, impact=ticket.impact, is_emergency=ticket.is_emergency
        )
        after = {name: getattr(ticket, name) for name in tracked}
        changed = diff(before=before, after=after)
        if "item_ids" in changes:
            items = validate_items(item_ids=changes["item_ids"] or (), customer_id=ticket.customer_id)
            old = sorted(i.code for i in ticket.items.all())
            if old != sorted(i.code for i in items):
                ticket.items.set(items)
                changed["items"] = [old, sorted(i.code for i in items)]
        if not changed:
            return ticket
        if "reported_at" in changed:
            ticket.progress_due_at = progress_due_from(
                ticket=ticket, hours=desk_settings().progress_interval_hours
            )
        if "description" in changed:
            changed["description"] = ["…", "…"]  # the full text lives in the ticket; keep events small
        if SLA_INPUTS & set(changed):
            sla_resync(ticket=ticket, now=now, restart="reported_at" in changed)
        save_ticket(ticket=ticket, fields=[*(f for f in tracked), "progress_due_at", *SLA_TICKET_FIELDS])
        record_event(ticket=ticket, actor=actor, kind=EventKind.UPDATED, changes=changed)
        refresh_search_document(ticket=ticket)
    return ticket


def ticket_attach(
    *, actor: Any, ticket_id: int, files: Sequence[UploadedFile], is_internal: bool = False
) -> list[TicketAttachment]:
    """Add files to a ticket outside a comment (e.g. a screenshot sent later)."""
    validate_attachments(files=files)
    if not files:
        raise ValidationFailed(_("Choose at least one file."), code="required", field="attachments")
    with transaction.atomic():
        ticket = lock_ticket(actor=actor, ticket_id=ticket_id, version=None)
        authorize(actor=actor, ticket=ticket, action=Action.NOTE if is_internal else Action.COMMENT)
        stored = store_attachments(
            ticket=ticket, files=files, actor=actor, comment=None, is_internal=is_internal
        )
        save_ticket(ticket=ticket, fields=[])
        record_event(
            ticket=ticket,
            actor=actor,
            kind=EventKind.ATTACHMENT,
            is_internal=is_internal,
            changes={"attachments": [None, [a.filename for a in stored]]},
        )
    return stored
