"""One error shape for the whole API: ``{"detail", "code"}`` (+ ``"field"``) with real statuses."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from weibao.core.errors import DomainError

# Where ninja says a value came from; not part of the field name a client sent.
_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "validation_error",
    429: "throttled",
}


def _field_from_loc(loc: Any, payload_names: set[str]) -> str:
    parts = [str(p) for p in (loc or [])]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    # A body schema is one parameter (e.g. ``payload``); the client only knows its fields.
    if len(parts) > 1 and parts[0] in payload_names:
        parts = parts[1:]
    return ".".join(parts)


def validation_error_body(
    errors: list[dict[str, Any]], payload_names: set[str] | None = None
) -> dict[str, Any]:
    """The 422 body for ninja's request validation errors."""
    names = payload_names if payload_names is not None else {"payload", "data", "filters"}
    cleaned = [
        {
            "field": _field_from_loc(err.get("loc"), names),
            "message": str(err.get("msg", "")),
            "type": str(err.get("type", "")),
        }
        for err in errors
    ]
    first = cleaned[0] if cleaned else {"field": "", "message": _("Invalid request.")}
    body: dict[str, Any] = {
        "detail": first["message"] or _("Invalid request."),
        "code": "validation_error",
        "field": first["field"],
        "errors": cleaned,
    }
    return body


def install_error_handlers(api: NinjaAPI) -> None:
    """Map domain, validation, auth and lookup errors onto the API's JSON error shape."""

    def respond(request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
        return api.create_response(request, body, status=status)

    # ``exc: Any``: ninja types handlers as taking the exception or its class.
    def on_domain_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, exc.as_dict(), exc.status)

    def on_validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, validation_error_body(list(exc.errors)), 422)

    def on_authentication_error(request: HttpRequest, exc: Any) -> HttpResponse:
        body = {
            "detail": _("Authentication credentials were not provided or are invalid."),
            "code": "not_authenticated",
        }
        response = respond(request, body, 401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    def on_authorization_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(
            request, {"detail": _("You do not have permission to do this."), "code": "permission_denied"}, 403
        )

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, {"detail": _("Not found."), "code": "not_found"}, 404)

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        return respond(request, {"detail": str(exc), "code": code}, exc.status_code)

    api.add_exception_handler(DomainError, on_domain_error)
    api.add_exception_handler(NinjaValidationError, on_validation_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(AuthorizationError, on_authorization_error)
    api.add_exception_handler(DjangoPermissionDenied, on_authorization_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(ObjectDoesNotExist, on_not_found)
