"""customers.selectors: a portal user of customer A never sees customer B; staff need customer.view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from weibao.accounts.choices import UserKind
from weibao.accounts.tests.factories import UserFactory, staff_user
from weibao.core.errors import NotFound, PermissionDenied
from weibao.customers import selectors
from weibao.customers.models import Contact, Customer
from weibao.customers.tests.factories import (
    ContactFactory,
    CustomerFactory,
    DeliveredSystemFactory,
    SiteFactory,
    SystemModuleFactory,
    portal_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    a, b = (
        CustomerFactory.create(name="A医院", region="上海"),
        CustomerFactory.create(name="B医院", region="北京"),
    )
    objects: dict[str, Any] = {"a": a, "b": b}
    for key, customer in (("a", a), ("b", b)):
        objects[f"{key}_site"] = SiteFactory.create(customer=customer)
        objects[f"{key}_contact"] = ContactFactory.create(customer=customer)
        objects[f"{key}_system"] = DeliveredSystemFactory.create(customer=customer)
    objects["portal_a"] = portal_user(customer=a)
    return objects


FOREIGN_READS: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "customer_get": lambda actor, w: selectors.customer_get(actor=actor, customer_id=w["b"].pk),
    "customer_detail": lambda actor, w: selectors.customer_detail(actor=actor, customer_id=w["b"].pk),
    "site_list": lambda actor, w: selectors.site_list(actor=actor, customer_id=w["b"].pk),
    "site_get": lambda actor, w: selectors.site_get(actor=actor, site_id=w["b_site"].pk),
    "contact_list": lambda actor, w: selectors.contact_list(actor=actor, customer_id=w["b"].pk),
    "contact_get": lambda actor, w: selectors.contact_get(actor=actor, contact_id=w["b_contact"].pk),
    "system_list": lambda actor, w: selectors.system_list(actor=actor, customer_id=w["b"].pk),
    "system_get": lambda actor, w: selectors.system_get(actor=actor, system_id=w["b_system"].pk),
}


@pytest.mark.parametrize("read", sorted(FOREIGN_READS))
def test_portal_user_never_sees_another_customer(world: dict[str, Any], read: str) -> None:
    with pytest.raises(NotFound):
        FOREIGN_READS[read](world["portal_a"], world)


def test_portal_user_sees_own_customer(world: dict[str, Any]) -> None:
    me = world["portal_a"]
    assert list(selectors.customer_list(actor=me)) == [world["a"]]
    assert selectors.customer_get(actor=me, customer_id=world["a"].pk) == world["a"]
    assert selectors.system_get(actor=me, system_id=world["a_system"].pk) == world["a_system"]
    assert list(selectors.site_list(actor=me, customer_id=world["a"].pk)) == [world["a_site"]]
    assert selectors.customer_regions(actor=me) == ["上海"]


def test_inactive_contact_sees_nothing(world: dict[str, Any]) -> None:
    Contact.objects.filter(user=world["portal_a"]).update(is_active=False)
    me = type(world["portal_a"]).objects.get(pk=world["portal_a"].pk)
    assert list(selectors.customer_list(actor=me)) == []
    with pytest.raises(NotFound):
        selectors.customer_get(actor=me, customer_id=world["a"].pk)


def test_unlinked_portal_user_sees_nothing(world: dict[str, Any]) -> None:
    loose = UserFactory.create(kind=UserKind.CUSTOMER)
    assert list(selectors.customer_list(actor=loose)) == []
    with pytest.raises(NotFound):
        selectors.customer_get(actor=loose, customer_id=world["a"].pk)


@pytest.mark.parametrize(
    "role", ["agent", "support_engineer", "ops_engineer", "project_manager", "finance", "admin"]
)
def test_staff_with_customer_view_see_all(world: dict[str, Any], role: str) -> None:
    actor = staff_user(role_codes=[role])
    assert set(selectors.customer_list(actor=actor)) == {world["a"], world["b"]}
    assert selectors.contact_get(actor=actor, contact_id=world["b_contact"].pk) == world["b_contact"]


def test_staff_without_customer_view_are_refused(world: dict[str, Any]) -> None:
    nobody = staff_user(role_codes=[])
    for read in FOREIGN_READS.values():
        with pytest.raises(PermissionDenied):
            read(nobody, world)
    with pytest.raises(PermissionDenied):
        selectors.customer_list(actor=nobody)
    with pytest.raises(PermissionDenied):
        selectors.customer_list(actor=AnonymousUser())


def test_unknown_ids_are_404(world: dict[str, Any]) -> None:
    actor = staff_user(role_codes=["agent"])
    with pytest.raises(NotFound):
        selectors.customer_get(actor=actor, customer_id=999999)
    with pytest.raises(NotFound):
        selectors.system_get(actor=actor, system_id=999999)


def test_list_filters_and_counts(world: dict[str, Any]) -> None:
    actor = staff_user(role_codes=["agent"])
    SiteFactory.create(customer=world["a"])
    SiteFactory.create(customer=world["a"], is_active=False)
    CustomerFactory.create(name="停用医院", is_active=False)
    rows: dict[str, Any] = {c.name: c for c in selectors.customer_list(actor=actor)}
    assert set(rows) == {"A医院", "B医院"}
    assert (rows["A医院"].site_count, rows["A医院"].contact_count, rows["A医院"].system_count) == (
        2,
        2,
        1,
    )  # the portal contact counts
    assert [c.name for c in selectors.customer_list(actor=actor, region="北京")] == ["B医院"]
    assert [c.name for c in selectors.customer_list(actor=actor, q="a医")] == ["A医院"]
    assert "停用医院" in {c.name for c in selectors.customer_list(actor=actor, include_inactive=True)}
    assert selectors.customer_regions(actor=actor) == sorted(["上海", "北京"])


def test_list_query_count(django_assert_num_queries: Any) -> None:
    actor = staff_user(role_codes=["agent"])
    for _ in range(20):
        customer = CustomerFactory.create()
        SiteFactory.create(customer=customer)
        ContactFactory.create(customer=customer)
    actor_perms_loaded = list(selectors.customer_list(actor=actor))  # caches the actor's permissions
    assert len(actor_perms_loaded) == 20
    with django_assert_num_queries(1):
        rows: list[Any] = list(selectors.customer_list(actor=actor))
        assert sum(r.site_count + r.contact_count + r.system_count for r in rows) == 40


def test_detail_query_count(django_assert_max_num_queries: Any) -> None:
    actor = staff_user(role_codes=["agent"])
    customer = CustomerFactory.create()
    for _ in range(5):
        system = DeliveredSystemFactory.create(customer=customer, site=SiteFactory.create(customer=customer))
        SystemModuleFactory.create(system=system)
        ContactFactory.create(customer=customer, site=system.site)
    with django_assert_max_num_queries(6):
        detail = selectors.customer_detail(actor=actor, customer_id=customer.pk)
        for system in detail.systems:
            _ = (system.site, system.project_manager, list(system.modules.all()))
        for contact in detail.contacts:
            _ = (contact.site, contact.user)


def test_linkable_portal_users() -> None:
    actor = staff_user(role_codes=["project_manager"])
    loose = UserFactory.create(kind=UserKind.CUSTOMER)
    portal_user(customer=CustomerFactory.create())
    assert list(selectors.linkable_portal_users(actor=actor)) == [loose]
    assert Customer.objects.count() == 1
