"""Every read of customers and what belongs to them, scoped to the actor (DESIGN rule 2).

Staff with ``customer.view`` see all customers. A portal user sees only the customer of their own
(active) contact. Everyone else is refused; an id outside the actor's scope answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from weibao.accounts.choices import UserKind
from weibao.accounts.models import User
from weibao.accounts.permissions import is_portal_user
from weibao.core.errors import NotFound, PermissionDenied
from weibao.customers.models import Contact, Customer, DeliveredSystem, Site, SystemModule
from weibao.customers.permissions import can_view_customers


def portal_customer_id(*, user: Any) -> int | None:
    """The customer a portal user belongs to (through their active contact), or ``None``."""
    if not is_portal_user(user=user) or not user.is_active:
        return None
    cached = getattr(user, "_weibao_customer_id", False)
    if cached is False:
        cached = (
            Contact.objects.filter(user_id=user.pk, is_active=True)
            .values_list("customer_id", flat=True)
            .first()
        )
        user._weibao_customer_id = cached
    return cached


def _customer_ids_q(actor: Any, field: str = "pk") -> Q:
    """A filter limiting rows to the actor's customers; raises if the actor may see none at all."""
    if is_portal_user(user=actor):
        customer_id = portal_customer_id(user=actor)
        return Q(**{field: customer_id}) if customer_id is not None else Q(pk__in=[])
    if can_view_customers(user=actor):
        return Q()
    raise PermissionDenied(_("You may not see customers."))


def _count(model: type[Any], fk: str, **filters: Any) -> Coalesce:
    sub = (
        model.objects.filter(**{fk: OuterRef("pk")}, **filters)
        .order_by()
        .values(fk)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def customer_list(
    *, actor: Any, q: str | None = None, region: str | None = None, include_inactive: bool = False
) -> QuerySet[Customer]:
    """Customers by name/code/phone/address text and region, with counts of sites, contacts, systems."""
    qs = Customer.objects.filter(_customer_ids_q(actor))
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if q:
        q = q.strip()
        qs = qs.filter(
            Q(name__icontains=q) | Q(code__icontains=q) | Q(phone__icontains=q) | Q(address__icontains=q)
        )
    if region:
        qs = qs.filter(region=region)
    return qs.annotate(
        site_count=_count(Site, "customer", is_active=True),
        contact_count=_count(Contact, "customer", is_active=True),
        system_count=_count(DeliveredSystem, "customer", is_active=True),
    ).order_by("name", "id")


def customer_regions(*, actor: Any) -> list[str]:
    """Distinct non-empty regions of the customers the actor sees, for the filter."""
    qs = Customer.objects.filter(_customer_ids_q(actor)).exclude(region="")
    return list(qs.order_by("region").values_list("region", flat=True).distinct())


def customer_get(*, actor: Any, customer_id: int) -> Customer:
    customer = Customer.objects.filter(_customer_ids_q(actor)).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    return customer


def site_list(*, actor: Any, customer_id: int) -> QuerySet[Site]:
    customer = customer_get(actor=actor, customer_id=customer_id)
    return Site.objects.filter(customer=customer).order_by("name", "id")


def site_get(*, actor: Any, site_id: int) -> Site:
    site = (
        Site.objects.select_related("customer")
        .filter(_customer_ids_q(actor, "customer_id"), pk=site_id)
        .first()
    )
    if site is None:
        raise NotFound(_("Site not found."))
    return site


def contact_list(*, actor: Any, customer_id: int) -> QuerySet[Contact]:
    customer = customer_get(actor=actor, customer_id=customer_id)
    return Contact.objects.filter(customer=customer).select_related("site", "user").order_by("name", "id")


def contact_get(*, actor: Any, contact_id: int) -> Contact:
    contact = (
        Contact.objects.select_related("customer", "site", "user")
        .filter(_customer_ids_q(actor, "customer_id"), pk=contact_id)
        .first()
    )
    if contact is None:
        raise NotFound(_("Contact not found."))
    return contact


def _systems() -> QuerySet[DeliveredSystem]:
    modules = Prefetch("modules", queryset=SystemModule.objects.order_by("-is_active", "name", "id"))
    return DeliveredSystem.objects.select_related("site", "project_manager").prefetch_related(modules)


def system_list(*, actor: Any, customer_id: int) -> QuerySet[DeliveredSystem]:
    customer = customer_get(actor=actor, customer_id=customer_id)
    return _systems().filter(customer=customer).order_by("name", "id")


def system_get(*, actor: Any, system_id: int) -> DeliveredSystem:
    system = (
        _systems()
        .select_related("customer")
        .filter(_customer_ids_q(actor, "customer_id"), pk=system_id)
        .first()
    )
    if system is None:
        raise NotFound(_("System not found."))
    return system


@dataclass(frozen=True)
class CustomerDetail:
    customer: Customer
    sites: list[Site]
    contacts: list[Contact]
    systems: list[DeliveredSystem]

    @property
    def portal_contacts(self) -> list[Contact]:
        return [c for c in self.contacts if c.user_id is not None]


def customer_detail(*, actor: Any, customer_id: int) -> CustomerDetail:
    """A customer with its sites, contacts (and portal logins) and systems with modules."""
    customer = customer_get(actor=actor, customer_id=customer_id)
    return CustomerDetail(
        customer=customer,
        sites=list(
            Site.objects.filter(customer=customer).select_related("calendar").order_by("-is_active", "name")
        ),
        contacts=list(
            Contact.objects.filter(customer=customer)
            .select_related("site", "user")
            .order_by("-is_active", "name")
        ),
        systems=list(_systems().filter(customer=customer).order_by("-is_active", "name")),
    )


def linkable_portal_users(*, actor: Any) -> QuerySet[User]:
    """Active portal users not yet linked to any contact (created on the user administration page)."""
    if not can_view_customers(user=actor):
        raise PermissionDenied(_("You may not see customers."))
    return User.objects.filter(kind=UserKind.CUSTOMER, is_active=True, contact__isnull=True).order_by(
        "username"
    )
