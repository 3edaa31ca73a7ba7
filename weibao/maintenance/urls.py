"""Pages of maintenance plans (/plans/): the next step of issue 5 (services and tests come first)."""

from django.urls import URLPattern

app_name = "maintenance"
urlpatterns: list[URLPattern] = []
