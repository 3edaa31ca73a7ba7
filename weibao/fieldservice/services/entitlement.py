"""Who pays for a visit (AST-2, FLD-3): the system's warranty first, then the customer's contract."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _

from weibao.customers.models import Customer, DeliveredSystem
from weibao.fieldservice.choices import ServiceType
from weibao.sla.models import ServiceContract


@dataclass(frozen=True)
class Entitlement:
    """The service type and the reason shown to the agent and printed on the report."""

    service_type: str
    reason: str


def entitlement_for(*, customer: Customer, system: DeliveredSystem | None, on: date) -> Entitlement:
    """Free while the system's warranty runs; else contract service while a contract is active; else paid."""
    if system is not None and system.warranty_end is not None and system.warranty_end >= on:
        return Entitlement(
            service_type=ServiceType.WARRANTY,
            reason=_("%(system)s is under warranty until %(end)s.")
            % {"system": system.name, "end": system.warranty_end.isoformat()},
        )
    contract = (
        ServiceContract.objects.filter(customer=customer, is_active=True, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .order_by("-starts_on")
        .first()
    )
    if contract is not None:
        until = contract.ends_on.isoformat() if contract.ends_on else _("open-ended")
        return Entitlement(
            service_type=ServiceType.CONTRACT,
            reason=_("Service contract %(number)s (until %(end)s).")
            % {"number": contract.number, "end": until},
        )
    if system is not None and system.warranty_end is not None:
        reason = _("The warranty of %(system)s ended on %(end)s and there is no active contract.") % {
            "system": system.name,
            "end": system.warranty_end.isoformat(),
        }
    else:
        reason = _("No warranty and no active service contract.")
    return Entitlement(service_type=ServiceType.PAID, reason=reason)
