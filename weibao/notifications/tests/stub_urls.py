"""The accounts stub URLconf plus the notifications URLs (see ``conftest._pages_render``)."""

from __future__ import annotations

from django.urls import include, path

from weibao.accounts.tests.stub_urls import urlpatterns as _stubs

urlpatterns = [*_stubs, path("notifications/", include("weibao.notifications.urls"))]
