"""customers.services: every rule; refusals change nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from weibao.accounts.choices import UserKind
from weibao.accounts.models import AuditEvent, User
from weibao.accounts.tests.factories import UserFactory, staff_user
from weibao.core.errors import NotFound, PermissionDenied, ValidationFailed
from weibao.customers import services
from weibao.customers.choices import DistanceClass
from weibao.customers.models import Contact, Customer, DeliveredSystem, Site, SystemModule
from weibao.customers.tests.factories import (
    ContactFactory,
    CustomerFactory,
    DeliveredSystemFactory,
    SiteFactory,
    SystemModuleFactory,
    portal_user,
)

pytestmark = pytest.mark.django_db

STRONG = "Str0ng-Passw0rd-维保"


@pytest.fixture
def pm() -> User:
    return staff_user(role_codes=["project_manager"], username="pm")


def state() -> tuple[Any, ...]:
    return (
        sorted(Customer.objects.values_list()),
        sorted(Site.objects.values_list()),
        sorted(Contact.objects.values_list()),
        sorted(DeliveredSystem.objects.values_list()),
        sorted(SystemModule.objects.values_list()),
        User.objects.count(),
        AuditEvent.objects.count(),
    )


class TestCustomers:
    def test_create(self, pm: User) -> None:
        customer = services.customer_create(
            actor=pm,
            code="sh-renji",
            name="仁济医院",
            region="上海",
            email_domains=" RenJi.example.cn; @renji-east.example.cn ,renji.example.cn",
        )
        assert customer.email_domains == "renji.example.cn,renji-east.example.cn"
        assert AuditEvent.objects.filter(action="customer.create", target_id=str(customer.pk)).exists()

    @pytest.mark.parametrize(
        ("kwargs", "field", "code"),
        [
            ({"code": ""}, "code", "required"),
            ({"code": "有空格 code"}, "code", "invalid_code"),
            ({"code": "TAKEN"}, "code", "code_taken"),
            ({"name": "  "}, "name", "required"),
            ({"name": "x" * 201}, "name", "too_long"),
            ({"email_domains": "not a domain"}, "email_domains", "invalid_domain"),
        ],
    )
    def test_create_validation_changes_nothing(self, pm: User, kwargs: dict, field: str, code: str) -> None:
        CustomerFactory.create(code="taken")
        before = state()
        with pytest.raises(ValidationFailed) as exc:
            services.customer_create(actor=pm, **{"code": "new", "name": "新医院", **kwargs})
        assert (exc.value.field, exc.value.code) == (field, code)
        assert state() == before

    def test_update(self, pm: User) -> None:
        customer = CustomerFactory.create(code="a")
        services.customer_update(
            actor=pm, customer_id=customer.pk, changes={"name": "改名", "is_active": False, "code": "a"}
        )
        customer.refresh_from_db()
        assert (customer.name, customer.is_active) == ("改名", False)

    def test_update_code_clash_changes_nothing(self, pm: User) -> None:
        CustomerFactory.create(code="a")
        b = CustomerFactory.create(code="b")
        before = state()
        with pytest.raises(ValidationFailed):
            services.customer_update(actor=pm, customer_id=b.pk, changes={"name": "x", "code": "A"})
        assert state() == before

    def test_unknown_customer(self, pm: User) -> None:
        with pytest.raises(NotFound):
            services.customer_update(actor=pm, customer_id=999999, changes={"name": "x"})
        with pytest.raises(NotFound):
            services.site_create(actor=pm, customer_id=999999, name="x")

    def test_needs_customer_manage(self) -> None:
        actor = staff_user(role_codes=["agent"])
        with pytest.raises(PermissionDenied):
            services.customer_create(actor=actor, code="x", name="x")
        assert not Customer.objects.exists()


class TestSites:
    def test_create_and_update(self, pm: User) -> None:
        customer = CustomerFactory.create()
        site = services.site_create(
            actor=pm, customer_id=customer.pk, name="东院", distance_class=DistanceClass.REMOTE, region="新疆"
        )
        assert site.distance_class == "remote"
        services.site_update(
            actor=pm, site_id=site.pk, changes={"distance_class": "within_200km", "is_active": False}
        )
        site.refresh_from_db()
        assert (site.distance_class, site.is_active) == ("within_200km", False)

    def test_name_unique_per_customer(self, pm: User) -> None:
        a, b = CustomerFactory.create(), CustomerFactory.create()
        SiteFactory.create(customer=a, name="总院")
        services.site_create(actor=pm, customer_id=b.pk, name="总院")
        before = state()
        with pytest.raises(ValidationFailed) as exc:
            services.site_create(actor=pm, customer_id=a.pk, name="总院")
        assert exc.value.field == "name"
        assert state() == before

    def test_bad_distance_class(self, pm: User) -> None:
        customer = CustomerFactory.create()
        with pytest.raises(ValidationFailed) as exc:
            services.site_create(actor=pm, customer_id=customer.pk, name="x", distance_class="moon")
        assert exc.value.field == "distance_class"
        assert not Site.objects.exists()


class TestContacts:
    def test_create_plain(self, pm: User) -> None:
        customer = CustomerFactory.create()
        site = SiteFactory.create(customer=customer)
        contact = services.contact_create(
            actor=pm, customer_id=customer.pk, name="李主任", phone="13900000000", site_id=site.pk
        )
        assert contact.site == site
        assert contact.user is None

    def test_create_with_portal_login(self, pm: User) -> None:
        customer = CustomerFactory.create()
        contact = services.contact_create(
            actor=pm,
            customer_id=customer.pk,
            name="李主任",
            email="li@hospital.example.cn",
            portal_login={"username": "li.zr", "password": STRONG},
        )
        user = contact.user
        assert user is not None
        assert user.kind == UserKind.CUSTOMER
        assert [r.code for r in user.roles.all()] == ["portal"]
        assert (user.display_name, user.email) == ("李主任", "li@hospital.example.cn")
        assert user.check_password(STRONG)

    @pytest.mark.parametrize(
        ("login", "field"),
        [
            ({"username": "taken", "password": STRONG}, "portal_username"),
            ({"username": "new.one", "password": "123"}, "portal_password"),
            ({"username": "", "password": STRONG}, "portal_username"),
        ],
    )
    def test_bad_portal_login_changes_nothing(self, pm: User, login: dict, field: str) -> None:
        UserFactory.create(username="taken")
        customer = CustomerFactory.create()
        before = state()
        with pytest.raises(ValidationFailed) as exc:
            services.contact_create(actor=pm, customer_id=customer.pk, name="x", portal_login=login)  # type: ignore[arg-type]
        assert exc.value.field == field
        assert state() == before

    def test_site_of_another_customer_refused(self, pm: User) -> None:
        customer = CustomerFactory.create()
        foreign = SiteFactory.create()
        with pytest.raises(ValidationFailed) as exc:
            services.contact_create(actor=pm, customer_id=customer.pk, name="x", site_id=foreign.pk)
        assert exc.value.field == "site_id"
        assert not Contact.objects.exists()

    def test_bad_email(self, pm: User) -> None:
        customer = CustomerFactory.create()
        with pytest.raises(ValidationFailed) as exc:
            services.contact_create(actor=pm, customer_id=customer.pk, name="x", email="nope")
        assert exc.value.field == "email"

    def test_update_link_unlink_create(self, pm: User) -> None:
        contact = ContactFactory.create()
        loose = UserFactory.create(kind=UserKind.CUSTOMER)
        services.contact_update(actor=pm, contact_id=contact.pk, changes={"portal_user_id": loose.pk})
        contact.refresh_from_db()
        assert contact.user == loose
        services.contact_update(actor=pm, contact_id=contact.pk, changes={"portal_user_id": None})
        contact.refresh_from_db()
        assert contact.user is None
        services.contact_update(
            actor=pm,
            contact_id=contact.pk,
            changes={"portal_login": {"username": "fresh", "password": STRONG}},
        )
        contact.refresh_from_db()
        assert contact.user is not None
        assert contact.user.username == "fresh"

    def test_cannot_link_staff_or_taken_user(self, pm: User) -> None:
        contact = ContactFactory.create()
        other_customer = CustomerFactory.create()
        taken = portal_user(customer=other_customer)
        before = state()
        with pytest.raises(ValidationFailed) as exc:
            services.contact_update(actor=pm, contact_id=contact.pk, changes={"portal_user_id": pm.pk})
        assert exc.value.code == "invalid_portal_user"
        with pytest.raises(ValidationFailed) as exc:
            services.contact_update(actor=pm, contact_id=contact.pk, changes={"portal_user_id": taken.pk})
        assert exc.value.code == "portal_user_taken"
        assert state() == before

    def test_second_login_refused(self, pm: User) -> None:
        customer = CustomerFactory.create()
        user = portal_user(customer=customer)
        contact = Contact.objects.get(user=user)
        before = state()
        with pytest.raises(ValidationFailed):
            services.contact_update(
                actor=pm,
                contact_id=contact.pk,
                changes={"name": "changed", "portal_login": {"username": "second", "password": STRONG}},
            )
        assert state() == before

    def test_update_fields(self, pm: User) -> None:
        contact = ContactFactory.create()
        site = SiteFactory.create(customer=contact.customer)
        services.contact_update(
            actor=pm,
            contact_id=contact.pk,
            changes={"title": "信息科科长", "site_id": site.pk, "is_active": False},
        )
        contact.refresh_from_db()
        assert (contact.title, contact.site, contact.is_active) == ("信息科科长", site, False)


class TestSystems:
    def test_create_with_modules(self, pm: User) -> None:
        customer = CustomerFactory.create()
        site = SiteFactory.create(customer=customer)
        system = services.system_create(
            actor=pm,
            customer_id=customer.pk,
            name="HIS",
            version="5.0",
            site_id=site.pk,
            project_manager_id=pm.pk,
            go_live_date=date(2024, 1, 1),
            warranty_end=date(2027, 1, 1),
            modules=[{"name": "门诊挂号", "version": "5.0.1"}, {"name": "住院", "version": ""}],
        )
        assert sorted((m.name, m.version) for m in system.modules.all()) == [
            ("住院", ""),
            ("门诊挂号", "5.0.1"),
        ]
        assert system.project_manager == pm

    @pytest.mark.parametrize(
        ("kwargs", "field", "code"),
        [
            ({"name": ""}, "name", "required"),
            ({"go_live_date": date(2025, 1, 1), "warranty_end": date(2024, 1, 1)}, "warranty_end",
             "warranty_before_go_live"),
            ({"modules": [{"name": "A", "version": ""}, {"name": "a", "version": "2"}]}, "modules",
             "duplicate_module"),
            ({"modules": [{"name": " ", "version": "1"}]}, "modules", "required"),
            ({"project_manager_id": 999999}, "project_manager_id", "invalid_project_manager"),
        ],
    )  # fmt: skip
    def test_create_validation_changes_nothing(self, pm: User, kwargs: dict, field: str, code: str) -> None:
        customer = CustomerFactory.create()
        before = state()
        with pytest.raises(ValidationFailed) as exc:
            services.system_create(actor=pm, customer_id=customer.pk, **{"name": "HIS", **kwargs})
        assert (exc.value.field, exc.value.code) == (field, code)
        assert state() == before

    def test_portal_user_cannot_be_project_manager(self, pm: User) -> None:
        customer = CustomerFactory.create()
        portal = portal_user(customer=customer)
        with pytest.raises(ValidationFailed):
            services.system_create(
                actor=pm, customer_id=customer.pk, name="HIS", project_manager_id=portal.pk
            )

    def test_update_syncs_modules_without_deleting(self, pm: User) -> None:
        system = DeliveredSystemFactory.create()
        keep = SystemModuleFactory.create(system=system, name="门诊", version="1")
        drop = SystemModuleFactory.create(system=system, name="药房", version="1")
        services.system_update(
            actor=pm,
            system_id=system.pk,
            changes={"modules": [{"name": "门诊", "version": "2"}, {"name": "检验", "version": "1"}]},
        )
        keep.refresh_from_db()
        drop.refresh_from_db()
        assert (keep.version, keep.is_active) == ("2", True)
        assert drop.is_active is False
        assert system.modules.filter(name="检验", is_active=True).exists()
        services.system_update(
            actor=pm, system_id=system.pk, changes={"modules": [{"name": "药房", "version": "3"}]}
        )
        drop.refresh_from_db()
        assert (drop.version, drop.is_active) == ("3", True)
        assert SystemModule.objects.count() == 3

    def test_update_dates_checked_against_stored_values(self, pm: User) -> None:
        system = DeliveredSystemFactory.create(go_live_date=date(2024, 6, 1))
        before = state()
        with pytest.raises(ValidationFailed):
            services.system_update(actor=pm, system_id=system.pk, changes={"warranty_end": date(2024, 1, 1)})
        assert state() == before

    def test_site_must_belong_to_customer(self, pm: User) -> None:
        system = DeliveredSystemFactory.create()
        with pytest.raises(ValidationFailed) as exc:
            services.system_update(
                actor=pm, system_id=system.pk, changes={"site_id": SiteFactory.create().pk}
            )
        assert exc.value.field == "site_id"
