"""Domain errors. Services raise these; the API and the HTML views turn them into responses.

Each error carries a stable machine-readable ``code`` and the HTTP status it maps to, so every
interface answers the same way: ``{"detail": ..., "code": ...}`` (DESIGN.md, API conventions).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class: a request the domain refuses. Nothing has been written when it is raised."""

    status = 400
    default_code = "invalid"

    def __init__(self, detail: Any, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(str(detail))
        self.detail = detail
        self.code = code or self.default_code
        self.field = field

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"detail": str(self.detail), "code": self.code}
        if self.field:
            body["field"] = self.field
        return body


class ValidationFailed(DomainError):
    """Input that is well-formed but breaks a rule (HTTP 422). ``field`` names the culprit."""

    status = 422
    default_code = "validation_error"


class PermissionDenied(DomainError):
    """The actor may not do this (HTTP 403)."""

    status = 403
    default_code = "permission_denied"


class NotFound(DomainError):
    """Unknown id, or an id outside the actor's scope: both answer 404 so nothing leaks."""

    status = 404
    default_code = "not_found"


class Conflict(DomainError):
    """The current state forbids the change: forbidden transition or a stale version (HTTP 409)."""

    status = 409
    default_code = "conflict"


class PayloadTooLarge(DomainError):
    """An upload over the configured size limit (HTTP 413)."""

    status = 413
    default_code = "payload_too_large"


class Throttled(DomainError):
    """Too many attempts (HTTP 429)."""

    status = 429
    default_code = "throttled"
