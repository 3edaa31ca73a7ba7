from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from weibao.accounts.permissions import is_portal_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Staff land on the agent console, customers on the portal."""
    if is_portal_user(user=request.user):
        return redirect("tickets:portal_list")
    return redirect("tickets:console")


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
