"""Tools and test equipment (INV-2): register, hand to a new keeper, check out and return, report a
loss or damage and decide it. Every write validates first and locks the tool row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.events import audit_record
from weibao.accounts.models import User
from weibao.accounts.permissions import is_staff_user
from weibao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weibao.notifications.choices import NotificationKind, NotificationLevel
from weibao.notifications.services import NotificationDraft, notification_send_many
from weibao.tools.choices import IncidentKind, Liability, ToolKind, ToolStatus
from weibao.tools.models import Tool, ToolCheckout, ToolIncident
from weibao.tools.permissions import can_manage_tools, can_use_tools


def clean_text(*, value: str | None, field: str, max_length: int, required: bool = False) -> str:
    """Stripped text of at most ``max_length`` characters; ``required`` refuses an empty one."""
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(_("This field is required."), code="required", field=field)
    if len(text) > max_length:
        raise ValidationFailed(
            _("At most %(n)d characters.") % {"n": max_length}, code="too_long", field=field
        )
    return text


def money(*, value: Any, field: str, required: bool = False) -> Decimal | None:
    """A non-negative amount in CNY with two decimals, or ``None``."""
    if value in (None, ""):
        if required:
            raise ValidationFailed(_("Give an amount."), code="required", field=field)
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("Give an amount."), code="invalid", field=field) from None
    if amount < 0 or amount >= Decimal("10000000000"):
        raise ValidationFailed(_("Give an amount."), code="invalid", field=field)
    return amount


def _staff(user_id: int | None, *, field: str) -> User:
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None or not is_staff_user(user=user):
        raise ValidationFailed(_("Choose an active staff member."), code="invalid_reference", field=field)
    return user


def _lock(tool_id: int) -> Tool:
    tool = Tool.objects.select_for_update().filter(pk=tool_id).first()
    if tool is None:
        raise NotFound(_("Tool not found."), code="tool_not_found")
    return tool


def _managers() -> set[int]:
    return {
        u.pk
        for u in User.objects.filter(is_active=True).prefetch_related("roles")
        if can_manage_tools(user=u)
    }


def tool_register(
    *,
    actor: Any,
    code: str,
    name: str,
    keeper_id: int,
    kind: str = ToolKind.TOOL,
    model: str = "",
    serial_number: str = "",
    is_fixed_asset: bool = False,
    asset_number: str = "",
    value: Any = None,
    purchase_date: date | None = None,
    calibration_due: date | None = None,
    notes: str = "",
) -> Tool:
    """Register a tool with the person who keeps it; a fixed asset needs its asset number."""
    if not can_manage_tools(user=actor):
        raise PermissionDenied(_("You may not manage tools."), code="permission_denied")
    code = clean_text(value=code, field="code", max_length=64, required=True)
    if Tool.objects.filter(code=code).exists():
        raise ValidationFailed(_("A tool with this number exists."), code="duplicate", field="code")
    if kind not in ToolKind.values:
        raise ValidationFailed(_("Choose a valid option."), code="invalid_choice", field="kind")
    asset_number = clean_text(value=asset_number, field="asset_number", max_length=64)
    if is_fixed_asset and not asset_number:
        raise ValidationFailed(
            _("A fixed asset needs its fixed-asset number."), code="required", field="asset_number"
        )
    keeper = _staff(keeper_id, field="keeper_id")
    with transaction.atomic():
        tool = Tool.objects.create(
            code=code,
            name=clean_text(value=name, field="name", max_length=200, required=True),
            kind=kind,
            model=clean_text(value=model, field="model", max_length=100),
            serial_number=clean_text(value=serial_number, field="serial_number", max_length=100),
            keeper=keeper,
            is_fixed_asset=bool(is_fixed_asset),
            asset_number=asset_number,
            value=money(value=value, field="value"),
            purchase_date=purchase_date,
            calibration_due=calibration_due,
            notes=clean_text(value=notes, field="notes", max_length=300),
        )
        audit_record(
            actor=actor, action="tool.register", target=tool, changes={"keeper": [None, str(keeper)]}
        )
    return tool


def tool_hand_over(*, actor: Any, tool_id: int, keeper_id: int) -> Tool:
    """A new person keeps the tool (tool managers); a tool out on loan is returned first."""
    if not can_manage_tools(user=actor):
        raise PermissionDenied(_("You may not manage tools."), code="permission_denied")
    keeper = _staff(keeper_id, field="keeper_id")
    with transaction.atomic():
        tool = _lock(tool_id)
        if tool.status == ToolStatus.CHECKED_OUT:
            raise Conflict(_("The tool is checked out; record its return first."), code="tool_checked_out")
        before = str(tool.keeper)
        tool.keeper = keeper
        tool.save(update_fields=["keeper"])
        audit_record(
            actor=actor, action="tool.hand_over", target=tool, changes={"keeper": [before, str(keeper)]}
        )
    return tool


def tool_check_out(
    *, actor: Any, tool_id: int, borrower_id: int, due_back: date | None = None, purpose: str = ""
) -> ToolCheckout:
    """The keeper (or a tool manager) hands the tool to a colleague."""
    borrower = _staff(borrower_id, field="borrower_id")
    if due_back is not None and due_back < timezone.localdate():
        raise ValidationFailed(_("The due date cannot be in the past."), code="invalid", field="due_back")
    with transaction.atomic():
        tool = _lock(tool_id)
        if not (tool.keeper_id == getattr(actor, "pk", None) or can_manage_tools(user=actor)):
            raise PermissionDenied(_("Only the keeper hands out this tool."), code="permission_denied")
        if tool.status != ToolStatus.IN_SERVICE:
            raise Conflict(
                _("The tool is not available (%(status)s).") % {"status": tool.get_status_display()},
                code="tool_not_available",
            )
        try:
            with transaction.atomic():
                checkout = ToolCheckout.objects.create(
                    tool=tool,
                    borrower=borrower,
                    due_back=due_back,
                    purpose=clean_text(value=purpose, field="purpose", max_length=200),
                    handed_by=actor,
                )
        except IntegrityError:
            raise Conflict(_("The tool is already checked out."), code="tool_not_available") from None
        tool.status = ToolStatus.CHECKED_OUT
        tool.save(update_fields=["status"])
        audit_record(
            actor=actor, action="tool.check_out", target=tool, changes={"borrower": [None, str(borrower)]}
        )
    return checkout


def tool_return(*, actor: Any, checkout_id: int) -> ToolCheckout:
    """The tool is back with its keeper (recorded by the keeper, the borrower or a tool manager)."""
    with transaction.atomic():
        checkout = ToolCheckout.objects.select_for_update().filter(pk=checkout_id).first()
        if checkout is None:
            raise NotFound(_("Checkout not found."), code="checkout_not_found")
        tool = _lock(checkout.tool_id)
        me = getattr(actor, "pk", None)
        if not (me in (tool.keeper_id, checkout.borrower_id) or can_manage_tools(user=actor)):
            raise PermissionDenied(
                _("Only the keeper or the borrower records the return."), code="permission_denied"
            )
        if checkout.returned_at is not None:
            raise Conflict(_("This checkout was already returned."), code="already_returned")
        checkout.returned_at = timezone.now()
        checkout.returned_to = actor
        checkout.save(update_fields=["returned_at", "returned_to"])
        if tool.status == ToolStatus.CHECKED_OUT:
            tool.status = ToolStatus.IN_SERVICE
            tool.save(update_fields=["status"])
        audit_record(actor=actor, action="tool.return", target=tool)
    return checkout


def tool_report_incident(*, actor: Any, tool_id: int, kind: str, description: str) -> ToolIncident:
    """Report a loss or damage (anyone who keeps or uses tools); the tool managers are told."""
    if not can_use_tools(user=actor):
        raise PermissionDenied(_("You may not report on tools."), code="permission_denied")
    if kind not in IncidentKind.values:
        raise ValidationFailed(_("Choose a valid option."), code="invalid_choice", field="kind")
    description = clean_text(value=description, field="description", max_length=2000, required=True)
    with transaction.atomic():
        tool = _lock(tool_id)
        if tool.status == ToolStatus.RETIRED:
            raise Conflict(_("The tool is retired."), code="tool_retired")
        incident = ToolIncident.objects.create(
            tool=tool, kind=kind, description=description, reported_by=actor
        )
        open_checkout = tool.checkouts.filter(returned_at__isnull=True).first()
        if open_checkout is not None:  # a lost or broken tool is not out on loan any more
            open_checkout.returned_at = timezone.now()
            open_checkout.returned_to = actor
            open_checkout.save(update_fields=["returned_at", "returned_to"])
        tool.status = ToolStatus.LOST if kind == IncidentKind.LOSS else ToolStatus.DAMAGED
        tool.save(update_fields=["status"])
        audit_record(
            actor=actor, action="tool.incident", target=tool, changes={"status": [None, tool.status]}
        )
        tool_label = str(tool)
        incident_kind = incident.get_kind_display()
        transaction.on_commit(
            lambda: notification_send_many(
                drafts=[
                    NotificationDraft(
                        recipient_ids=_managers(),
                        kind=NotificationKind.GENERIC,
                        level=NotificationLevel.WARNING,
                        title=_("%(kind)s reported: %(tool)s") % {"kind": incident_kind, "tool": tool_label},
                        url=f"/tools/{tool_id}/",
                    )
                ]
            )
        )
    return incident


def tool_decide_incident(
    *,
    actor: Any,
    incident_id: int,
    liability: str,
    responsible_id: int | None = None,
    compensation: Any = None,
    note: str = "",
    back_in_service: bool = False,
) -> ToolIncident:
    """Decide a report: normal wear, or compensation by a named person; a repaired tool may return
    to service, a lost one is retired."""
    if not can_manage_tools(user=actor):
        raise PermissionDenied(_("You may not manage tools."), code="permission_denied")
    if liability not in (Liability.NORMAL_WEAR, Liability.COMPENSATION):
        raise ValidationFailed(_("Choose a valid option."), code="invalid_choice", field="liability")
    responsible = None
    amount = None
    if liability == Liability.COMPENSATION:
        responsible = _staff(responsible_id, field="responsible_id")
        amount = money(value=compensation, field="compensation", required=True)
        if not amount:
            raise ValidationFailed(_("Give an amount."), code="required", field="compensation")
    with transaction.atomic():
        incident = ToolIncident.objects.select_for_update().filter(pk=incident_id).first()
        if incident is None:
            raise NotFound(_("Report not found."), code="incident_not_found")
        if incident.liability != Liability.UNDECIDED:
            raise Conflict(_("This report was already decided."), code="already_decided")
        tool = _lock(incident.tool_id)
        incident.liability = liability
        incident.responsible = responsible
        incident.compensation = amount
        incident.decision_note = clean_text(value=note, field="note", max_length=300)
        incident.decided_by = actor
        incident.decided_at = timezone.now()
        incident.save()
        if incident.kind == IncidentKind.LOSS:
            tool.status = ToolStatus.RETIRED
        elif back_in_service:
            tool.status = ToolStatus.IN_SERVICE
        tool.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="tool.decide",
            target=tool,
            changes={"liability": [None, liability], "compensation": [None, str(amount) if amount else None]},
        )
    return incident
