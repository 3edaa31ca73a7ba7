"""The rules of one configuration item's fields, shared by the forms' services and the Excel import,
so that a row typed on a page and a row in a spreadsheet are held to exactly the same rules.

:func:`clean_item_values` checks every field and collects every error (the import reports them all
per row); the services raise the first one. References (system, site, supplier) are looked up in a
:class:`CustomerRefs` read once per customer - by id from the pages and the API, by name from Excel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from weibao.assets.choices import ItemKind, ItemStatus
from weibao.assets.models import Supplier
from weibao.core.errors import ValidationFailed
from weibao.customers.models import Customer, DeliveredSystem, Site

TEXT_LIMITS = {
    "code": 64,
    "name": 200,
    "model": 100,
    "version": 50,
    "serial_number": 100,
    "location": 200,
    "notes": 2000,
}


@dataclass
class CustomerRefs:
    """A customer's systems and sites, and all suppliers, by id and by (case-folded) name."""

    customer: Customer
    systems: dict[int, DeliveredSystem] = field(default_factory=dict)
    sites: dict[int, Site] = field(default_factory=dict)
    suppliers: dict[int, Supplier] = field(default_factory=dict)

    @classmethod
    def load(cls, *, customer: Customer) -> CustomerRefs:
        refs = cls(customer=customer)
        refs.systems = {s.pk: s for s in DeliveredSystem.objects.filter(customer=customer)}
        refs.sites = {s.pk: s for s in Site.objects.filter(customer=customer)}
        refs.suppliers = {s.pk: s for s in Supplier.objects.filter(is_active=True)}
        return refs

    def find(self, kind: str, value: Any) -> Any:
        rows: dict[int, Any] = getattr(self, kind)
        if isinstance(value, int):
            return rows.get(value)
        wanted = str(value).strip().casefold()
        return next((r for r in rows.values() if r.name.casefold() == wanted), None)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores 10086 typed in a cell as 10086.0
    return str(value).strip()


def _date(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(_("Give a date as YYYY-MM-DD."), code="invalid_date", field=name) from None


_ALIASES: dict[type[Any], dict[str, str]] = {}


def _aliases(choices: type[Any]) -> dict[str, str]:
    """Value, English and Chinese label of each choice -> value: a sheet says 服务器 or Server."""
    if choices not in _ALIASES:
        aliases: dict[str, str] = {}
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                aliases.update({str(c.label).casefold(): str(c.value) for c in choices})
        aliases.update({str(c.value): str(c.value) for c in choices})
        _ALIASES[choices] = aliases
    return _ALIASES[choices]


def _choice(value: Any, choices: type[Any], name: str, default: str | None) -> str:
    text = _text(value)
    if not text and default is not None:
        return default
    found = _aliases(choices).get(text.casefold())
    if found is not None:
        return found
    raise ValidationFailed(
        _("Choose one of: %(options)s.") % {"options": "、".join(str(c.label) for c in choices)},
        code="invalid_choice",
        field=name,
    )


def _ref(refs: CustomerRefs, kind: str, value: Any, name: str, message: str) -> Any:
    if value in (None, ""):
        return None
    found = refs.find(kind, value)
    if found is None:
        raise ValidationFailed(message, code="invalid_reference", field=name)
    return found


def clean_item_values(
    *, values: dict[str, Any], refs: CustomerRefs, partial: bool = False
) -> tuple[dict[str, Any], list[ValidationFailed]]:
    """Cleaned model values for the fields given, and every error found (empty when all is well).

    ``values`` uses the service's names (``system_id``, ``site_id``, ``supplier_id`` hold ids or, from
    Excel, names). With ``partial`` only the fields present are checked (an update).
    """
    cleaned: dict[str, Any] = {}
    errors: list[ValidationFailed] = []

    def check(name: str, call: Any) -> None:
        if partial and name not in values:
            return
        try:
            cleaned_value = call(values.get(name))
        except ValidationFailed as exc:
            errors.append(exc)
        else:
            cleaned[name.removesuffix("_id")] = cleaned_value

    def text(name: str, *, required: bool = False) -> Any:
        def run(value: Any) -> str:
            result = _text(value)
            if required and not result:
                raise ValidationFailed(_("This field is required."), code="required", field=name)
            if len(result) > TEXT_LIMITS[name]:
                raise ValidationFailed(
                    _("At most %(n)d characters.") % {"n": TEXT_LIMITS[name]}, code="too_long", field=name
                )
            return result

        return run

    check("kind", lambda v: _choice(v, ItemKind, "kind", None))
    for name in ("code", "name"):
        check(name, text(name, required=True))
    for name in ("model", "version", "serial_number", "location", "notes"):
        check(name, text(name))
    check("status", lambda v: _choice(v, ItemStatus, "status", ItemStatus.IN_USE))
    check("purchase_date", lambda v: _date(v, "purchase_date"))
    check("warranty_end", lambda v: _date(v, "warranty_end"))
    check(
        "system_id",
        lambda v: _ref(refs, "systems", v, "system_id", _("No such delivered system at this customer.")),
    )
    check("site_id", lambda v: _ref(refs, "sites", v, "site_id", _("No such site at this customer.")))
    check("supplier_id", lambda v: _ref(refs, "suppliers", v, "supplier_id", _("No such supplier.")))
    bought, ends = cleaned.get("purchase_date"), cleaned.get("warranty_end")
    if bought and ends and ends < bought:
        errors.append(
            ValidationFailed(
                _("The warranty cannot end before the purchase."),
                code="warranty_before_purchase",
                field="warranty_end",
            )
        )
    return cleaned, errors
