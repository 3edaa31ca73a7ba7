"""Helpers shared by the work-order services: text checks, the row lock with the version check, the
permission + state-table check, and the versioned save."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from weibao.accounts.permissions import is_portal_user
from weibao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weibao.fieldservice.models import WorkOrder
from weibao.fieldservice.permissions import can_act
from weibao.fieldservice.transitions import OrderAction, require_transition

TEXT_MAX = 10_000


def _text(value: str | None, *, field: str, required: bool = False, max_length: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(_("This field is required."), code="required", field=field)
    if len(value) > max_length:
        raise ValidationFailed(
            _("At most %(n)s characters.") % {"n": max_length}, code="too_long", field=field
        )
    return value


def _lock(*, order_id: int, version: int | None) -> WorkOrder:
    order = WorkOrder.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        raise NotFound(_("Work order not found."), code="work_order_not_found")
    if version is not None and version != order.version:
        raise Conflict(
            _("Someone else changed this work order meanwhile. Reload and try again."), code="stale_version"
        )
    return order


def _authorize(*, actor: Any, order: WorkOrder, action: str) -> str | None:
    engineer_ids = set(order.engineers.values_list("pk", flat=True))
    if is_portal_user(user=actor):
        # The customer may accept a quote on the portal (FLD-3), and only for their own organisation.
        contact = getattr(actor, "contact", None)
        if action != OrderAction.ACCEPT_QUOTE or contact is None or contact.customer_id != order.customer_id:
            raise PermissionDenied(_("You may not do this on this work order."), code="permission_denied")
        return require_transition(action=action, status=order.status)
    if not can_act(user=actor, action=action, engineer_ids=engineer_ids):
        raise PermissionDenied(_("You may not do this on this work order."), code="permission_denied")
    return require_transition(action=action, status=order.status)


def _save(order: WorkOrder, fields: list[str]) -> None:
    order.version += 1
    order.save(update_fields=[*fields, "version", "updated_at"])
