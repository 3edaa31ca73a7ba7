"""API routers: /customers (with nested sites, contacts, systems) and /systems/{id}.

Portal users get only their own customer (other ids answer 404); staff need ``customer.view`` to
read and ``customer.manage`` to write (else 403).
"""

# No ``from __future__ import annotations``: ninja resolves Query[...] parameter types at import.

from typing import Any, cast

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from weibao.core.api_auth import API_AUTH
from weibao.customers import selectors, services
from weibao.customers.schemas import (
    ContactIn,
    ContactOut,
    CustomerFilters,
    CustomerIn,
    CustomerListOut,
    CustomerOut,
    CustomerPatchIn,
    SiteIn,
    SiteOut,
    SystemIn,
    SystemOut,
    SystemPatchIn,
)

customers_router = Router(auth=API_AUTH, tags=["customers"])
systems_router = Router(auth=API_AUTH, tags=["customers"])

# Fields where an explicit null means "clear it"; for the others null means "leave as is".
_NULLABLE = {"site_id", "project_manager_id", "go_live_date", "warranty_end", "calendar_id"}


def _patch(payload: Any) -> dict[str, Any]:
    sent = payload.dict(exclude_unset=True)
    return {k: v for k, v in sent.items() if v is not None or k in _NULLABLE}


@customers_router.get("", response=list[CustomerListOut])
@paginate(LimitOffsetPagination)
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> Any:
    """Customers the caller may see, filtered by text (``q``) and ``region``."""
    return selectors.customer_list(actor=request.user, **filters.dict())


@customers_router.post("", response={201: CustomerOut})
def create_customer(request: HttpRequest, payload: CustomerIn) -> Any:
    return Status(201, services.customer_create(actor=request.user, **payload.dict()))


@customers_router.get("/{int:customer_id}", response=CustomerOut)
def get_customer(request: HttpRequest, customer_id: int) -> Any:
    return selectors.customer_get(actor=request.user, customer_id=customer_id)


@customers_router.patch("/{int:customer_id}", response=CustomerOut)
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerPatchIn) -> Any:
    selectors.customer_get(actor=request.user, customer_id=customer_id)
    changes = cast(services.CustomerChanges, _patch(payload))
    return services.customer_update(actor=request.user, customer_id=customer_id, changes=changes)


@customers_router.get("/{int:customer_id}/sites", response=list[SiteOut])
def list_sites(request: HttpRequest, customer_id: int) -> Any:
    return selectors.site_list(actor=request.user, customer_id=customer_id)


@customers_router.post("/{int:customer_id}/sites", response={201: SiteOut})
def create_site(request: HttpRequest, customer_id: int, payload: SiteIn) -> Any:
    selectors.customer_get(actor=request.user, customer_id=customer_id)
    return Status(201, services.site_create(actor=request.user, customer_id=customer_id, **payload.dict()))


@customers_router.get("/{int:customer_id}/contacts", response=list[ContactOut])
def list_contacts(request: HttpRequest, customer_id: int) -> Any:
    return selectors.contact_list(actor=request.user, customer_id=customer_id)


@customers_router.post("/{int:customer_id}/contacts", response={201: ContactOut})
def create_contact(request: HttpRequest, customer_id: int, payload: ContactIn) -> Any:
    """Add a contact; send ``portal_login`` to create their portal user at the same time."""
    selectors.customer_get(actor=request.user, customer_id=customer_id)
    data = payload.dict()
    contact = services.contact_create(actor=request.user, customer_id=customer_id, **data)
    return Status(201, selectors.contact_get(actor=request.user, contact_id=contact.pk))


@customers_router.get("/{int:customer_id}/systems", response=list[SystemOut])
def list_systems(request: HttpRequest, customer_id: int) -> Any:
    return selectors.system_list(actor=request.user, customer_id=customer_id)


@customers_router.post("/{int:customer_id}/systems", response={201: SystemOut})
def create_system(request: HttpRequest, customer_id: int, payload: SystemIn) -> Any:
    selectors.customer_get(actor=request.user, customer_id=customer_id)
    system = services.system_create(actor=request.user, customer_id=customer_id, **payload.dict())
    return Status(201, selectors.system_get(actor=request.user, system_id=system.pk))


@systems_router.get("/{int:system_id}", response=SystemOut)
def get_system(request: HttpRequest, system_id: int) -> Any:
    """A delivered system with its modules (inactive ones included, flagged)."""
    return selectors.system_get(actor=request.user, system_id=system_id)


@systems_router.patch("/{int:system_id}", response=SystemOut)
def update_system(request: HttpRequest, system_id: int, payload: SystemPatchIn) -> Any:
    selectors.system_get(actor=request.user, system_id=system_id)
    changes = cast(services.SystemChanges, _patch(payload))
    services.system_update(actor=request.user, system_id=system_id, changes=changes)
    return selectors.system_get(actor=request.user, system_id=system_id)
