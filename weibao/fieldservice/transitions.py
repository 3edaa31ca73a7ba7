"""The work-order state machine as data (DESIGN.md rule 4); services consult it before any write."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weibao.core.errors import Conflict
from weibao.fieldservice.choices import OrderStatus

S = OrderStatus


class OrderAction(models.TextChoices):
    EDIT = "edit", gettext_lazy("Edit the plan")
    CHECK_IN = "check_in", gettext_lazy("Check in")
    RECORD = "record", gettext_lazy("Record work")
    CHECK_OUT = "check_out", gettext_lazy("Check out")
    ACCEPT_QUOTE = "accept_quote", gettext_lazy("Record the customer's acceptance of the quote")
    SIGN = "sign", gettext_lazy("Customer signature")
    ANNOTATE = "annotate", gettext_lazy("Add an annotation")
    CANCEL = "cancel", gettext_lazy("Cancel")
    CHARGES = "charges", gettext_lazy("Change charges")
    RECEIPT = "receipt", gettext_lazy("Take equipment back")


#: action -> (statuses it is allowed from, status it leads to; None = unchanged)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    OrderAction.EDIT: (frozenset({S.PLANNED}), None),
    OrderAction.CHECK_IN: (frozenset({S.PLANNED}), S.IN_PROGRESS),
    OrderAction.RECORD: (frozenset({S.IN_PROGRESS, S.COMPLETED}), None),
    OrderAction.CHECK_OUT: (frozenset({S.IN_PROGRESS}), S.COMPLETED),
    OrderAction.ACCEPT_QUOTE: (frozenset({S.PLANNED, S.IN_PROGRESS}), None),
    OrderAction.SIGN: (frozenset({S.COMPLETED}), S.SIGNED),
    OrderAction.ANNOTATE: (frozenset({S.SIGNED, S.CANCELLED}), None),
    OrderAction.CANCEL: (frozenset({S.PLANNED, S.IN_PROGRESS}), S.CANCELLED),
    OrderAction.CHARGES: (frozenset({S.PLANNED, S.IN_PROGRESS, S.COMPLETED}), None),
    OrderAction.RECEIPT: (frozenset({S.IN_PROGRESS, S.COMPLETED}), None),
}


def allowed_from(*, action: str, status: str) -> bool:
    return status in TRANSITIONS[action][0]


def require_transition(*, action: str, status: str) -> str | None:
    """The target status of ``action`` from ``status``; 409 when the action is not allowed now."""
    sources, target = TRANSITIONS[action]
    if status not in sources:
        if status == S.SIGNED:
            raise Conflict(
                _("A signed work order cannot be changed; add an annotation instead."), code="signed"
            )
        raise Conflict(
            _("This cannot be done to a work order that is %(status)s.")
            % {"status": OrderStatus(status).label},
            code="invalid_transition",
        )
    return target
