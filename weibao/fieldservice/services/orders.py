"""The life of a work order (FLD-1, FLD-2, FLD-5): plan, check in, record, check out, sign, annotate.

Every function checks permission and the state table, validates everything, then writes in one
transaction under a row lock with the timeline event; a signed order refuses every change but
annotations (409 ``signed``). Check-in on a ticket's visit records the arrival on the ticket, which
meets its on-site SLA target.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.choices import Perm
from weibao.accounts.models import User
from weibao.accounts.permissions import has_perm, is_staff_user
from weibao.assets.services import entitlement_for, validate_items
from weibao.core.counters import counter_next
from weibao.core.errors import Conflict, PermissionDenied, ValidationFailed
from weibao.customers.models import Customer, DeliveredSystem, Site
from weibao.fieldservice.choices import CheckResult, FeeStatus, OrderEventKind, OrderKind, ServiceType
from weibao.fieldservice.events import record_order_event
from weibao.fieldservice.models import ChecklistItem, OrderNote, Photo, WorkOrder
from weibao.fieldservice.permissions import can_manage_orders
from weibao.fieldservice.services._common import _authorize, _lock, _save, _text
from weibao.fieldservice.services.parts import PartInput, clean_parts, replace_parts
from weibao.fieldservice.transitions import OrderAction
from weibao.tickets.choices import OPEN_STATUSES
from weibao.tickets.models import Ticket
from weibao.tickets.services import ticket_record_arrival

logger = logging.getLogger(__name__)

TEXT_MAX = 10_000
CHECKLIST_MAX = 100
SIGNATURE_MAX_BYTES = 512 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- helpers


def _engineers(*, engineer_ids: Sequence[int]) -> list[User]:
    ids = list(dict.fromkeys(engineer_ids))
    if not ids:
        raise ValidationFailed(_("Name at least one engineer."), code="required", field="engineer_ids")
    users = list(User.objects.filter(pk__in=ids, is_active=True))
    if len(users) != len(ids) or not all(
        is_staff_user(user=u) and has_perm(user=u, perm=Perm.WORKORDER_WORK) for u in users
    ):
        raise ValidationFailed(
            _("Every engineer must be an active staff member who carries out work orders."),
            code="invalid_reference",
            field="engineer_ids",
        )
    return users


def _window(*, start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    if start is None or end is None:
        raise ValidationFailed(_("Give the planned start and end."), code="required", field="planned_start")
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationFailed(
            _("Give the time with its time zone."), code="naive_datetime", field="planned_start"
        )
    if end < start:
        raise ValidationFailed(_("The end cannot be before the start."), code="invalid", field="planned_end")
    return start, end


# --------------------------------------------------------------------------- create and plan


@dataclass(frozen=True)
class OrderPlan:
    """What :func:`work_order_create` needs; ``ticket_id`` fills customer, site and system from the ticket."""

    title: str
    planned_start: datetime
    planned_end: datetime
    engineer_ids: Sequence[int]
    kind: str = OrderKind.ONSITE
    ticket_id: int | None = None
    customer_id: int | None = None
    site_id: int | None = None
    system_id: int | None = None
    instructions: str = ""
    tools: str = ""
    parts_needed: str = ""
    checklist: Sequence[str] = ()
    item_ids: Sequence[int] = ()  # empty with a ticket: the ticket's items


def work_order_create(*, actor: Any, plan: OrderPlan) -> WorkOrder:
    """Plan a visit or remote session; the service type follows from warranty and contract (AST-2)."""
    if not can_manage_orders(user=actor):
        raise PermissionDenied(_("You may not plan work orders."), code="permission_denied")
    if plan.kind not in OrderKind.values:
        raise ValidationFailed(_("Choose a valid option."), code="invalid_choice", field="kind")
    title = _text(plan.title, field="title", required=True, max_length=200)
    start, end = _window(start=plan.planned_start, end=plan.planned_end)
    engineers = _engineers(engineer_ids=plan.engineer_ids)
    ticket = None
    customer_id, site_id, system_id = plan.customer_id, plan.site_id, plan.system_id
    if plan.ticket_id is not None:
        ticket = Ticket.objects.filter(pk=plan.ticket_id).first()
        if ticket is None:
            raise ValidationFailed(_("Unknown ticket."), code="invalid_reference", field="ticket_id")
        if ticket.status not in OPEN_STATUSES:
            raise Conflict(_("Visits are planned for open tickets only."), code="ticket_not_open")
        customer_id = ticket.customer_id
        site_id = site_id or ticket.site_id
        system_id = system_id or ticket.system_id
    customer = Customer.objects.filter(pk=customer_id, is_active=True).first() if customer_id else None
    if customer is None:
        raise ValidationFailed(_("Choose the customer."), code="required", field="customer_id")
    site = Site.objects.filter(pk=site_id, customer=customer).first() if site_id else None
    if site_id and site is None:
        raise ValidationFailed(
            _("The site does not belong to this customer."), code="invalid_reference", field="site_id"
        )
    system = DeliveredSystem.objects.filter(pk=system_id, customer=customer).first() if system_id else None
    if system_id and system is None:
        raise ValidationFailed(
            _("The system does not belong to this customer."), code="invalid_reference", field="system_id"
        )
    checklist = [_text(item, field="checklist", max_length=300) for item in plan.checklist]
    checklist = [item for item in checklist if item][:CHECKLIST_MAX]
    if plan.item_ids:
        items = validate_items(item_ids=plan.item_ids, customer_id=customer.pk)
    elif ticket is not None:
        items = list(ticket.items.select_related("system"))
    else:
        items = []
    entitlement = entitlement_for(customer=customer, system=system, items=items, on=timezone.localdate(start))
    with transaction.atomic():
        order = WorkOrder.objects.create(
            number=counter_next(name="work_order", start=1),
            kind=plan.kind,
            ticket=ticket,
            customer=customer,
            site=site,
            system=system,
            title=title,
            instructions=_text(plan.instructions, field="instructions"),
            tools=_text(plan.tools, field="tools", max_length=2000),
            parts_needed=_text(plan.parts_needed, field="parts_needed", max_length=2000),
            planned_start=start,
            planned_end=end,
            service_type=entitlement.service_type,
            service_reason=entitlement.reason[:300],
            created_by=actor,
        )
        order.engineers.set(engineers)
        if items:
            order.items.set(items)
        ChecklistItem.objects.bulk_create(
            [ChecklistItem(order=order, position=i, label=label) for i, label in enumerate(checklist)]
        )
        record_order_event(
            order=order,
            actor=actor,
            kind=OrderEventKind.CREATED,
            changes={
                "engineers": [None, [str(u) for u in engineers]],
                "service_type": [None, order.service_type],
                **({"items": [None, [i.code for i in items]]} if items else {}),
            },
        )
    return order


def work_order_reschedule(
    *,
    actor: Any,
    order_id: int,
    planned_start: datetime,
    planned_end: datetime,
    engineer_ids: Sequence[int] | None = None,
    reason: str,
    version: int | None = None,
) -> WorkOrder:
    """Move a planned order's window or change its engineers; the reason stays in the timeline."""
    start, end = _window(start=planned_start, end=planned_end)
    reason = _text(reason, field="reason", required=True, max_length=500)
    engineers = _engineers(engineer_ids=engineer_ids) if engineer_ids is not None else None
    with transaction.atomic():
        order = _lock(order_id=order_id, version=version)
        _authorize(actor=actor, order=order, action=OrderAction.EDIT)
        changes: dict[str, Any] = {}
        if (order.planned_start, order.planned_end) != (start, end):
            changes["planned_start"] = [order.planned_start.isoformat(), start.isoformat()]
            changes["planned_end"] = [order.planned_end.isoformat(), end.isoformat()]
            order.planned_start, order.planned_end = start, end
        if engineers is not None:
            before = sorted(str(u) for u in order.engineers.all())
            after = sorted(str(u) for u in engineers)
            if before != after:
                order.engineers.set(engineers)
                changes["engineers"] = [before, after]
        _save(order, ["planned_start", "planned_end"])
        record_order_event(
            order=order, actor=actor, kind=OrderEventKind.UPDATED, changes=changes, note=reason
        )
    return order


