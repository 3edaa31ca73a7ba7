"""Django admin for tickets: a read-mostly view for administrators.

Changes to tickets go through the services (console, API); the admin only edits configuration rows
and never touches the immutable timeline.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from weibao.tickets.models import (
    Category,
    DeskSettings,
    PriorityRule,
    SlaBreach,
    SlaClock,
    SlaSegment,
    Ticket,
    TicketEvent,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "sort_order", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]


@admin.register(PriorityRule)
class PriorityRuleAdmin(admin.ModelAdmin):
    list_display = ["urgency", "impact", "priority"]


@admin.register(DeskSettings)
class DeskSettingsAdmin(admin.ModelAdmin):
    list_display = ["auto_close_days", "progress_interval_hours", "updated_at"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "customer", "status", "priority", "assignee", "reported_at"]
    list_filter = ["status", "priority", "channel", "is_emergency"]
    search_fields = ["=number", "title"]
    list_select_related = ["customer", "assignee"]
    show_full_result_count = False  # counting a million rows on every admin page is wasteful


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "kind", "actor", "at"]
    list_filter = ["kind"]
    list_select_related = ["ticket", "actor"]
    show_full_result_count = False


class SlaSegmentInline(admin.TabularInline):
    model = SlaSegment
    extra = 0
    can_delete = False
    fields = ("kind", "reason", "started_at", "ended_at")
    readonly_fields = ("kind", "reason", "started_at", "ended_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SlaClock)
class SlaClockAdmin(ReadOnlyAdmin):
    """Read-only: clocks are written by the ticket services and the sweeper only."""

    list_display = [
        "ticket",
        "kind",
        "state",
        "due_at",
        "met_at",
        "is_breached",
        "paused_minutes",
        "calendar",
    ]
    list_filter = ["kind", "state", "is_breached"]
    search_fields = ["=ticket__number"]
    list_select_related = ["ticket", "calendar"]
    inlines = [SlaSegmentInline]


@admin.register(SlaBreach)
class SlaBreachAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "kind", "due_at", "met_at", "late_minutes", "assignee", "reason_by"]
    list_filter = ["kind"]
    search_fields = ["=ticket__number", "reason"]
    list_select_related = ["ticket", "assignee", "reason_by"]
