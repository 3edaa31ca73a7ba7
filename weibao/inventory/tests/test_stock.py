"""The stock ledger (INV-1): moves and levels agree, stock never goes negative - also with concurrent
issues on a real database - transfers, counts, scrap, engineers' own stock, low-stock alerts."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import IntegrityError, close_old_connections, connection

from weibao.accounts.tests.conftest import _english  # noqa: F401
from weibao.accounts.tests.factories import staff_user
from weibao.core.errors import Conflict, PermissionDenied, ValidationFailed
from weibao.inventory.choices import LocationKind, MoveKind
from weibao.inventory.models import Location, Part, StockLevel, StockMove
from weibao.inventory.services import stock_count, stock_move, stock_transfer, stock_verify
from weibao.notifications.models import Notification


@pytest.fixture
def keeper() -> Any:
    return staff_user(role_codes=["service_manager"])


@pytest.fixture
def engineer() -> Any:
    return staff_user(role_codes=["support_engineer"])


@pytest.fixture
def part() -> Part:
    return Part.objects.create(code="RL1-1442", name="搓纸轮", min_stock=3)


@pytest.fixture
def warehouse() -> Location:
    return Location.objects.create(code="main", name="总仓", kind=LocationKind.WAREHOUSE)


def level(part: Part, location: Location) -> int:
    return StockLevel.objects.get(part=part, location=location).on_hand


@pytest.mark.django_db
def test_moves_keep_the_level_and_the_ledger_equal(keeper: Any, part: Part, warehouse: Location) -> None:
    stock_move(actor=keeper, part_id=part.pk, location_id=warehouse.pk, kind=MoveKind.RECEIVE, quantity=10)
    stock_move(
        actor=keeper,
        part_id=part.pk,
        location_id=warehouse.pk,
        kind=MoveKind.ISSUE,
        quantity=4,
        reference="WO-12",
    )
    move = stock_move(
        actor=keeper, part_id=part.pk, location_id=warehouse.pk, kind=MoveKind.RETURN, quantity=1
    )

    assert level(part, warehouse) == 7 and move.balance_after == 7
    assert list(StockMove.objects.values_list("quantity", flat=True)) == [10, -4, 1]
    assert stock_verify() == []


@pytest.mark.django_db
def test_an_issue_beyond_what_is_there_is_refused_and_writes_nothing(
    keeper: Any, part: Part, warehouse: Location
) -> None:
    stock_move(actor=keeper, part_id=part.pk, location_id=warehouse.pk, kind=MoveKind.RECEIVE, quantity=2)
    with pytest.raises(Conflict) as refused:
        stock_move(actor=keeper, part_id=part.pk, location_id=warehouse.pk, kind=MoveKind.ISSUE, quantity=3)
    assert refused.value.code == "insufficient_stock"
    assert level(part, warehouse) == 2 and StockMove.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_negative_level_and_ledger_edits(
    keeper: Any, part: Part, warehouse: Location
) -> None:
    move = stock_move(
        actor=keeper, part_id=part.pk, location_id=warehouse.pk, kind=MoveKind.RECEIVE, quantity=1
    )
    with pytest.raises(ValueError, match="immutable"):
        move.save()
    with pytest.raises(ValueError, match="immutable"):
        move.delete()
    with pytest.raises(IntegrityError):
        StockLevel.objects.filter(part=part).update(on_hand=-1)


@pytest.mark.django_db
def test_transfers_counts_and_scrap(keeper: Any, engineer: Any, part: Part, warehouse: Location) -> None:
    van = Location.objects.create(code="wang", name="王工备件", kind=LocationKind.ENGINEER, holder=engineer)
    stock_move(actor=keeper, part_id=part.pk, location_id=warehouse.pk, kind=MoveKind.RECEIVE, quantity=10)
    out, into = stock_transfer(
        actor=keeper, part_id=part.pk, from_location_id=warehouse.pk, to_location_id=van.pk, quantity=3
    )
    assert out.transfer == into.transfer and (level(part, warehouse), level(part, van)) == (7, 3)

    # The engineer issues from their own stock to a work order, not from the warehouse.
    stock_move(
        actor=engineer, part_id=part.pk, location_id=van.pk, kind=MoveKind.ISSUE, quantity=1, reference="WO-7"
    )
    with pytest.raises(PermissionDenied):
        stock_move(actor=engineer, part_id=part.pk, location_id=warehouse.pk, kind=MoveKind.ISSUE, quantity=1)
    with pytest.raises(ValidationFailed):
        stock_move(actor=keeper, part_id=part.pk, location_id=warehouse.pk, kind=MoveKind.SCRAP, quantity=1)
    stock_move(
        actor=keeper,
        part_id=part.pk,
        location_id=warehouse.pk,
        kind=MoveKind.SCRAP,
        quantity=1,
        note="受潮损坏",
    )

    correction = stock_count(
        actor=keeper, part_id=part.pk, location_id=warehouse.pk, counted=5, note="年中盘点"
    )
    assert correction is not None and correction.quantity == -1 and level(part, warehouse) == 5
    assert stock_count(actor=keeper, part_id=part.pk, location_id=warehouse.pk, counted=5) is None
    assert stock_verify() == []


@pytest.mark.django_db
def test_going_below_the_minimum_alerts_the_stock_managers_once_a_day(
    keeper: Any, part: Part, warehouse: Location
) -> None:
    stock_move(actor=keeper, part_id=part.pk, location_id=warehouse.pk, kind=MoveKind.RECEIVE, quantity=4)
    stock_move(actor=keeper, part_id=part.pk, location_id=warehouse.pk, kind=MoveKind.ISSUE, quantity=2)
    stock_move(actor=keeper, part_id=part.pk, location_id=warehouse.pk, kind=MoveKind.ISSUE, quantity=1)
    alerts = Notification.objects.filter(recipient=keeper, dedupe_key__startswith="low-stock:")
    assert alerts.count() == 1 and "搓纸轮" in alerts.get().title


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_issues_never_take_more_than_there_is(
    keeper: Any, part: Part, warehouse: Location
) -> None:
    stock_move(actor=keeper, part_id=part.pk, location_id=warehouse.pk, kind=MoveKind.RECEIVE, quantity=5)
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def issue() -> None:
        try:
            start.wait()
            stock_move(
                actor=keeper, part_id=part.pk, location_id=warehouse.pk, kind=MoveKind.ISSUE, quantity=1
            )
            outcomes.append("ok")
        except Conflict:
            outcomes.append("refused")
        except Exception as exc:  # SQLite: "database is locked" under contention counts as refused
            outcomes.append(f"error {type(exc).__name__}")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=issue) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    succeeded = outcomes.count("ok")
    assert level(part, warehouse) == 5 - succeeded >= 0
    if connection.vendor == "postgresql":
        assert outcomes.count("ok") == 5 and outcomes.count("refused") == 3  # the row lock queues them
    assert stock_verify() == []
