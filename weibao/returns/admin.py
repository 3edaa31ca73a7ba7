from django.contrib import admin

from weibao.returns.models import Rma


@admin.register(Rma)
class RmaAdmin(admin.ModelAdmin):
    list_display = ("number", "customer", "goods", "status", "outcome", "created_at")
    list_filter = ("status", "outcome")
    search_fields = ("goods", "reason", "root_cause")
    raw_id_fields = ("customer", "ticket", "item", "supplier")