# --------------------------------------------------------------------------- on site


def _coordinate(value: Any, *, field: str, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except InvalidOperation as exc:
        raise ValidationFailed(_("Not a coordinate."), code="invalid", field=field) from exc
    if not -limit <= number <= limit:
        raise ValidationFailed(_("Not a coordinate."), code="invalid", field=field)
    return number


def work_order_check_in(
    *,
    actor: Any,
    order_id: int,
    latitude: Any = None,
    longitude: Any = None,
    accuracy_m: int | None = None,
    remote_consent_by: str = "",
    remote_tool: str = "",
    version: int | None = None,
) -> WorkOrder:
    """The engineer arrives (or opens the remote session): the time, and the place if the browser gave it.

    A paid order starts only after the customer accepted the quote (FLD-3); a remote session only with
    the customer's consent (FLD-5). On a ticket's on-site visit the arrival is recorded on the ticket
    (its on-site SLA target is met by this time).
    """
    lat = _coordinate(latitude, field="latitude", limit=90)
    lon = _coordinate(longitude, field="longitude", limit=180)
    consent = _text(remote_consent_by, field="remote_consent_by", max_length=100)
    tool = _text(remote_tool, field="remote_tool", max_length=100)
    now = timezone.now()
    with transaction.atomic():
        order = _lock(order_id=order_id, version=version)
        target = _authorize(actor=actor, order=order, action=OrderAction.CHECK_IN)
        if order.service_type == ServiceType.PAID and order.fee_status not in (
            FeeStatus.ACCEPTED,
            FeeStatus.SETTLED,
            FeeStatus.INVOICED,
        ):
            raise Conflict(
                _("Paid work starts after the customer has accepted the quote."), code="quote_not_accepted"
            )
        if order.kind == OrderKind.REMOTE:
            if not consent:
                raise ValidationFailed(
                    _("Record who at the customer agreed to the remote access."),
                    code="required",
                    field="remote_consent_by",
                )
            order.remote_consent_by, order.remote_tool = consent, tool
        order.status = target or order.status
        order.checked_in_at = now
        order.check_in_latitude, order.check_in_longitude = lat, lon
        order.check_in_accuracy_m = accuracy_m if lat is not None and lon is not None else None
        _save(
            order,
            [
                "status",
                "checked_in_at",
                "check_in_latitude",
                "check_in_longitude",
                "check_in_accuracy_m",
                "remote_consent_by",
                "remote_tool",
            ],
        )
        record_order_event(
            order=order,
            actor=actor,
            kind=OrderEventKind.CHECKED_IN,
            changes={"checked_in_at": [None, now.isoformat()], "located": [None, lat is not None]},
        )
        ticket = order.ticket
        if (
            order.kind == OrderKind.ONSITE
            and ticket is not None
            and ticket.onsite_arrived_at is None
            and ticket.status in OPEN_STATUSES
        ):
            ticket_record_arrival(actor=actor, ticket_id=ticket.pk, arrived_at=now)
    return order


@dataclass(frozen=True)
class CheckResultInput:
    item_id: int
    result: str
    note: str = ""
    replace: bool = False  # the equipment should be replaced (PLN-3)


def work_order_record(
    *,
    actor: Any,
    order_id: int,
    work_done: str | None = None,
    findings: str | None = None,
    time_spent_minutes: int | None = None,
    travel_minutes: int | None = None,
    results: Sequence[CheckResultInput] = (),
    parts: Sequence[PartInput] | None = None,
    version: int | None = None,
) -> WorkOrder:
    """Record what was done: text, times, checklist results and the parts used (replaces the list)."""
    for name, value in (("time_spent_minutes", time_spent_minutes), ("travel_minutes", travel_minutes)):
        if value is not None and not 0 <= value <= 24 * 60 * 7:
            raise ValidationFailed(_("Give the minutes as a whole number."), code="invalid", field=name)
    for result in results:
        if result.result not in CheckResult.values:
            raise ValidationFailed(_("Choose a valid option."), code="invalid_choice", field="results")
    cleaned_parts = clean_parts(parts=parts) if parts is not None else None
    with transaction.atomic():
        order = _lock(order_id=order_id, version=version)
        _authorize(actor=actor, order=order, action=OrderAction.RECORD)
        changes: dict[str, Any] = {}
        fields: list[str] = []
        texts: tuple[tuple[str, str | None], ...] = (("work_done", work_done), ("findings", findings))
        for text_field, text in texts:
            if text is not None:
                cleaned = _text(text, field=text_field, max_length=TEXT_MAX)
                if cleaned != getattr(order, text_field):
                    changes[text_field] = [bool(getattr(order, text_field)), bool(cleaned)]
                    setattr(order, text_field, cleaned)
                    fields.append(text_field)
        minutes_fields: tuple[tuple[str, int | None], ...] = (
            ("time_spent_minutes", time_spent_minutes),
            ("travel_minutes", travel_minutes),
        )
        for name, minutes in minutes_fields:
            if minutes is not None and minutes != getattr(order, name):
                changes[name] = [getattr(order, name), minutes]
                setattr(order, name, minutes)
                fields.append(name)
        if results:
            items = {item.pk: item for item in order.checklist.all()}
            for result in results:
                item = items.get(result.item_id)
                if item is None:
                    raise ValidationFailed(
                        _("Unknown checklist item."), code="invalid_reference", field="results"
                    )
                item.result, item.note = result.result, _text(result.note, field="results", max_length=500)
                item.flag_replacement = result.replace
            ChecklistItem.objects.bulk_update(items.values(), ["result", "note", "flag_replacement"])
            changes["checklist"] = [None, sum(1 for i in items.values() if i.result)]
        if cleaned_parts is not None:
            replace_parts(actor=actor, order=order, parts=cleaned_parts)
            changes["parts"] = [None, [f"{p.name} × {p.quantity}" for p in cleaned_parts]]
        _save(order, fields)
        record_order_event(order=order, actor=actor, kind=OrderEventKind.RECORDED, changes=changes)
    return order


def _photo_type(head: bytes) -> str | None:
    for magic, content_type in PHOTO_TYPES.items():
        if head.startswith(magic):
            return content_type
    return None


def work_order_add_photo(
    *, actor: Any, order_id: int, data: bytes, filename: str, caption: str = ""
) -> Photo:
    """Attach a photo (JPEG or PNG, checked by content, at most ATTACHMENT_MAX_BYTES)."""
    if len(data) > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationFailed(_("The photo is too large."), code="too_large", field="photo")
    content_type = _photo_type(data[:16])
    if content_type is None:
        raise ValidationFailed(
            _("Only JPEG and PNG photos are accepted."), code="invalid_type", field="photo"
        )
    caption = _text(caption, field="caption", max_length=200)
    with transaction.atomic():
        order = _lock(order_id=order_id, version=None)
        _authorize(actor=actor, order=order, action=OrderAction.RECORD)
        extension = ".jpg" if content_type == "image/jpeg" else ".png"
        photo = Photo(
            order=order, caption=caption, content_type=content_type, size=len(data), uploaded_by=actor
        )
        photo.file.save(f"{timezone.now():%Y%m%d%H%M%S%f}{extension}", ContentFile(data), save=False)
        photo.save()
        record_order_event(
            order=order,
            actor=actor,
            kind=OrderEventKind.PHOTO,
            changes={"photo": [None, caption or filename[:100]]},
        )
    return photo


def work_order_check_out(*, actor: Any, order_id: int, version: int | None = None) -> WorkOrder:
    """The work is done (or the session closed): the time spent defaults to check-in -> now."""
    now = timezone.now()
    with transaction.atomic():
        order = _lock(order_id=order_id, version=version)
        target = _authorize(actor=actor, order=order, action=OrderAction.CHECK_OUT)
        if not order.work_done:
            raise ValidationFailed(
                _("Record the work done before checking out."), code="required", field="work_done"
            )
        if order.checklist.filter(result="").exists():
            raise ValidationFailed(
                _("Give a result for every checklist item."), code="checklist_incomplete", field="results"
            )
        order.status = target or order.status
        order.checked_out_at = now
        if order.time_spent_minutes is None and order.checked_in_at is not None:
            order.time_spent_minutes = max(1, int((now - order.checked_in_at).total_seconds() // 60))
        _save(order, ["status", "checked_out_at", "time_spent_minutes"])
        record_order_event(
            order=order,
            actor=actor,
            kind=OrderEventKind.CHECKED_OUT,
            changes={"checked_out_at": [None, now.isoformat()]},
        )
    return order


def _signature_png(data_url: str) -> bytes:
    """The PNG bytes of the canvas (``data:image/png;base64,...``): checked, size-limited."""
    prefix = "data:image/png;base64,"
    if not data_url or not data_url.startswith(prefix):
        raise ValidationFailed(_("Draw the signature."), code="required", field="signature")
    try:
        data = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed(
            _("The signature could not be read."), code="invalid", field="signature"
        ) from exc
    if not data.startswith(PNG_MAGIC) or len(data) > SIGNATURE_MAX_BYTES:
        raise ValidationFailed(_("The signature could not be read."), code="invalid", field="signature")
    return data


def work_order_sign(
    *, actor: Any, order_id: int, signer_name: str, signature: str, version: int | None = None
) -> WorkOrder:
    """The customer signs on the engineer's screen (FLD-2): name, drawn signature, time. From now on the
    order is read-only (annotations aside); the service report is produced after the commit."""
    name = _text(signer_name, field="signer_name", required=True, max_length=100)
    png = _signature_png(signature)
    now = timezone.now()
    with transaction.atomic():
        order = _lock(order_id=order_id, version=version)
        target = _authorize(actor=actor, order=order, action=OrderAction.SIGN)
        order.status = target or order.status
        order.signer_name, order.signed_at = name, now
        order.signature.save("signature.png", ContentFile(png), save=False)
        _save(order, ["status", "signer_name", "signed_at", "signature"])
        record_order_event(
            order=order, actor=actor, kind=OrderEventKind.SIGNED, changes={"signer_name": [None, name]}
        )
        order_id_value = order.pk
        transaction.on_commit(lambda: _queue_report(order_id=order_id_value))
    return order


def _queue_report(*, order_id: int) -> None:
    from weibao.fieldservice.tasks import produce_service_report  # the task imports the services

    try:
        produce_service_report.delay(order_id)
    except Exception:  # the signature is saved; the beat job produces reports that are still missing
        logger.warning("could not queue the service report of work order %s", order_id, exc_info=True)


def work_order_annotate(*, actor: Any, order_id: int, text: str) -> OrderNote:
    """Add a note to a signed or cancelled order: the signed content itself never changes."""
    text = _text(text, field="text", required=True, max_length=2000)
    with transaction.atomic():
        order = _lock(order_id=order_id, version=None)
        _authorize(actor=actor, order=order, action=OrderAction.ANNOTATE)
        note = OrderNote.objects.create(order=order, author=actor, text=text)
        record_order_event(order=order, actor=actor, kind=OrderEventKind.ANNOTATED, note=text)
    return note


def work_order_cancel(*, actor: Any, order_id: int, reason: str, version: int | None = None) -> WorkOrder:
    """Call a visit off (not once signed); the reason stays in the timeline."""
    reason = _text(reason, field="reason", required=True, max_length=500)
    with transaction.atomic():
        order = _lock(order_id=order_id, version=version)
        target = _authorize(actor=actor, order=order, action=OrderAction.CANCEL)
        before = order.status
        order.status = target or order.status
        _save(order, ["status"])
        record_order_event(
            order=order,
            actor=actor,
            kind=OrderEventKind.CANCELLED,
            changes={"status": [before, order.status]},
            note=reason,
        )
    return order


__all__ = [
    "CheckResultInput",
    "OrderPlan",
    "PartInput",
    "work_order_add_photo",
    "work_order_annotate",
    "work_order_cancel",
    "work_order_check_in",
    "work_order_check_out",
    "work_order_create",
    "work_order_record",
    "work_order_reschedule",
    "work_order_sign",
]
