"""Every write to customers, sites, contacts (with portal logins) and delivered systems.

Each public function is keyword-only, needs ``customer.manage``, validates everything before the
first write, runs in one transaction and records an audit event (DESIGN rule 1).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, TypedDict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from weibao.accounts.choices import UserKind
from weibao.accounts.events import audit_record
from weibao.accounts.models import User
from weibao.accounts.services import portal_user_create
from weibao.calendars.selectors import calendar_get_by_id
from weibao.core.errors import NotFound, PermissionDenied, ValidationFailed
from weibao.core.validation import validate_unique_code
from weibao.customers.choices import DistanceClass
from weibao.customers.models import Contact, Customer, DeliveredSystem, Site, SystemModule
from weibao.customers.permissions import can_manage_customers

_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")


# --------------------------------------------------------------------------- helpers


def _require_manager(actor: Any) -> None:
    if not can_manage_customers(user=actor):
        raise PermissionDenied(_("You need the permission to manage customers."))


def _text(value: str | None, *, field: str, max_length: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(_("This field is required."), code="required", field=field)
    if len(value) > max_length:
        raise ValidationFailed(
            _("Enter at most %(n)d characters.") % {"n": max_length}, code="too_long", field=field
        )
    return value


def _email(value: str | None, *, field: str = "email") -> str:
    value = (value or "").strip()
    if value:
        try:
            validate_email(value)
        except DjangoValidationError as exc:
            raise ValidationFailed(
                _("Enter a valid email address."), code="invalid_email", field=field
            ) from exc
    return value


def _email_domains(value: str | None) -> str:
    domains = [d.strip().lower().lstrip("@") for d in (value or "").replace(";", ",").split(",") if d.strip()]
    for domain in domains:
        if not _DOMAIN_RE.match(domain):
            raise ValidationFailed(
                _("“%(domain)s” is not a valid email domain.") % {"domain": domain},
                code="invalid_domain",
                field="email_domains",
            )
    result = ",".join(dict.fromkeys(domains))
    return _text(result, field="email_domains", max_length=300)


def _code(value: str | None, *, exclude_pk: int | None = None) -> str:
    code = (value or "").strip()
    return validate_unique_code(
        value=code,
        taken=Customer.objects.filter(code__iexact=code),
        exclude_pk=exclude_pk,
        taken_message=_("Another customer already uses this code."),
    )


def _distance_class(value: str) -> str:
    if value not in DistanceClass.values:
        raise ValidationFailed(_("Unknown distance class."), code="invalid_choice", field="distance_class")
    return value


def _calendar_id(value: int | None) -> int | None:
    """An existing working calendar's id, or ``None`` for the default (customer) / the customer's (site)."""
    if value is None:
        return None
    try:
        return calendar_get_by_id(calendar_id=value).pk
    except NotFound as exc:
        raise ValidationFailed(
            _("Choose an existing working calendar."), code="invalid_calendar", field="calendar_id"
        ) from exc


def _customer_for_write(customer_id: int) -> Customer:
    customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    return customer


def _site_of(customer: Customer, site_id: int | None) -> Site | None:
    if site_id is None:
        return None
    site = Site.objects.filter(pk=site_id, customer=customer).first()
    if site is None:
        raise ValidationFailed(_("Choose a site of this customer."), code="invalid_site", field="site_id")
    return site


# --------------------------------------------------------------------------- customers


@transaction.atomic
def customer_create(
    *,
    actor: Any,
    code: str,
    name: str,
    region: str = "",
    address: str = "",
    phone: str = "",
    email_domains: str = "",
    notes: str = "",
    calendar_id: int | None = None,
) -> Customer:
    """Register a customer organisation. ``email_domains`` (comma-separated) map email to it.

    ``calendar_id`` names the working calendar its SLA targets count on; ``None`` is the default one.
    """
    _require_manager(actor)
    customer = Customer(
        code=_code(code),
        name=_text(name, field="name", max_length=200, required=True),
        region=_text(region, field="region", max_length=100),
        address=_text(address, field="address", max_length=300),
        phone=_text(phone, field="phone", max_length=40),
        email_domains=_email_domains(email_domains),
        notes=(notes or "").strip(),
        calendar_id=_calendar_id(calendar_id),
    )
    customer.save()
    audit_record(actor=actor, action="customer.create", target=customer)
    return customer


class CustomerChanges(TypedDict, total=False):
    """Fields :func:`customer_update` may change; absent keys stay as they are."""

    code: str
    name: str
    region: str
    address: str
    phone: str
    email_domains: str
    notes: str
    calendar_id: int | None  # None: the default working calendar
    is_active: bool


@transaction.atomic
def customer_update(*, actor: Any, customer_id: int, changes: CustomerChanges) -> Customer:
    """Change a customer; ``is_active=False`` hides it from lists (its history stays)."""
    _require_manager(actor)
    customer = _customer_for_write(customer_id)
    values: dict[str, Any] = {}
    if "code" in changes:
        values["code"] = _code(changes["code"], exclude_pk=customer.pk)
    if "name" in changes:
        values["name"] = _text(changes["name"], field="name", max_length=200, required=True)
    for name, limit in (("region", 100), ("address", 300), ("phone", 40)):
        if name in changes:
            values[name] = _text(changes[name], field=name, max_length=limit)  # type: ignore[literal-required]
    if "email_domains" in changes:
        values["email_domains"] = _email_domains(changes["email_domains"])
    if "notes" in changes:
        values["notes"] = (changes["notes"] or "").strip()
    if "calendar_id" in changes:
        values["calendar_id"] = _calendar_id(changes["calendar_id"])
    if "is_active" in changes:
        values["is_active"] = bool(changes["is_active"])
    for name, value in values.items():
        setattr(customer, name, value)
    if values:
        customer.save(update_fields=[*values, "updated_at"])
    audit_record(actor=actor, action="customer.update", target=customer, changes=dict(changes))
    return customer


# --------------------------------------------------------------------------- sites


def _site_name(customer: Customer, name: str | None, *, exclude_pk: int | None = None) -> str:
    name = _text(name, field="name", max_length=200, required=True)
    taken = Site.objects.filter(customer=customer, name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationFailed(
            _("This customer already has a site of that name."), code="name_taken", field="name"
        )
    return name


@transaction.atomic
def site_create(
    *,
    actor: Any,
    customer_id: int,
    name: str,
    address: str = "",
    region: str = "",
    distance_class: str = DistanceClass.LOCAL,
    calendar_id: int | None = None,
) -> Site:
    """Add a site; its distance class (local / within 200 km / remote) sets on-site targets (SLA-1).

    ``calendar_id`` overrides the customer's working calendar for this site; ``None`` follows it.
    """
    _require_manager(actor)
    customer = _customer_for_write(customer_id)
    site = Site(
        customer=customer,
        name=_site_name(customer, name),
        address=_text(address, field="address", max_length=300),
        region=_text(region, field="region", max_length=100),
        distance_class=_distance_class(distance_class),
        calendar_id=_calendar_id(calendar_id),
    )
    site.save()
    audit_record(actor=actor, action="site.create", target=site, changes={"customer": customer.pk})
    return site


class SiteChanges(TypedDict, total=False):
    """Fields :func:`site_update` may change."""

    name: str
    address: str
    region: str
    distance_class: str
    calendar_id: int | None  # None: the customer's working calendar
    is_active: bool


@transaction.atomic
def site_update(*, actor: Any, site_id: int, changes: SiteChanges) -> Site:
    """Change a site; a new distance class applies to tickets opened afterwards."""
    _require_manager(actor)
    site = Site.objects.select_for_update().select_related("customer").filter(pk=site_id).first()
    if site is None:
        raise NotFound(_("Site not found."))
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = _site_name(site.customer, changes["name"], exclude_pk=site.pk)
    if "address" in changes:
        values["address"] = _text(changes["address"], field="address", max_length=300)
    if "region" in changes:
        values["region"] = _text(changes["region"], field="region", max_length=100)
    if "distance_class" in changes:
        values["distance_class"] = _distance_class(changes["distance_class"])
    if "calendar_id" in changes:
        values["calendar_id"] = _calendar_id(changes["calendar_id"])
    if "is_active" in changes:
        values["is_active"] = bool(changes["is_active"])
    for name, value in values.items():
        setattr(site, name, value)
    if values:
        site.save(update_fields=[*values, "updated_at"])
    audit_record(actor=actor, action="site.update", target=site, changes=dict(changes))
    return site


# --------------------------------------------------------------------------- contacts


class PortalLogin(TypedDict):
    """A new portal login for a contact."""

    username: str
    password: str


def _linkable_portal_user(user_id: int, *, contact: Contact | None) -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None or user.kind != UserKind.CUSTOMER:
        raise ValidationFailed(
            _("Choose a portal user (not a staff user)."), code="invalid_portal_user", field="portal_user_id"
        )
    linked = Contact.objects.filter(user=user)
    if contact is not None:
        linked = linked.exclude(pk=contact.pk)
    if linked.exists():
        raise ValidationFailed(
            _("This portal user already belongs to another contact."),
            code="portal_user_taken",
            field="portal_user_id",
        )
    return user


def _new_portal_login(actor: Any, contact: Contact, login: PortalLogin) -> User:
    # accounts.services validates username and password and raises with field names
    # ``username``/``password``; the contact forms call them portal_username/portal_password.
    try:
        return portal_user_create(
            actor=actor,
            username=login["username"],
            password=login["password"],
            display_name=contact.name,
            email=contact.email,
            phone=contact.phone,
        )
    except ValidationFailed as exc:
        if exc.field in {"username", "password"}:
            raise ValidationFailed(exc.detail, code=exc.code, field=f"portal_{exc.field}") from exc
        raise


@transaction.atomic
def contact_create(
    *,
    actor: Any,
    customer_id: int,
    name: str,
    title: str = "",
    phone: str = "",
    email: str = "",
    site_id: int | None = None,
    portal_login: PortalLogin | None = None,
) -> Contact:
    """Add a contact; with ``portal_login`` also create their portal user (role ``portal``)."""
    _require_manager(actor)
    customer = _customer_for_write(customer_id)
    contact = Contact(
        customer=customer,
        site=_site_of(customer, site_id),
        name=_text(name, field="name", max_length=100, required=True),
        title=_text(title, field="title", max_length=100),
        phone=_text(phone, field="phone", max_length=40),
        email=_email(email),
    )
    if portal_login is not None:
        # portal_user_create validates everything before it writes; the contact is written after.
        contact.user = _new_portal_login(actor, contact, portal_login)
    contact.save()
    audit_record(
        actor=actor,
        action="contact.create",
        target=contact,
        changes={"customer": customer.pk, "portal_user": contact.user_id},
    )
    return contact


class ContactChanges(TypedDict, total=False):
    """Fields :func:`contact_update` may change.

    ``portal_user_id`` links an existing unlinked portal user (or ``None`` to unlink);
    ``portal_login`` creates a new one. Not both.
    """

    name: str
    title: str
    phone: str
    email: str
    site_id: int | None
    is_active: bool
    portal_user_id: int | None
    portal_login: PortalLogin


@transaction.atomic
def contact_update(*, actor: Any, contact_id: int, changes: ContactChanges) -> Contact:
    """Change a contact, and link, unlink or create their portal login.

    A deactivated contact's portal user no longer sees the customer (selectors check the contact).
    """
    _require_manager(actor)
    contact = Contact.objects.select_for_update().select_related("customer").filter(pk=contact_id).first()
    if contact is None:
        raise NotFound(_("Contact not found."))
    if "portal_user_id" in changes and "portal_login" in changes:
        raise ValidationFailed(
            _("Either link an existing portal user or create a new login, not both."),
            code="ambiguous_portal_user",
            field="portal_user_id",
        )
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = _text(changes["name"], field="name", max_length=100, required=True)
    if "title" in changes:
        values["title"] = _text(changes["title"], field="title", max_length=100)
    if "phone" in changes:
        values["phone"] = _text(changes["phone"], field="phone", max_length=40)
    if "email" in changes:
        values["email"] = _email(changes["email"])
    if "site_id" in changes:
        values["site"] = _site_of(contact.customer, changes["site_id"])
    if "is_active" in changes:
        values["is_active"] = bool(changes["is_active"])
    if "portal_user_id" in changes:
        portal_user_id = changes["portal_user_id"]
        values["user"] = (
            None if portal_user_id is None else _linkable_portal_user(portal_user_id, contact=contact)
        )
    if "portal_login" in changes and contact.user_id is not None:
        raise ValidationFailed(
            _("This contact already has a portal login."), code="has_portal_user", field="portal_username"
        )
    for name, value in values.items():
        setattr(contact, name, value)
    if "portal_login" in changes:
        contact.user = _new_portal_login(actor, contact, changes["portal_login"])
        values["user"] = contact.user
    if values:
        contact.save(update_fields=[*values, "updated_at"])
    audit_changes = {k: v for k, v in changes.items() if k != "portal_login"}
    if "portal_login" in changes:
        audit_changes["portal_user"] = contact.user_id
    audit_record(actor=actor, action="contact.update", target=contact, changes=audit_changes)
    return contact


# --------------------------------------------------------------------------- delivered systems


class ModuleSpec(TypedDict):
    """A module of a delivered system and its version."""

    name: str
    version: str


def _project_manager(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, kind=UserKind.STAFF, is_active=True).first()
    if user is None:
        raise ValidationFailed(
            _("The project manager must be an active staff user."),
            code="invalid_project_manager",
            field="project_manager_id",
        )
    return user


def _dates(go_live_date: date | None, warranty_end: date | None) -> None:
    if go_live_date and warranty_end and warranty_end < go_live_date:
        raise ValidationFailed(
            _("The warranty cannot end before the go-live date."),
            code="warranty_before_go_live",
            field="warranty_end",
        )


def _modules(specs: Iterable[ModuleSpec]) -> list[ModuleSpec]:
    cleaned: list[ModuleSpec] = []
    seen: set[str] = set()
    for spec in specs:
        name = _text(spec.get("name"), field="modules", max_length=200)
        if not name:
            raise ValidationFailed(_("Every module needs a name."), code="required", field="modules")
        if name.casefold() in seen:
            raise ValidationFailed(
                _("The module “%(name)s” is listed twice.") % {"name": name},
                code="duplicate_module",
                field="modules",
            )
        seen.add(name.casefold())
        cleaned.append({"name": name, "version": _text(spec.get("version"), field="modules", max_length=50)})
    return cleaned


def _sync_modules(system: DeliveredSystem, specs: list[ModuleSpec]) -> None:
    """Make the active modules equal ``specs``: update or reactivate by name, deactivate the rest."""
    existing = {m.name.casefold(): m for m in system.modules.all()}
    wanted = set()
    for spec in specs:
        key = spec["name"].casefold()
        wanted.add(key)
        module = existing.get(key)
        if module is None:
            SystemModule.objects.create(system=system, name=spec["name"], version=spec["version"])
        elif module.version != spec["version"] or not module.is_active or module.name != spec["name"]:
            module.name, module.version, module.is_active = spec["name"], spec["version"], True
            module.save(update_fields=["name", "version", "is_active"])
    for key, module in existing.items():
        if key not in wanted and module.is_active:
            module.is_active = False
            module.save(update_fields=["is_active"])


@transaction.atomic
def system_create(
    *,
    actor: Any,
    customer_id: int,
    name: str,
    version: str = "",
    site_id: int | None = None,
    project_manager_id: int | None = None,
    go_live_date: date | None = None,
    warranty_end: date | None = None,
    modules: Sequence[ModuleSpec] = (),
) -> DeliveredSystem:
    """Record a system delivered to a customer (AST-1), with its modules and their versions."""
    _require_manager(actor)
    customer = _customer_for_write(customer_id)
    _dates(go_live_date, warranty_end)
    system = DeliveredSystem(
        customer=customer,
        site=_site_of(customer, site_id),
        name=_text(name, field="name", max_length=200, required=True),
        version=_text(version, field="version", max_length=50),
        project_manager=_project_manager(project_manager_id),
        go_live_date=go_live_date,
        warranty_end=warranty_end,
    )
    specs = _modules(modules)
    system.save()
    _sync_modules(system, specs)
    audit_record(
        actor=actor,
        action="system.create",
        target=system,
        changes={"customer": customer.pk, "modules": [dict(s) for s in specs]},
    )
    return system


class SystemChanges(TypedDict, total=False):
    """Fields :func:`system_update` may change. ``modules`` replaces the list of active modules."""

    name: str
    version: str
    site_id: int | None
    project_manager_id: int | None
    go_live_date: date | None
    warranty_end: date | None
    is_active: bool
    modules: list[ModuleSpec]


@transaction.atomic
def system_update(*, actor: Any, system_id: int, changes: SystemChanges) -> DeliveredSystem:
    """Change a delivered system; modules removed from the list are deactivated, not deleted."""
    _require_manager(actor)
    system = (
        DeliveredSystem.objects.select_for_update().select_related("customer").filter(pk=system_id).first()
    )
    if system is None:
        raise NotFound(_("System not found."))
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = _text(changes["name"], field="name", max_length=200, required=True)
    if "version" in changes:
        values["version"] = _text(changes["version"], field="version", max_length=50)
    if "site_id" in changes:
        values["site"] = _site_of(system.customer, changes["site_id"])
    if "project_manager_id" in changes:
        values["project_manager"] = _project_manager(changes["project_manager_id"])
    if "go_live_date" in changes:
        values["go_live_date"] = changes["go_live_date"]
    if "warranty_end" in changes:
        values["warranty_end"] = changes["warranty_end"]
    if "is_active" in changes:
        values["is_active"] = bool(changes["is_active"])
    _dates(values.get("go_live_date", system.go_live_date), values.get("warranty_end", system.warranty_end))
    specs = _modules(changes["modules"]) if "modules" in changes else None
    for name, value in values.items():
        setattr(system, name, value)
    if values:
        system.save(update_fields=[*values, "updated_at"])
    if specs is not None:
        _sync_modules(system, specs)
    audit_record(actor=actor, action="system.update", target=system, changes=dict(changes))
    return system
