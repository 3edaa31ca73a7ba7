"""Pages of spare parts and stock: the next step of issue 6 (services and tests come first)."""

from django.urls import URLPattern

app_name = "inventory"
urlpatterns: list[URLPattern] = []
