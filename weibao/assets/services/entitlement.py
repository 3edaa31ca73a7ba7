"""Who pays (AST-2, FLD-3): the affected items' warranties first, then the customer's contract.

An item's warranty is its own end date, or else its delivered project's. With items named, the
service is free only when every one of them is under warranty on the day; otherwise an active
contract makes it contract service, and without one it is paid - the reason names what decided.
Without items the delivered system's warranty decides the same way.

:func:`decide_entitlement` is pure (data in, decision out) so that batch planning decides thousands
of visits with one read of the contracts; :func:`entitlement_for` loads what one decision needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _

from weibao.assets.choices import ServiceType
from weibao.assets.models import ConfigurationItem
from weibao.customers.models import Customer, DeliveredSystem
from weibao.sla.models import ServiceContract

_NAMED = 3  # items named in a reason before "and N more"


@dataclass(frozen=True)
class Entitlement:
    """The service type and the reason shown to the agent and printed on the report."""

    service_type: str
    reason: str


def item_warranty_end(*, item: ConfigurationItem) -> date | None:
    """The item's own warranty end, or its delivered project's when it has none of its own."""
    if item.warranty_end is not None:
        return item.warranty_end
    system = item.system if item.system_id else None
    return system.warranty_end if system is not None else None


def active_contract(*, contracts: Iterable[ServiceContract], on: date) -> ServiceContract | None:
    """The latest-starting active contract that runs on ``on``."""
    running = [
        c for c in contracts if c.is_active and c.starts_on <= on and (c.ends_on is None or c.ends_on >= on)
    ]
    return max(running, key=lambda c: c.starts_on, default=None)


def _names(items: Sequence[ConfigurationItem]) -> str:
    shown = "、".join(f"{i.code} {i.name}" for i in items[:_NAMED])
    if len(items) > _NAMED:
        shown += _(" and %(n)d more") % {"n": len(items) - _NAMED}
    return shown


def _contract_reason(contract: ServiceContract) -> str:
    until = contract.ends_on.isoformat() if contract.ends_on else _("open-ended")
    return _("Service contract %(number)s (until %(end)s).") % {"number": contract.number, "end": until}


def _by_items(
    *, on: date, items: Sequence[ConfigurationItem], contract: ServiceContract | None
) -> Entitlement:
    ends = {i.pk: item_warranty_end(item=i) for i in items}
    outside = [i for i in items if ends[i.pk] is None or ends[i.pk] < on]  # type: ignore[operator]
    if not outside:
        end = min(e for e in ends.values() if e is not None)
        return Entitlement(
            ServiceType.WARRANTY,
            _("%(items)s under warranty until %(end)s.") % {"items": _names(items), "end": end.isoformat()},
        )
    if contract is not None:
        return Entitlement(
            ServiceType.CONTRACT,
            _contract_reason(contract) + " " + _("Out of warranty: %(items)s.") % {"items": _names(outside)},
        )
    ended = [i for i in outside if ends[i.pk] is not None]
    if ended:
        first = ended[0]
        reason = _("The warranty of %(item)s ended on %(end)s and there is no active contract.") % {
            "item": _names(ended),
            "end": ends[first.pk].isoformat(),  # type: ignore[union-attr]
        }
    else:
        reason = _("%(items)s: no warranty recorded and no active service contract.") % {
            "items": _names(outside)
        }
    return Entitlement(ServiceType.PAID, reason)


def decide_entitlement(
    *,
    on: date,
    system: DeliveredSystem | None,
    items: Sequence[ConfigurationItem] = (),
    contracts: Iterable[ServiceContract] = (),
) -> Entitlement:
    """The service type on ``on`` for work on ``items`` (or on ``system`` when no item is named)."""
    contract = active_contract(contracts=contracts, on=on)
    if items:
        return _by_items(on=on, items=items, contract=contract)
    if system is not None and system.warranty_end is not None and system.warranty_end >= on:
        return Entitlement(
            ServiceType.WARRANTY,
            _("%(system)s is under warranty until %(end)s.")
            % {"system": system.name, "end": system.warranty_end.isoformat()},
        )
    if contract is not None:
        return Entitlement(ServiceType.CONTRACT, _contract_reason(contract))
    if system is not None and system.warranty_end is not None:
        reason = _("The warranty of %(system)s ended on %(end)s and there is no active contract.") % {
            "system": system.name,
            "end": system.warranty_end.isoformat(),
        }
    else:
        reason = _("No warranty and no active service contract.")
    return Entitlement(ServiceType.PAID, reason)


def entitlement_for(
    *,
    customer: Customer,
    system: DeliveredSystem | None,
    on: date,
    items: Sequence[ConfigurationItem] = (),
) -> Entitlement:
    """Load the customer's contracts running on ``on`` and decide (two queries at most)."""
    contracts = list(
        ServiceContract.objects.filter(customer=customer, is_active=True, starts_on__lte=on).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=on)
        )
    )
    return decide_entitlement(on=on, system=system, items=items, contracts=contracts)
