"""Parts used on a visit come from the engineer's own stock (INV-1, FLD-1): the ledger follows every
change of the list, a shortage refuses the whole record, and the parts show on the item's history.
Charge lines take the warranties the installed base records for the visit's items (FLD-3)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from weibao.accounts.tests.conftest import _english  # noqa: F401
from weibao.accounts.tests.factories import staff_user
from weibao.assets.services import item_create, item_set_components
from weibao.core.errors import Conflict, ValidationFailed
from weibao.customers.models import Customer
from weibao.fieldservice import services
from weibao.fieldservice.tests.test_services import order_for_ticket
from weibao.inventory.choices import LocationKind, MoveKind
from weibao.inventory.models import Location, Part, StockLevel, StockMove
from weibao.inventory.services import stock_move

pytestmark = pytest.mark.django_db


@pytest.fixture
def van(engineer: Any, manager: Any) -> Location:
    return Location.objects.create(code="van-1", name="随身库存", kind=LocationKind.ENGINEER, holder=engineer)


@pytest.fixture
def roller(van: Location) -> Part:
    part = Part.objects.create(code="RL1-1442", name="搓纸轮")
    keeper = staff_user(role_codes=["service_manager"])
    stock_move(actor=keeper, part_id=part.pk, location_id=van.pk, kind=MoveKind.RECEIVE, quantity=5)
    return part


def on_hand(part: Part, location: Location) -> int:
    return StockLevel.objects.get(part=part, location=location).on_hand


def test_the_ledger_follows_the_parts_list(
    hospital: Customer, manager: Any, engineer: Any, van: Location, roller: Part
) -> None:
    order = order_for_ticket(hospital, manager, engineer)
    services.work_order_check_in(actor=engineer, order_id=order.pk)
    record = lambda parts: services.work_order_record(actor=engineer, order_id=order.pk, parts=parts)  # noqa: E731
    record([services.PartInput(part_id=roller.pk, quantity=2), services.PartInput(name="扎带", quantity=10)])
    assert on_hand(roller, van) == 3
    used = {p.name: p for p in order.parts.all()}
    assert used["搓纸轮"].part == roller and used["搓纸轮"].location == van and used["扎带"].part is None

    record([services.PartInput(part_id=roller.pk, quantity=1)])  # one was not needed after all
    assert on_hand(roller, van) == 4
    moves = list(StockMove.objects.filter(reference=f"WO-{order.number}").values_list("kind", "quantity"))
    assert moves == [(MoveKind.ISSUE, -2), (MoveKind.RETURN, 1)]

    with pytest.raises(Conflict) as short:
        record(
            [services.PartInput(part_id=roller.pk, quantity=9), services.PartInput(name="扎带", quantity=3)]
        )
    assert short.value.code == "insufficient_stock"
    assert on_hand(roller, van) == 4 and [p.quantity for p in order.parts.all()] == [1]  # nothing changed


def test_without_own_stock_or_with_a_foreign_item_the_record_is_refused(
    hospital: Customer, manager: Any, engineer: Any, roller: Part
) -> None:
    order = order_for_ticket(hospital, manager, engineer)
    services.work_order_check_in(actor=engineer, order_id=order.pk)
    Location.objects.filter(holder=engineer).update(is_active=False)
    with pytest.raises(ValidationFailed) as none:
        services.work_order_record(
            actor=engineer, order_id=order.pk, parts=[services.PartInput(part_id=roller.pk)]
        )
    assert none.value.code == "no_own_stock"
    Location.objects.filter(holder=engineer).update(is_active=True)
    foreign = item_create(
        actor=staff_user(role_codes=["admin"]), customer_id=Customer.objects.create(name="别家").pk,
        values={"kind": "terminal", "code": "X", "name": "x"},
    )  # fmt: skip
    with pytest.raises(ValidationFailed):
        services.work_order_record(
            actor=engineer,
            order_id=order.pk,
            parts=[services.PartInput(part_id=roller.pk, item_id=foreign.pk)],
        )


def test_the_record_form_takes_catalogue_numbers_from_own_stock_and_the_item_shows_the_part(
    hospital: Customer, manager: Any, engineer: Any, van: Location, roller: Part
) -> None:
    order = order_for_ticket(hospital, manager, engineer)
    printer = item_create(
        actor=staff_user(role_codes=["admin"]),
        customer_id=hospital.pk,
        values={"kind": "terminal", "code": "PRN-1", "name": "打印机"},
    )
    order.items.add(printer)
    services.work_order_check_in(actor=engineer, order_id=order.pk)
    client = Client()
    client.force_login(engineer)
    response = client.post(
        reverse("fieldservice:action", args=[order.number, "record"]),
        {"work_done": "更换搓纸轮", "parts": "RL1-1442, 2\n扎带, 4"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert on_hand(roller, van) == 3
    history = client.get(reverse("assets:detail", args=[printer.pk])).content.decode()
    assert "搓纸轮 × 2" in history and "扎带 × 4" in history and order.label in history


def test_charge_lines_take_component_warranties_from_the_installed_base(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    admin = staff_user(role_codes=["admin"])
    server = item_create(
        actor=admin, customer_id=hospital.pk,
        values={"kind": "server", "code": "SRV-9", "name": "数据库服务器", "warranty_end": "2020-01-01"},
    )  # fmt: skip
    today = timezone.localdate()
    item_set_components(
        actor=admin,
        item_id=server.pk,
        components=[
            {"name": "硬盘", "warranty_end": (today + timedelta(days=300)).isoformat()},
            {"name": "电源", "warranty_end": (today - timedelta(days=3)).isoformat()},
        ],
    )
    start = timezone.now() + timedelta(hours=1)
    order = services.work_order_create(
        actor=manager,
        plan=services.OrderPlan(
            title="更换硬盘和电源", customer_id=hospital.pk, item_ids=[server.pk], engineer_ids=[engineer.pk],
            planned_start=start, planned_end=start + timedelta(hours=2),
        ),
    )  # fmt: skip
    assert order.service_type == "paid"
    services.work_order_set_charges(
        actor=manager,
        order_id=order.pk,
        lines=[
            services.ChargeInput(description="更换硬盘", component="硬盘", unit_price="900"),
            services.ChargeInput(description="更换电源", component="电源", unit_price="450"),
            services.ChargeInput(description="上门服务费", unit_price="300"),
        ],
    )
    covered = {line.component: line.covered for line in order.charges.all()}
    assert covered == {"硬盘": True, "电源": False, "": False}
    assert services.order_total(order=order) == Decimal("750.00")
