"""Loaner units (备用机, INV-1): registered by the warehouse, lent to a customer during a repair
with a due date, returned - back on the shelf or into repair. Overdue loans are chased daily."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.events import audit_record
from weibao.accounts.models import User
from weibao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weibao.customers.models import Customer
from weibao.inventory.choices import LoanerStatus
from weibao.inventory.models import Loan, LoanerUnit, Location
from weibao.inventory.permissions import can_manage_stock, can_see_stock
from weibao.notifications.choices import NotificationKind, NotificationLevel
from weibao.notifications.services import NotificationDraft, notification_send_many
from weibao.tickets.models import Ticket


def _text(value: str | None, *, field: str, max_length: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(_("This field is required."), code="required", field=field)
    if len(text) > max_length:
        raise ValidationFailed(
            _("At most %(n)d characters.") % {"n": max_length}, code="too_long", field=field
        )
    return text


def loaner_create(
    *,
    actor: Any,
    code: str,
    name: str,
    model: str = "",
    serial_number: str = "",
    location_id: int | None = None,
    notes: str = "",
) -> LoanerUnit:
    """Register a loaner unit (stock managers); its number is unique."""
    if not can_manage_stock(user=actor):
        raise PermissionDenied(_("You may not move stock here."), code="permission_denied")
    code = _text(code, field="code", max_length=64, required=True)
    if LoanerUnit.objects.filter(code=code).exists():
        raise ValidationFailed(_("A loaner unit with this number exists."), code="duplicate", field="code")
    location = Location.objects.filter(pk=location_id, is_active=True).first() if location_id else None
    if location_id and location is None:
        raise ValidationFailed(_("Unknown location."), code="invalid_reference", field="location_id")
    with transaction.atomic():
        unit = LoanerUnit.objects.create(
            code=code,
            name=_text(name, field="name", max_length=200, required=True),
            model=_text(model, field="model", max_length=100),
            serial_number=_text(serial_number, field="serial_number", max_length=100),
            location=location,
            notes=_text(notes, field="notes", max_length=300),
        )
        audit_record(actor=actor, action="loaner.create", target=unit)
    return unit


def loan_lend(
    *,
    actor: Any,
    unit_id: int,
    customer_id: int,
    due_on: date | None,
    ticket_id: int | None = None,
    contact_name: str = "",
    note: str = "",
) -> Loan:
    """Lend an available unit to a customer until ``due_on`` (engineers on site and stock managers)."""
    if not can_see_stock(user=actor):
        raise PermissionDenied(_("You may not lend loaner units."), code="permission_denied")
    if due_on is None:
        raise ValidationFailed(_("Give the date it is due back."), code="required", field="due_on")
    if due_on < timezone.localdate():
        raise ValidationFailed(_("The due date cannot be in the past."), code="invalid", field="due_on")
    customer = Customer.objects.filter(pk=customer_id, is_active=True).first()
    if customer is None:
        raise ValidationFailed(_("Choose the customer."), code="required", field="customer_id")
    ticket = Ticket.objects.filter(pk=ticket_id, customer=customer).first() if ticket_id else None
    if ticket_id and ticket is None:
        raise ValidationFailed(
            _("The ticket does not belong to this customer."), code="invalid_reference", field="ticket_id"
        )
    with transaction.atomic():
        unit = LoanerUnit.objects.select_for_update().filter(pk=unit_id).first()
        if unit is None:
            raise NotFound(_("Loaner unit not found."), code="loaner_not_found")
        if unit.status != LoanerStatus.AVAILABLE:
            raise Conflict(
                _("%(unit)s is not available (%(status)s).")
                % {"unit": unit.code, "status": unit.get_status_display()},
                code="loaner_not_available",
            )
        try:
            with transaction.atomic():
                loan = Loan.objects.create(
                    unit=unit,
                    customer=customer,
                    ticket=ticket,
                    contact_name=_text(contact_name, field="contact_name", max_length=100),
                    due_on=due_on,
                    lent_by=actor,
                    note=_text(note, field="note", max_length=300),
                )
        except IntegrityError:  # an open loan exists after all: the unit's status was stale
            raise Conflict(
                _("%(unit)s is already lent.") % {"unit": unit.code}, code="loaner_not_available"
            ) from None
        unit.status = LoanerStatus.LENT
        unit.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="loaner.lend",
            target=unit,
            changes={"customer": [None, customer.name], "due_on": [None, due_on.isoformat()]},
        )
    return loan


def loan_return(*, actor: Any, loan_id: int, condition: str = "", needs_repair: bool = False) -> Loan:
    """The unit came back: on the shelf again, or into repair when it came back damaged."""
    if not can_see_stock(user=actor):
        raise PermissionDenied(_("You may not lend loaner units."), code="permission_denied")
    with transaction.atomic():
        loan = Loan.objects.select_for_update().select_related("unit").filter(pk=loan_id).first()
        if loan is None:
            raise NotFound(_("Loan not found."), code="loan_not_found")
        if loan.returned_at is not None:
            raise Conflict(_("This loan was already returned."), code="already_returned")
        loan.returned_at = timezone.now()
        loan.returned_by = actor
        loan.condition = _text(condition, field="condition", max_length=300)
        loan.save(update_fields=["returned_at", "returned_by", "condition"])
        unit = loan.unit
        unit.status = LoanerStatus.IN_REPAIR if needs_repair else LoanerStatus.AVAILABLE
        unit.save(update_fields=["status"])
        audit_record(
            actor=actor, action="loaner.return", target=unit, changes={"status": ["lent", unit.status]}
        )
    return loan


def loaner_set_status(*, actor: Any, unit_id: int, status: str) -> LoanerUnit:
    """Back from repair, or retired (stock managers); a lent unit changes only by its return."""
    if not can_manage_stock(user=actor):
        raise PermissionDenied(_("You may not move stock here."), code="permission_denied")
    if status not in (LoanerStatus.AVAILABLE, LoanerStatus.IN_REPAIR, LoanerStatus.RETIRED):
        raise ValidationFailed(_("Choose a valid option."), code="invalid_choice", field="status")
    with transaction.atomic():
        unit = LoanerUnit.objects.select_for_update().filter(pk=unit_id).first()
        if unit is None:
            raise NotFound(_("Loaner unit not found."), code="loaner_not_found")
        if unit.status == LoanerStatus.LENT:
            raise Conflict(_("Record the return of a lent unit first."), code="loaner_lent")
        before = unit.status
        unit.status = status
        unit.save(update_fields=["status"])
        audit_record(actor=actor, action="loaner.status", target=unit, changes={"status": [before, status]})
    return unit


def loans_remind_overdue(*, today: date | None = None) -> int:
    """Daily: tell whoever lent an overdue unit, and the stock managers, once a day per loan."""
    today = today or timezone.localdate()
    overdue = list(
        Loan.objects.filter(returned_at__isnull=True, due_on__lt=today).select_related("unit", "customer")
    )
    if not overdue:
        return 0
    managers = {
        u.pk
        for u in User.objects.filter(is_active=True).prefetch_related("roles")
        if can_manage_stock(user=u)
    }
    notification_send_many(
        drafts=[
            NotificationDraft(
                recipient_ids=managers | ({loan.lent_by_id} if loan.lent_by_id else set()),
                kind=NotificationKind.GENERIC,
                level=NotificationLevel.WARNING,
                title=_("Loaner %(unit)s is overdue at %(customer)s (due %(due)s)")
                % {"unit": loan.unit.code, "customer": loan.customer.name, "due": loan.due_on.isoformat()},
                url="/inventory/loaners/",
                dedupe_key=f"loan-overdue:{loan.pk}:{today.isoformat()}",
            )
            for loan in overdue
        ]
    )
    return len(overdue)
