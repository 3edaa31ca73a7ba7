"""URLconf for page tests while other apps' URLs are missing or broken in a working tree.

base.html links to the service desk (``tickets:*``); these stubs let accounts and customers pages
render on their own. ``conftest.py`` switches to this URLconf only if the real one cannot reverse
those names.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def _stub(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("stub")


_tickets = (
    [
        path("console/", _stub, name="console"),
        path("tickets/new/", _stub, name="log_call"),
        path("portal/", _stub, name="portal_list"),
        path("portal/new/", _stub, name="portal_create"),
    ],
    "tickets",
)

urlpatterns = [
    path("", include("weibao.core.urls")),
    path("accounts/", include("weibao.accounts.urls")),
    path("customers/", include("weibao.customers.urls")),
    path("", include(_tickets)),
    path("i18n/", include("django.conf.urls.i18n")),
]
