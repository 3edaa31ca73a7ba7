"""Django admin registration (technical back door; day-to-day editing is on /customers/)."""

from __future__ import annotations

from django.contrib import admin

from weibao.customers.models import Contact, Customer, DeliveredSystem, Site, SystemModule


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


class SystemModuleInline(admin.TabularInline):
    model = SystemModule
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "phone", "is_active")
    list_filter = ("is_active", "region")
    search_fields = ("code", "name", "address", "phone")
    inlines = [SiteInline]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "customer", "region", "distance_class", "is_active")
    list_filter = ("distance_class", "is_active")
    search_fields = ("name", "customer__name", "address")
    raw_id_fields = ("customer",)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "customer", "phone", "email", "user", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "phone", "email", "customer__name")
    raw_id_fields = ("customer", "site", "user")


@admin.register(DeliveredSystem)
class DeliveredSystemAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "customer", "site", "project_manager", "warranty_end", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "customer__name")
    raw_id_fields = ("customer", "site", "project_manager")
    inlines = [SystemModuleInline]
