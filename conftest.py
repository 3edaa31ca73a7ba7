"""Fixtures shared by every test package: throwaway servers started on demand (tests/servers.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import kombu.pools
import pytest
from celery import Celery

from tests import servers


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a throwaway Redis on loopback, one per pytest(-xdist) worker, stopped at session end."""
    if not servers.redis_available():
        pytest.skip("redis-server is not installed (`make test` installs it: apt-get install redis-server)")
    with servers.redis_server() as server:
        yield server.url


# Settings redis_celery_app changes on the shared app, restored afterwards.
_KEYS = ("broker_url", "result_backend", "broker_transport_options", "task_always_eager")


def _drop_connections(celery: Celery) -> None:
    """Forget pooled broker connections and the cached result backend so new settings take effect."""
    # Celery keeps these in private attributes (see Celery._after_fork); typed Any for mypy.
    app: Any = celery
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    app._backend_cache = None
    app._local = threading.local()
    # kombu keeps producer pools in a global registry keyed by the broker connection: a second test on
    # the same Redis URL would get back the pool closed above ("Acquire on closed pool").
    kombu.pools.reset()


@pytest.fixture
def redis_celery_app(redis_url: str) -> Iterator[Celery]:
    """The project's Celery app pointed at the throwaway Redis (broker and results), restored afterwards.

    Start a worker on it with ``celery.contrib.testing.worker.start_worker``.
    """
    from config.celery import app as celery_app

    saved = {key: celery_app.conf[key] for key in _KEYS}
    _drop_connections(celery_app)
    celery_app.conf.update(
        broker_url=redis_url, result_backend=redis_url, broker_transport_options={}, task_always_eager=False
    )
    try:
        yield celery_app
    finally:
        _drop_connections(celery_app)
        celery_app.conf.update(saved)
