from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect


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
