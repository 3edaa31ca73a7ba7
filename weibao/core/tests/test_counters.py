"""Counters: increasing numbers on both backends, and ``counter_set`` after bulk imports."""

from __future__ import annotations

import pytest
from django.db import transaction

from weibao.core.counters import counter_next, counter_set

pytestmark = pytest.mark.django_db


def _next(name: str, start: int = 1) -> int:
    with transaction.atomic():
        return counter_next(name=name, start=start)


def test_ticket_numbers_increase_from_1001() -> None:
    first = _next("ticket", start=1001)
    assert first >= 1001
    assert _next("ticket", start=1001) == first + 1


def test_counter_set_moves_the_next_number() -> None:
    _next("ticket")
    counter_set(name="ticket", value=41_000)
    assert _next("ticket") == 41_001


def test_counter_names_are_checked() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("names become sequence identifiers on PostgreSQL only")
    with pytest.raises(ValueError, match="invalid counter name"):
        _next("x; DROP TABLE y")
