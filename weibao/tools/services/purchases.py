"""Purchase requests for tools and equipment (INV-2): anyone on the staff asks, an approver decides,
then the order and the receipt are recorded. The approvers hear of a new request, the requester of
the decision."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.events import audit_record
from weibao.accounts.models import User
from weibao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weibao.notifications.choices import NotificationKind, NotificationLevel
from weibao.notifications.services import NotificationDraft, notification_send_many
from weibao.tools.choices import PurchaseStatus
from weibao.tools.models import PurchaseRequest
from weibao.tools.permissions import can_approve_purchases, can_use_tools
from weibao.tools.services.tools import clean_text, money

# status -> the statuses an approver may move it to
NEXT: dict[str, set[str]] = {
    PurchaseStatus.SUBMITTED: {PurchaseStatus.APPROVED, PurchaseStatus.REJECTED},
    PurchaseStatus.APPROVED: {PurchaseStatus.ORDERED},
    PurchaseStatus.ORDERED: {PurchaseStatus.RECEIVED},
}


def _notify(*, recipient_ids: set[int], title: str, request_id: int) -> None:
    notification_send_many(
        drafts=[
            NotificationDraft(
                recipient_ids=recipient_ids,
                kind=NotificationKind.GENERIC,
                level=NotificationLevel.INFO,
                title=title,
                url="/tools/purchases/",
                dedupe_key=f"purchase:{request_id}:{title}"[:200],
            )
        ]
    )


def purchase_request(
    *, actor: Any, title: str, quantity: int, unit_price: Any, reason: str
) -> PurchaseRequest:
    """Ask to buy something; the approvers are told."""
    if not can_use_tools(user=actor):
        raise PermissionDenied(_("You may not request purchases."), code="permission_denied")
    if not isinstance(quantity, int) or not 1 <= quantity <= 10_000:
        raise ValidationFailed(_("Give a quantity of at least 1."), code="invalid", field="quantity")
    price = money(value=unit_price, field="unit_price", required=True) or Decimal(0)
    with transaction.atomic():
        request = PurchaseRequest.objects.create(
            title=clean_text(value=title, field="title", max_length=200, required=True),
            quantity=quantity,
            unit_price=price,
            reason=clean_text(value=reason, field="reason", max_length=2000, required=True),
            requested_by=actor,
        )
        audit_record(actor=actor, action="purchase.request", target=request)
        approvers = {
            u.pk
            for u in User.objects.filter(is_active=True).prefetch_related("roles")
            if can_approve_purchases(user=u)
        }
        title_text = _("Purchase request to approve: %(title)s") % {"title": request.title}
        pk = request.pk
        transaction.on_commit(lambda: _notify(recipient_ids=approvers, title=title_text, request_id=pk))
    return request


def purchase_advance(*, actor: Any, request_id: int, status: str, note: str = "") -> PurchaseRequest:
    """Approve or reject (with a note), then record the order and the receipt (approvers only)."""
    if not can_approve_purchases(user=actor):
        raise PermissionDenied(_("You may not approve purchases."), code="permission_denied")
    with transaction.atomic():
        request = PurchaseRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None:
            raise NotFound(_("Purchase request not found."), code="purchase_not_found")
        if status not in NEXT.get(request.status, set()):
            raise Conflict(
                _("A request that is %(status)s cannot go there.") % {"status": request.get_status_display()},
                code="invalid_transition",
            )
        if status == PurchaseStatus.REJECTED and not (note or "").strip():
            raise ValidationFailed(_("Say why it is rejected."), code="required", field="note")
        before = request.status
        request.status = status
        if status in (PurchaseStatus.APPROVED, PurchaseStatus.REJECTED):
            request.decided_by = actor
            request.decided_at = timezone.now()
            request.decision_note = clean_text(value=note, field="note", max_length=300)
        request.save()
        audit_record(
            actor=actor, action="purchase.advance", target=request, changes={"status": [before, status]}
        )
        title_text = _("Your purchase request “%(title)s”: %(status)s") % {
            "title": request.title,
            "status": request.get_status_display(),
        }
        requester = {request.requested_by_id}
        transaction.on_commit(
            lambda: _notify(recipient_ids=requester, title=title_text, request_id=request_id)
        )
    return request
