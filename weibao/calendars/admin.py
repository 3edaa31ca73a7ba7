"""Django admin registration: read-only. Edits go through /calendars/ (the services bump ``version``,
which every process's compiled-calendar cache keys on; an admin edit would leave deadlines stale)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from weibao.calendars.models import Calendar, CalendarDay, HolidayYear, WorkingPeriod


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WorkingPeriodInline(ReadOnlyMixin, admin.TabularInline):
    model = WorkingPeriod
    extra = 0


class HolidayYearInline(ReadOnlyMixin, admin.TabularInline):
    model = HolidayYear
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "time_zone", "uses_holidays", "is_default", "version", "updated_at")
    list_filter = ("uses_holidays", "is_default")
    search_fields = ("name", "slug")
    inlines = [WorkingPeriodInline, HolidayYearInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("date", "calendar", "kind", "name", "source")
    list_filter = ("calendar", "kind", "source")
    search_fields = ("name",)
    date_hierarchy = "date"


@admin.register(HolidayYear)
class HolidayYearAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("calendar", "year", "source", "imported_at")
    list_filter = ("calendar", "source")
