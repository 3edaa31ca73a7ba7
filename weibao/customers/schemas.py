"""API schemas for customers, sites, contacts and delivered systems."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema

from weibao.customers.choices import DistanceClass


class CustomerOut(Schema):
    id: int
    code: str
    name: str
    region: str
    address: str
    phone: str
    email_domains: str
    notes: str
    calendar_id: int | None  # the working calendar; null: the default one
    is_active: bool
    created_at: datetime
    updated_at: datetime


class CustomerListOut(CustomerOut):
    site_count: int = 0
    contact_count: int = 0
    system_count: int = 0


class CustomerFilters(Schema):
    q: str | None = None
    region: str | None = None
    include_inactive: bool = False


class CustomerIn(Schema):
    code: str
    name: str
    region: str = ""
    address: str = ""
    phone: str = ""
    email_domains: str = ""
    notes: str = ""
    calendar_id: int | None = None  # null: the default working calendar


class CustomerPatchIn(Schema):
    """Only the fields sent are changed."""

    code: str | None = None
    name: str | None = None
    region: str | None = None
    address: str | None = None
    phone: str | None = None
    email_domains: str | None = None
    notes: str | None = None
    calendar_id: int | None = None  # an explicit null returns to the default working calendar
    is_active: bool | None = None


class SiteOut(Schema):
    id: int
    customer_id: int
    name: str
    address: str
    region: str
    distance_class: DistanceClass
    calendar_id: int | None  # the working calendar; null: the customer's
    is_active: bool


class SiteIn(Schema):
    name: str
    address: str = ""
    region: str = ""
    distance_class: DistanceClass = DistanceClass.LOCAL
    calendar_id: int | None = None  # null: the customer's working calendar


class ContactOut(Schema):
    id: int
    customer_id: int
    site_id: int | None
    name: str
    title: str
    phone: str
    email: str
    is_active: bool
    portal_user_id: int | None
    portal_username: str | None

    @staticmethod
    def resolve_portal_user_id(obj: Any) -> int | None:
        return obj.user_id

    @staticmethod
    def resolve_portal_username(obj: Any) -> str | None:
        return obj.user.username if obj.user_id else None


class PortalLoginIn(Schema):
    username: str
    password: str


class ContactIn(Schema):
    name: str
    title: str = ""
    phone: str = ""
    email: str = ""
    site_id: int | None = None
    portal_login: PortalLoginIn | None = None


class ModuleOut(Schema):
    id: int
    name: str
    version: str
    is_active: bool


class ModuleIn(Schema):
    name: str
    version: str = ""


class SystemOut(Schema):
    id: int
    customer_id: int
    site_id: int | None
    name: str
    version: str
    project_manager_id: int | None
    go_live_date: date | None
    warranty_end: date | None
    is_active: bool
    modules: list[ModuleOut]

    @staticmethod
    def resolve_modules(obj: Any) -> list[Any]:
        return list(obj.modules.all())


class SystemIn(Schema):
    name: str
    version: str = ""
    site_id: int | None = None
    project_manager_id: int | None = None
    go_live_date: date | None = None
    warranty_end: date | None = None
    modules: list[ModuleIn] = []


class SystemPatchIn(Schema):
    """Only the fields sent are changed; ``modules`` replaces the active modules."""

    name: str | None = None
    version: str | None = None
    site_id: int | None = None
    project_manager_id: int | None = None
    go_live_date: date | None = None
    warranty_end: date | None = None
    is_active: bool | None = None
    modules: list[ModuleIn] | None = None
