"""Fixtures shared by every test package: throwaway servers started on demand (tests/servers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import servers


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a throwaway Redis on loopback, one per pytest(-xdist) worker, stopped at session end."""
    if not servers.redis_available():
        pytest.skip("redis-server is not installed (`make test` installs it: apt-get install redis-server)")
    with servers.redis_server() as server:
        yield server.url
