"""A throwaway NinjaAPI around the routers under test, with the real auth and error handlers.

Tests use ``ninja.testing.TestClient`` on it, so the routers can be tested before (and
independently of) their registration in config/api.py.
"""

from __future__ import annotations

import itertools
from typing import Any

from ninja import NinjaAPI, Router
from ninja.testing import TestClient

from weibao.core.api_errors import install_error_handlers

_counter = itertools.count()


def api_client(*routers: tuple[str, Router]) -> TestClient:
    api = NinjaAPI(urls_namespace=f"weibao-test-{next(_counter)}")
    install_error_handlers(api)
    for prefix, router in routers:
        api.add_router(prefix, router)
    return TestClient(api)


def bearer(raw: str) -> dict[str, Any]:
    return {"headers": {"Authorization": f"Bearer {raw}"}}
