from django.contrib import admin

from weibao.tools.models import PurchaseRequest, Tool, ToolIncident


@admin.register(Tool)
class ToolAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "keeper", "status", "is_fixed_asset")
    list_filter = ("kind", "status", "is_fixed_asset")
    search_fields = ("code", "name", "serial_number", "asset_number")


admin.site.register(ToolIncident)
admin.site.register(PurchaseRequest)
