"""The installed base (AST-1..3): items and their rules, components, relations, handover checklist,
and entitlement decisions across warranty and contract dates (AST-2)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from weibao.accounts.tests.conftest import _english  # noqa: F401
from weibao.accounts.tests.factories import staff_user
from weibao.assets import selectors
from weibao.assets.choices import RelationKind, ServiceType
from weibao.assets.models import ConfigurationItem, ItemRelation, Supplier
from weibao.assets.services import (
    decide_entitlement,
    entitlement_for,
    handover_upload,
    handover_waive,
    item_create,
    item_relate,
    item_set_components,
    item_update,
    supplier_create,
)
from weibao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weibao.customers.tests.factories import CustomerFactory, DeliveredSystemFactory, SiteFactory, portal_user
from weibao.sla.models import ServiceContract, SlaPolicy


@pytest.fixture
def manager() -> Any:
    return staff_user(role_codes=["project_manager"])


@pytest.fixture
def customer() -> Any:
    return CustomerFactory(name="市第一人民医院")


def make_item(manager: Any, customer: Any, code: str, **values: Any) -> ConfigurationItem:
    return item_create(
        actor=manager,
        customer_id=customer.pk,
        values={"kind": "server", "code": code, "name": code, **values},
    )


@pytest.mark.django_db
def test_an_item_is_created_with_references_of_its_customer_only(manager: Any, customer: Any) -> None:
    system = DeliveredSystemFactory.create(customer=customer, name="HIS")
    site = SiteFactory.create(customer=customer, name="门诊楼")
    supplier = supplier_create(actor=manager, name="华为")
    item = make_item(
        manager, customer, "SRV-01", system_id=system.pk, site_id=site.pk, supplier_id=supplier.pk,
        purchase_date="2024-03-01", warranty_end=date(2027, 3, 1), serial_number="2102311",
    )  # fmt: skip
    assert (item.system, item.site, item.supplier) == (system, site, supplier)
    assert item.purchase_date == date(2024, 3, 1) and item.status == "in_use"

    other = DeliveredSystemFactory.create(customer=CustomerFactory())
    with pytest.raises(ValidationFailed) as refused:
        make_item(manager, customer, "SRV-02", system_id=other.pk)
    assert refused.value.field == "system_id"
    with pytest.raises(ValidationFailed) as duplicate:
        make_item(manager, customer, "SRV-01")
    assert duplicate.value.code == "duplicate"
    with pytest.raises(ValidationFailed) as backwards:
        make_item(manager, customer, "SRV-03", purchase_date="2025-01-01", warranty_end="2024-01-01")
    assert backwards.value.code == "warranty_before_purchase"
    with pytest.raises(ValidationFailed) as kind:
        make_item(manager, customer, "SRV-04", kind="toaster")
    assert kind.value.field == "kind"
    assert ConfigurationItem.objects.count() == 1
    make_item(manager, CustomerFactory(), "SRV-01")  # tags are unique per customer only


@pytest.mark.django_db
def test_only_asset_managers_write_and_stale_versions_are_refused(manager: Any, customer: Any) -> None:
    agent = staff_user(role_codes=["agent"])
    with pytest.raises(PermissionDenied):
        make_item(agent, customer, "X")
    item = make_item(manager, customer, "SW-01", kind="network")
    updated = item_update(actor=manager, item_id=item.pk, changes={"location": "3F 机房 A2"}, row_version=1)
    assert updated.row_version == 2 and updated.location == "3F 机房 A2"
    with pytest.raises(Conflict) as stale:
        item_update(actor=manager, item_id=item.pk, changes={"location": "4F"}, row_version=1)
    assert stale.value.code == "stale_version"
    with pytest.raises(ValidationFailed):
        item_update(actor=manager, item_id=item.pk, changes={"customer_id": 5})
    with pytest.raises(ValidationFailed) as backwards:
        item_update(
            actor=manager,
            item_id=item.pk,
            changes={"purchase_date": "2025-01-01", "warranty_end": "2024-12-31"},
        )
    assert backwards.value.code == "warranty_before_purchase"
    assert ConfigurationItem.objects.get(pk=item.pk).location == "3F 机房 A2"


@pytest.mark.django_db
def test_components_and_relations(manager: Any, customer: Any) -> None:
    server = make_item(manager, customer, "SRV-01")
    his = make_item(manager, customer, "HIS-APP", kind="module", version="5.2")
    disk = make_item(manager, customer, "DISK-1", kind="storage")
    components = item_set_components(
        actor=manager,
        item_id=server.pk,
        components=[
            {"name": "硬盘 1", "warranty_end": "2028-01-01"},
            {"name": "电源", "serial_number": "PSU9"},
        ],
    )
    assert [c.name for c in components] == ["硬盘 1", "电源"]
    assert server.components.get(name="硬盘 1").warranty_end == date(2028, 1, 1)

    item_relate(actor=manager, source_id=his.pk, kind=RelationKind.RUNS_ON, target_id=server.pk)
    item_relate(actor=manager, source_id=his.pk, kind=RelationKind.RUNS_ON, target_id=server.pk)  # idempotent
    item_relate(actor=manager, source_id=disk.pk, kind=RelationKind.PART_OF, target_id=server.pk)
    assert ItemRelation.objects.count() == 2
    with pytest.raises(ValidationFailed) as cycle:
        item_relate(actor=manager, source_id=server.pk, kind=RelationKind.PART_OF, target_id=disk.pk)
    assert cycle.value.code == "cycle"
    foreign = make_item(manager, CustomerFactory(), "SRV-X")
    with pytest.raises(ValidationFailed):
        item_relate(actor=manager, source_id=his.pk, kind=RelationKind.RUNS_ON, target_id=foreign.pk)
    out, into = selectors.item_relations(item=server)
    assert out == [] and {r.source.code for r in into} == {"HIS-APP", "DISK-1"}


@pytest.mark.django_db
def test_portal_users_see_their_own_customers_items_only(manager: Any, customer: Any) -> None:
    mine = make_item(manager, customer, "A")
    theirs = make_item(manager, CustomerFactory(), "B")
    user = portal_user(customer=customer)
    assert list(selectors.item_list(actor=user)) == [mine]
    with pytest.raises(NotFound):
        selectors.item_get(actor=user, item_id=theirs.pk)
    with pytest.raises(PermissionDenied):
        selectors.item_list(actor=staff_user(role_codes=[]))


@pytest.mark.django_db
def test_item_list_filters(manager: Any, customer: Any) -> None:
    make_item(manager, customer, "OLD", warranty_end="2020-01-01")
    make_item(manager, customer, "NEW", warranty_end="2099-01-01", kind="network")
    make_item(manager, customer, "NONE", serial_number="SN-77")

    def codes(**f: Any) -> list[str]:
        return sorted(i.code for i in selectors.item_list(actor=manager, filters=selectors.ItemFilters(**f)))

    assert codes(warranty="expired") == ["OLD"]
    assert codes(warranty="active") == ["NEW"]
    assert codes(warranty="none") == ["NONE"]
    assert codes(kind="network") == ["NEW"]
    assert codes(q="sn-77") == ["NONE"]


# --------------------------------------------------------------------------- entitlement (AST-2)


@pytest.fixture
def contract(customer: Any) -> ServiceContract:
    policy = SlaPolicy.objects.create(name="标准")
    return ServiceContract.objects.create(
        customer=customer, number="WB-2026-01", name="年度维保", policy=policy,
        starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "with_contract", "expected", "mentions"),
    [
        (date(2025, 6, 30), False, ServiceType.WARRANTY, "2025-06-30"),  # last day of the warranty
        (date(2025, 7, 1), False, ServiceType.PAID, "2025-06-30"),  # the day after, no contract
        (date(2025, 7, 1), True, ServiceType.PAID, "2025-06-30"),  # the contract starts later
        (date(2026, 1, 1), True, ServiceType.CONTRACT, "WB-2026-01"),  # first day of the contract
        (date(2026, 12, 31), True, ServiceType.CONTRACT, "WB-2026-01"),  # its last day
        (date(2027, 1, 1), True, ServiceType.PAID, "2025-06-30"),  # after it
    ],
)
def test_entitlement_across_warranty_and_contract_dates(
    manager: Any,
    customer: Any,
    contract: ServiceContract,
    day: date,
    with_contract: bool,
    expected: str,
    mentions: str,
) -> None:
    if not with_contract:
        contract.delete()
    item = make_item(manager, customer, "SRV-01", warranty_end="2025-06-30")
    decided = entitlement_for(customer=customer, system=None, items=[item], on=day)
    assert decided.service_type == expected
    assert mentions in decided.reason and ("SRV-01" in decided.reason)


@pytest.mark.django_db
def test_entitlement_needs_every_item_under_warranty_and_items_inherit_the_projects(
    manager: Any, customer: Any, contract: ServiceContract
) -> None:
    system = DeliveredSystemFactory.create(customer=customer, name="LIS", warranty_end=date(2026, 8, 31))
    inherits = make_item(manager, customer, "LIS-SRV", system_id=system.pk)  # no date of its own
    own = make_item(manager, customer, "SW-9", warranty_end="2027-05-01")
    expired = make_item(manager, customer, "UPS-1", warranty_end="2025-01-01")
    day = date(2026, 6, 1)

    both = decide_entitlement(on=day, system=None, items=[inherits, own], contracts=[])
    assert both.service_type == ServiceType.WARRANTY and "2026-08-31" in both.reason  # the first to end

    mixed = decide_entitlement(on=day, system=None, items=[own, expired], contracts=[contract])
    assert (
        mixed.service_type == ServiceType.CONTRACT and "UPS-1" in mixed.reason and "SW-9" not in mixed.reason
    )

    paid = decide_entitlement(on=day, system=None, items=[own, expired], contracts=[])
    assert paid.service_type == ServiceType.PAID and "UPS-1" in paid.reason

    contract.is_active = False
    assert (
        decide_entitlement(on=day, system=None, items=[expired], contracts=[contract]).service_type == "paid"
    )
    no_date = make_item(manager, customer, "TERM-1", kind="terminal")
    assert "TERM-1" in decide_entitlement(on=day, system=None, items=[no_date], contracts=[]).reason
    # Without items the delivered system decides, as before.
    assert decide_entitlement(on=day, system=system, contracts=[]).service_type == ServiceType.WARRANTY


# --------------------------------------------------------------------------- handover (AST-3)


@pytest.mark.django_db
def test_handover_checklist_shows_what_is_missing(manager: Any, customer: Any) -> None:
    system: Any = DeliveredSystemFactory.create(customer=customer, name="PACS")
    handover_upload(
        actor=manager, system_id=system.pk, kind="manual", title="用户手册",
        upload=SimpleUploadedFile("manual.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )  # fmt: skip
    handover_waive(actor=manager, system_id=system.pk, kind="drawing", reason="纯软件项目，无图纸")
    _system, rows = selectors.handover_checklist(actor=manager, system_id=system.pk)
    missing = {r.kind for r in rows if r.missing}
    assert missing == {"design", "certificate", "test_report", "acceptance"}
    with pytest.raises(ValidationFailed) as bad_type:
        handover_upload(
            actor=manager, system_id=system.pk, kind="design", title="x",
            upload=SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream"),
        )  # fmt: skip
    assert bad_type.value.code == "invalid_file_type"
    with pytest.raises(NotFound):
        selectors.handover_checklist(
            actor=portal_user(customer=CustomerFactory.create()), system_id=system.pk
        )
    assert Supplier.objects.count() == 0
