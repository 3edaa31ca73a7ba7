from django.contrib import admin

from weibao.jobs.models import TaskRun


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    """Read-only: runs are written by the workers."""

    list_display = ("name", "state", "started_at", "runtime_ms", "worker")
    list_filter = ("state", "name")
    search_fields = ("task_id", "name")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
