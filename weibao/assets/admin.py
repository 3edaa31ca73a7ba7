from django.contrib import admin

from weibao.assets.models import ConfigurationItem, HandoverDocument, ItemImport, Supplier


@admin.register(ConfigurationItem)
class ConfigurationItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "customer", "system", "warranty_end", "status")
    list_filter = ("kind", "status")
    search_fields = ("code", "name", "serial_number")
    raw_id_fields = ("customer", "system", "site", "supplier")


admin.site.register(Supplier)
admin.site.register(HandoverDocument)
admin.site.register(ItemImport)
