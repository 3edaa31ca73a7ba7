"""Two agents assigning the same new ticket at the same moment: exactly one wins, the other gets 409.

Real threads and real transactions: on SQLite the IMMEDIATE transaction mode queues the writers,
on PostgreSQL the row lock (SELECT ... FOR UPDATE) does. Either way the second request sees the
first one's result and refuses, so no update is lost.

SQLite's *in-memory* test database cannot show this: its shared cache answers "database table is
locked" at once instead of waiting (busy_timeout does not apply). So when the test database is in
memory, ``file_database`` copies it into a WAL file database, as production runs it, for the test.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from weibao.accounts.tests.factories import staff_user
from weibao.tickets.choices import EventKind, Status
from weibao.tickets.models import Ticket, TicketEvent
from weibao.tickets.tests.factories import Cast, make_ticket
from weibao.tickets.tests.test_api import Api


@pytest.fixture
def file_database(tmp_path: Path) -> Iterator[None]:
    """Point the ``default`` alias at a file copy of an in-memory SQLite test database (else: no-op)."""
    memory: Any = connections["default"]
    if memory.vendor != "sqlite" or not memory.is_in_memory_db():
        yield
        return
    memory.ensure_connection()
    path = tmp_path / "race.sqlite3"
    target = sqlite3.connect(path)
    memory.connection.backup(target)  # schema, FTS tables and the roles seeded by migrations
    target.close()
    original = connections.settings["default"]
    # Threads build their own connections from these settings; the in-memory connection stays
    # open (kept by ``memory``) so the database survives for the tests after this one.
    connections.settings["default"] = {**original, "NAME": str(path)}
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        connections.settings["default"] = original
        connections["default"] = memory


# serialized_rollback: the flush after a transactional test drops the roles seeded by migrations.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("send_version", [False, True], ids=["no-version", "with-version"])
def test_concurrent_assign_has_exactly_one_winner(send_version: bool, file_database: None) -> None:
    cast = Cast()
    ticket = make_ticket(cast=cast)
    agents = [cast.agent, staff_user(role_codes=["agent"])]
    engineers = [staff_user(role_codes=["support_engineer"]) for _ in agents]
    clients = [Api(agent) for agent in agents]  # tokens are created (and committed) before the race
    barrier = threading.Barrier(len(clients))
    responses: list[Any] = [None] * len(clients)
    errors: list[BaseException] = []

    def assign(index: int) -> None:
        try:
            body: dict[str, Any] = {"assignee_id": engineers[index].pk}
            if send_version:
                body["version"] = ticket.version
            barrier.wait(timeout=30)
            responses[index] = clients[index].post(f"/tickets/{ticket.pk}/assign", body)
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's connection; the test database is dropped later

    threads = [threading.Thread(target=assign, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert all(not thread.is_alive() for thread in threads)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 409], [r.content for r in responses]
    winner = next(i for i, r in enumerate(responses) if r.status_code == 200)
    loser = responses[1 - winner]
    assert loser.json()["code"] == ("stale_version" if send_version else "already_assigned")

    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.status == Status.ASSIGNED
    assert ticket.assignee_id == engineers[winner].pk
    assert ticket.version == 2
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNED).count() == 1
    assert responses[winner].json()["version"] == ticket.version
