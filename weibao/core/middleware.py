"""Request middleware: the user's time zone (DESIGN.md rule 5) and language (ADR 0007)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers


class UserTimezoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tz_name = getattr(getattr(request, "user", None), "time_zone", "") or ""
        if tz_name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(tz_name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class DefaultLanguageMiddleware:
    """Chinese unless the user chose otherwise; the browser's Accept-Language is ignored on purpose.

    Hospital PCs often run English Windows and browsers, yet their users expect Chinese (ADR 0007).
    The choice comes from, in order: the cookie set by the language switch (Django's ``set_language``,
    the latest explicit choice), the user's profile language, then ``settings.LANGUAGE_CODE``. API
    clients under /api/ may also ask by Accept-Language. Replaces LocaleMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def _choose(self, request: HttpRequest) -> str:
        if request.path.startswith("/api/"):
            return translation.get_language_from_request(request)
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        profile = getattr(getattr(request, "user", None), "language", "") or ""
        for candidate in (cookie, profile):
            if candidate in self.supported:
                return candidate
        return settings.LANGUAGE_CODE

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self._choose(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        translation.deactivate()
        return response
