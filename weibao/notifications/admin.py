"""Django admin registration: read-mostly (notifications are written by services, read by their recipient)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from weibao.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "kind", "level", "created_at", "read_at")
    list_filter = ("kind", "level", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "dedupe_key", "recipient__username", "recipient__display_name")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient",)
    readonly_fields = (
        "recipient", "kind", "level", "title", "body", "url", "dedupe_key", "created_at", "read_at",
    )  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Sending goes through notifications.services (validation, deduplication, later channels).
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
