"""Service desk configuration (administration pages): categories, the matrix, desk settings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from weibao.accounts.choices import Perm
from weibao.accounts.permissions import has_perm
from weibao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weibao.core.validation import validate_unique_code
from weibao.tickets.choices import OPEN_STATUSES, CategoryKind, Level, Priority
from weibao.tickets.models import Category, DeskSettings, PriorityRule, Ticket


def _require_config(*, actor: Any) -> None:
    if not has_perm(user=actor, perm=Perm.CONFIG_MANAGE):
        raise PermissionDenied(_("You may not change the service desk settings."), code="permission_denied")


def desk_settings_update(
    *, actor: Any, auto_close_days: int, progress_interval_hours: int, pending_alert_hours: int | None = None
) -> DeskSettings:
    """Change auto-close days, the progress interval (open tickets' due times follow at once) and the
    hours after which a pending ticket is "pending too long" (``None``: unchanged)."""
    _require_config(actor=actor)
    if not 1 <= auto_close_days <= 90:
        raise ValidationFailed(_("Between 1 and 90 days."), code="out_of_range", field="auto_close_days")
    if not 1 <= progress_interval_hours <= 720:
        raise ValidationFailed(
            _("Between 1 and 720 hours."), code="out_of_range", field="progress_interval_hours"
        )
    if pending_alert_hours is not None and not 1 <= pending_alert_hours <= 720:
        raise ValidationFailed(
            _("Between 1 and 720 hours."), code="out_of_range", field="pending_alert_hours"
        )
    with transaction.atomic():
        row, _created = DeskSettings.objects.select_for_update().get_or_create(pk=1)
        interval_changed = row.progress_interval_hours != progress_interval_hours
        row.auto_close_days = auto_close_days
        row.progress_interval_hours = progress_interval_hours
        if pending_alert_hours is not None:
            row.pending_alert_hours = pending_alert_hours
        row.save()
        if interval_changed:
            delta = timedelta(hours=progress_interval_hours)
            open_qs = Ticket.objects.filter(status__in=OPEN_STATUSES)
            open_qs.filter(last_progress_at__isnull=False).update(
                progress_due_at=F("last_progress_at") + delta
            )
            open_qs.filter(last_progress_at__isnull=True).update(progress_due_at=F("reported_at") + delta)
    return row


def category_save(
    *,
    actor: Any,
    category_id: int | None = None,
    code: str,
    name: str,
    kind: str,
    parent_id: int | None = None,
    sort_order: int = 0,
    is_active: bool = True,
) -> Category:
    """Create or edit a category; sub-categories hang under a top-level category of the same kind."""
    _require_config(actor=actor)
    code, name = (code or "").strip(), (name or "").strip()
    code = validate_unique_code(value=code, taken=Category.objects.filter(code=code), exclude_pk=category_id)
    if not name:
        raise ValidationFailed(_("This field is required."), code="required", field="name")
    if kind not in CategoryKind.values:
        raise ValidationFailed(_("Choose a valid kind."), code="invalid_choice", field="kind")
    parent = None
    if parent_id is not None:
        parent = Category.objects.filter(pk=parent_id).first()
        if parent is None or parent.parent_id is not None or parent.pk == category_id:
            raise ValidationFailed(
                _("Choose a top-level category as parent."), code="invalid_parent", field="parent_id"
            )
        if parent.kind != kind:
            raise ValidationFailed(
                _("The parent must be of the same kind."), code="invalid_parent", field="parent_id"
            )
    with transaction.atomic():
        if category_id is None:
            category = Category(code=code)
        else:
            found = Category.objects.select_for_update().filter(pk=category_id).first()
            if found is None:
                raise NotFound(_("Category not found."), code="not_found")
            category = found
            if parent is not None and category.children.exists():
                raise Conflict(
                    _("A category with sub-categories cannot become a sub-category."), code="has_children"
                )
        category.code, category.name, category.kind = code, name, kind
        category.parent, category.sort_order, category.is_active = parent, sort_order, is_active
        category.save()
    return category


def priority_matrix_update(*, actor: Any, cells: Mapping[tuple[int, int], int]) -> None:
    """Replace the urgency x impact matrix (TRI-2). Every cell must be given."""
    _require_config(actor=actor)
    expected = {(u, i) for u in Level.values for i in Level.values}
    if set(cells) != expected:
        raise ValidationFailed(
            _("Give a priority for every urgency and impact."), code="incomplete_matrix", field="cells"
        )
    for (urgency, impact), priority in cells.items():
        if priority not in Priority.values:
            raise ValidationFailed(
                _("Choose a valid priority."), code="invalid_choice", field=f"cell_{urgency}_{impact}"
            )
    with transaction.atomic():
        for (urgency, impact), priority in cells.items():
            PriorityRule.objects.update_or_create(
                urgency=urgency, impact=impact, defaults={"priority": priority}
            )
