"""Django admin for SLA configuration: read-only. Edits go through /sla/policies/ and /sla/contracts/
(the services validate, keep one default policy, bump the policy's version and write the audit trail)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from weibao.sla.models import EscalationRule, ServiceContract, SlaPolicy, SlaTarget


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SlaTargetInline(ReadOnlyMixin, admin.TabularInline):
    model = SlaTarget
    extra = 0


class EscalationRuleInline(ReadOnlyMixin, admin.TabularInline):
    model = EscalationRule
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "code", "is_default", "is_active", "version", "updated_at")
    list_filter = ("is_default", "is_active")
    search_fields = ("name", "code")
    inlines = [SlaTargetInline, EscalationRuleInline]


@admin.register(ServiceContract)
class ServiceContractAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("number", "name", "customer", "policy", "starts_on", "ends_on", "is_active")
    list_filter = ("is_active", "policy")
    search_fields = ("number", "name", "customer__name")
    list_select_related = ("customer", "policy")
