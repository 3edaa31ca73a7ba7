"""The JSON API (django-ninja) at /api/v1/: Bearer tokens or the session, errors as {"detail", "code"}.

Docs at /api/v1/docs, schema at /api/v1/openapi.json; the committed copy is docs/api/openapi.json
(``python manage.py export_openapi``; a test fails when it drifts).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from weibao.accounts.api import roles_router, teams_router, tokens_router, users_router
from weibao.assets.api import router as assets_router
from weibao.calendars.api import calendars_router
from weibao.core.api_auth import API_AUTH
from weibao.core.api_errors import install_error_handlers
from weibao.customers.api import customers_router, systems_router
from weibao.fieldservice.api import router as fieldservice_router
from weibao.inventory.api import loaners_router
from weibao.inventory.api import router as inventory_router
from weibao.jobs.api import router as jobs_router
from weibao.mail.api import router as mail_router
from weibao.maintenance.api import router as maintenance_router
from weibao.notifications.api import router as notifications_router
from weibao.notifications.api import settings_router as notification_settings_router
from weibao.returns.api import router as returns_router
from weibao.tickets.api import desk_router as tickets_desk_router
from weibao.tickets.api import router as tickets_router
from weibao.tools.api import router as tools_router

logger = logging.getLogger("weibao.api")

api = NinjaAPI(
    title="Weibao API",
    version="1.0.0",
    description=(
        "Weibao (维保) after-delivery service platform. Authenticate with `Authorization: Bearer <token>` "
        "(tokens: `python manage.py api_token <username>` or the profile page). Times are ISO 8601 with an "
        'offset. Errors answer `{"detail": ..., "code": ...}` (plus `field` for bad input) with real '
        "HTTP statuses; a forbidden transition or a stale `version` is 409."
    ),
    urls_namespace="api",
    auth=API_AUTH,
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)


def _too_large(request: HttpRequest, exc: Any) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("The request is too large."), "code": "payload_too_large"}, status=413
    )


def _bad_request(request: HttpRequest, exc: Any) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("Malformed request."), "code": "bad_request"}, status=400
    )


def _server_error(request: HttpRequest, exc: Any) -> HttpResponse:
    # Log with the traceback and tell Django's hooks (error reporting, the test client); the client
    # only learns that something failed, never what: no traceback, SQL or settings leak out.
    logger.exception("Unhandled error in %s %s", request.method, request.path)
    got_request_exception.send(sender=None, request=request)
    return api.create_response(
        request, {"detail": _("Internal server error."), "code": "server_error"}, status=500
    )


api.add_exception_handler(RequestDataTooBig, _too_large)
api.add_exception_handler(SuspiciousOperation, _bad_request)
api.add_exception_handler(MultiPartParserError, _bad_request)
api.add_exception_handler(Exception, _server_error)

# Every router of the API; regenerate docs/api/openapi.json after adding one (export_openapi).
api.add_router("/users", users_router)
api.add_router("/teams", teams_router)
api.add_router("/roles", roles_router)
api.add_router("/tokens", tokens_router)
api.add_router("/calendars", calendars_router)
api.add_router("/customers", customers_router)
api.add_router("/systems", systems_router)
api.add_router("/notifications", notifications_router)
api.add_router("", notification_settings_router)
api.add_router("", mail_router)
api.add_router("/jobs", jobs_router)
api.add_router("", fieldservice_router)
api.add_router("", maintenance_router)
api.add_router("", inventory_router)
api.add_router("", loaners_router)
api.add_router("", tools_router)
api.add_router("", returns_router)
api.add_router("", assets_router)
api.add_router("/tickets", tickets_router)
api.add_router("", tickets_desk_router)
