"""Django admin registration: a technical back door for operators. Day-to-day administration uses
the pages under /accounts/manage/, which go through the services (and their rules and audit)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from weibao.accounts.models import ApiToken, AuditEvent, LoginFailure, Role, Team, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "kind", "email", "is_active", "is_superuser")
    list_filter = ("kind", "is_active", "roles", "teams")
    search_fields = ("username", "display_name", "email", "phone")
    filter_horizontal = ("roles", "groups", "user_permissions")
    raw_id_fields = ("superior",)
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (
            _("Weibao"),
            {"fields": ("kind", "display_name", "phone", "time_zone", "language", "superior", "roles")},
        ),
    )
    add_fieldsets = (
        *(DjangoUserAdmin.add_fieldsets or ()),
        (_("Weibao"), {"fields": ("kind", "display_name")}),
    )


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_staff_role", "is_builtin")
    search_fields = ("code", "name")

    def get_readonly_fields(self, request, obj=None):
        return (
            ("code", "is_builtin", "is_staff_role") if obj is not None and obj.is_builtin else ("is_builtin",)
        )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "lead", "is_active")
    search_fields = ("code", "name")
    filter_horizontal = ("members",)
    raw_id_fields = ("lead",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "name", "user__username")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
    raw_id_fields = ("user",)

    def has_add_permission(self, request):
        # A token is only useful when its raw value is shown once: create them in the UI or CLI.
        return False


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ("username", "ip_address", "at")
    search_fields = ("username", "ip_address")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "target_type", "target_repr", "actor")
    list_filter = ("action", "target_type")
    search_fields = ("target_repr", "target_id", "action")
    raw_id_fields = ("actor",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
