"""The parts catalogue: create a part (stock managers)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from weibao.core.errors import PermissionDenied, ValidationFailed
from weibao.inventory.models import Part
from weibao.inventory.permissions import can_manage_stock


@transaction.atomic
def part_create(
    *, actor: Any, code: str, name: str, spec: str = "", unit: str = "个", min_stock: int = 0
) -> Part:
    """A new spare part; its number is unique."""
    if not can_manage_stock(user=actor):
        raise PermissionDenied(_("You may not move stock here."), code="permission_denied")
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        raise ValidationFailed(_("This field is required."), code="required", field="code")
    if not name:
        raise ValidationFailed(_("This field is required."), code="required", field="name")
    if Part.objects.filter(code=code).exists():
        raise ValidationFailed(_("A part with this number exists."), code="duplicate", field="code")
    if not isinstance(min_stock, int) or min_stock < 0:
        raise ValidationFailed(_("Give the minimum stock."), code="invalid", field="min_stock")
    return Part.objects.create(
        code=code[:64],
        name=name[:200],
        spec=(spec or "").strip()[:200],
        unit=(unit or "个").strip()[:16],
        min_stock=min_stock,
    )
