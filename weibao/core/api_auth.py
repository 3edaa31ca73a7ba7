"""API authentication: ``Authorization: Bearer <token>`` or the browser's session (with CSRF).

Tokens are ``wb_`` + 43 URL-safe characters; only their SHA-256 hex digest is stored
(``accounts.ApiToken.key_hash``), so a leaked database does not leak usable tokens.

``core`` sits below ``accounts`` in the layering (ADR 0003), so the token model is looked up
through the app registry instead of being imported.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

TOKEN_PREFIX = "wb_"  # noqa: S105 - a public marker, not a secret
# Writing last_used_at on every request would turn each API read into a write; a minute is
# precise enough to tell an administrator which tokens are still in use.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_hash(*, raw: str) -> str:
    """The stored form of a token: SHA-256 hex digest of the whole token string."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def token_user(*, raw: str) -> Any | None:
    """The active user owning the unrevoked token ``raw``, or ``None``. Touches ``last_used_at``."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    api_token_model = apps.get_model("accounts", "ApiToken")
    token = (
        api_token_model.objects.select_related("user")
        .filter(key_hash=token_hash(raw=raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Bookkeeping, not a domain change: a plain UPDATE keeps this off the service layer.
        api_token_model.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer wb_...``; sets ``request.user`` to the token's owner."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = token_user(raw=token.strip())
        if user is not None:
            request.user = user
        return user


class SessionCookieAuth(APIKeyCookie):
    """The signed-in browser session, so pages can call the API with fetch/htmx.

    Unlike ninja's ``django_auth`` the CSRF check only runs when a session cookie is sent, so an
    anonymous request answers 401 (not authenticated) rather than 403 (CSRF).
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.COOKIES.get(self.param_name)
        if not key:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, gettext("CSRF check failed."))
        return key

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = getattr(request, "user", None)
        if key and user is not None and user.is_authenticated and user.is_active:
            return user
        return None


#: Use as ``Router(auth=API_AUTH)``: a Bearer token first, then the session.
API_AUTH: list[Any] = [BearerTokenAuth(), SessionCookieAuth()]
