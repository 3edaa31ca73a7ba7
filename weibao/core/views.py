from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Staff land on the agent console, customers on the portal."""
    # ``is_portal`` is a property of the user model, so core needs no import from accounts.
    if getattr(request.user, "is_portal", False):
        return redirect("tickets:portal_list")
    return redirect("tickets:console")


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 handler: JSON ``{"detail", "code"}`` for the API, the normal page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception or Exception("not found"))


def favicon(request: HttpRequest) -> HttpResponse:
    """Redirect to the hashed static icon. Resolved per request: at import time the manifest of
    collected static files may not exist yet (``migrate`` runs before ``collectstatic``)."""
    from django.templatetags.static import static

    return redirect(static("src/img/favicon.svg"), permanent=False)
