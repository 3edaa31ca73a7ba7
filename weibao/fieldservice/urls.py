"""Pages of work orders: the next step of issue 5 (services and tests come first)."""

from django.urls import URLPattern

app_name = "fieldservice"
urlpatterns: list[URLPattern] = []
