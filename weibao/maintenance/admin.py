from django.contrib import admin

from weibao.maintenance.models import MaintenancePlan


@admin.register(MaintenancePlan)
class MaintenancePlanAdmin(admin.ModelAdmin):
    """Read-only: plans change through their services (approval, adjustments, history)."""

    list_display = ("title", "customer", "year", "status")
    list_filter = ("status", "year")
    readonly_fields = [f.name for f in MaintenancePlan._meta.concrete_fields]

    def has_add_permission(self, request: object) -> bool:
        return False
