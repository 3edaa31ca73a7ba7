from django.contrib import admin

from weibao.fieldservice.models import EquipmentReceipt, WorkOrder


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Read-mostly: changes go through the services (state table, signatures, timeline)."""

    list_display = ("number", "title", "customer", "status", "service_type", "planned_start")
    list_filter = ("status", "service_type", "kind")
    search_fields = ("number", "title")
    readonly_fields = [f.name for f in WorkOrder._meta.concrete_fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(EquipmentReceipt)
class EquipmentReceiptAdmin(admin.ModelAdmin):
    list_display = ("number", "description", "order", "taken_at", "returned_at")
    readonly_fields = [f.name for f in EquipmentReceipt._meta.concrete_fields]

    def has_add_permission(self, request: object) -> bool:
        return False
