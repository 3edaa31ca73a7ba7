"""Permission matrix: every built-in role x every customers action. Denial changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from weibao.accounts.choices import BUILTIN_ROLES, Perm
from weibao.accounts.models import AuditEvent, User
from weibao.accounts.tests.factories import staff_user
from weibao.core.errors import NotFound, PermissionDenied
from weibao.customers import permissions, selectors, services
from weibao.customers.models import Contact, Customer, DeliveredSystem, Site, SystemModule
from weibao.customers.tests.factories import (
    ContactFactory,
    CustomerFactory,
    DeliveredSystemFactory,
    SiteFactory,
    portal_user,
)

pytestmark = pytest.mark.django_db

STRONG = "Str0ng-Passw0rd-维保"


def snapshot() -> tuple[Any, ...]:
    return (
        sorted(Customer.objects.values_list()),
        sorted(Site.objects.values_list()),
        sorted(Contact.objects.values_list()),
        sorted(DeliveredSystem.objects.values_list()),
        sorted(SystemModule.objects.values_list()),
        User.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def home() -> Customer:
    """The customer a portal actor belongs to; the actions below target it (their best case)."""
    customer = CustomerFactory.create()
    SiteFactory.create(customer=customer)
    ContactFactory.create(customer=customer)
    DeliveredSystemFactory.create(customer=customer)
    return customer


def actor_with(role_code: str, home: Customer) -> User:
    if BUILTIN_ROLES[role_code][2]:
        return staff_user(role_codes=[role_code])
    return portal_user(customer=home)


Action = Callable[[User, Customer], Any]

WRITES: dict[str, Action] = {
    "customer_create": lambda a, c: services.customer_create(actor=a, code="new", name="新医院"),
    "customer_update": lambda a, c: services.customer_update(
        actor=a, customer_id=c.pk, changes={"name": "x"}
    ),
    "site_create": lambda a, c: services.site_create(actor=a, customer_id=c.pk, name="新院区"),
    "site_update": lambda a, c: services.site_update(
        actor=a, site_id=c.sites.get().pk, changes={"distance_class": "remote"}
    ),
    "contact_create": lambda a, c: services.contact_create(actor=a, customer_id=c.pk, name="新联系人"),
    "contact_create_with_login": lambda a, c: services.contact_create(
        actor=a, customer_id=c.pk, name="新联系人", portal_login={"username": "newportal", "password": STRONG}
    ),
    "contact_update": lambda a, c: services.contact_update(
        actor=a, contact_id=c.contacts.get(user__isnull=True).pk, changes={"phone": "110"}
    ),
    "system_create": lambda a, c: services.system_create(
        actor=a, customer_id=c.pk, name="LIS", modules=[{"name": "检验", "version": "1"}]
    ),
    "system_update": lambda a, c: services.system_update(
        actor=a, system_id=c.systems.get().pk, changes={"version": "9"}
    ),
}

READS: dict[str, Action] = {
    "customer_list": lambda a, c: list(selectors.customer_list(actor=a)),
    "customer_detail": lambda a, c: selectors.customer_detail(actor=a, customer_id=c.pk),
    "system_get": lambda a, c: selectors.system_get(actor=a, system_id=c.systems.get().pk),
}


@pytest.mark.parametrize("action", sorted(WRITES))
@pytest.mark.parametrize("role_code", sorted(BUILTIN_ROLES))
def test_write_matrix(role_code: str, action: str, home: Customer) -> None:
    _name, perms, is_staff_role = BUILTIN_ROLES[role_code]
    expected = is_staff_role and Perm.CUSTOMER_MANAGE.value in perms
    actor = actor_with(role_code, home)
    before = snapshot()
    if expected:
        WRITES[action](actor, home)
        assert snapshot() != before
    else:
        with pytest.raises(PermissionDenied):
            WRITES[action](actor, home)
        assert snapshot() == before


@pytest.mark.parametrize("action", sorted(READS))
@pytest.mark.parametrize("role_code", sorted(BUILTIN_ROLES))
def test_read_matrix(role_code: str, action: str, home: Customer) -> None:
    _name, perms, is_staff_role = BUILTIN_ROLES[role_code]
    # Portal users read their own customer; staff need customer.view (or manage).
    expected = not is_staff_role or bool({Perm.CUSTOMER_VIEW.value, Perm.CUSTOMER_MANAGE.value} & set(perms))
    actor = actor_with(role_code, home)
    if expected:
        assert READS[action](actor, home)
    else:
        with pytest.raises((PermissionDenied, NotFound)):
            READS[action](actor, home)


@pytest.mark.parametrize("role_code", sorted(BUILTIN_ROLES))
def test_predicates(role_code: str, home: Customer) -> None:
    _name, perms, is_staff_role = BUILTIN_ROLES[role_code]
    actor = actor_with(role_code, home)
    assert permissions.can_manage_customers(user=actor) == (
        is_staff_role and Perm.CUSTOMER_MANAGE.value in perms
    )
    assert permissions.can_view_customers(user=actor) == (
        is_staff_role and bool({Perm.CUSTOMER_VIEW.value, Perm.CUSTOMER_MANAGE.value} & set(perms))
    )
