"""View helpers shared by the HTML interfaces: permission gates and domain-error mapping."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from weibao.core.errors import NotFound, PermissionDenied

View = Callable[..., HttpResponse]


def forbidden(request: HttpRequest, message: str | None = None) -> HttpResponse:
    """The 403 page, inside the normal layout."""
    return render(request, "accounts/forbidden.html", {"message": message}, status=403)


def allowed_if(predicate: Callable[..., bool]) -> Callable[[View], View]:
    """Signed-in users for whom ``predicate(user=...)`` holds; others get the 403 page.

    Also turns :class:`NotFound` into a 404 and :class:`PermissionDenied` into the 403 page, so
    views can call selectors and services without repeating that mapping.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate(user=request.user):
                return forbidden(request)
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(str(exc.detail)) from exc
            except PermissionDenied as exc:
                return forbidden(request, str(exc.detail))

        return wrapped

    return decorator


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address. Behind ``LOGIN_TRUSTED_PROXY_COUNT`` reverse proxies, read X-Forwarded-For.

    Without this, every user behind nginx would share 127.0.0.1 and one attacker could lock
    everybody out of signing in.
    """
    proxies = int(getattr(settings, "LOGIN_TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        chain = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(chain) >= proxies:
            return chain[-proxies]
    return request.META.get("REMOTE_ADDR") or None
