from django.contrib import admin

from weibao.inventory.models import Location, Part


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "spec", "unit", "min_stock", "is_active")
    search_fields = ("code", "name")


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "holder", "is_active")
