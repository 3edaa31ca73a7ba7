"""Validation shared by the services of several apps. Raises ``ValidationFailed`` naming the field."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_slug
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from weibao.core.errors import ValidationFailed

CODE_MAX_LENGTH = 64


def validate_unique_code(
    *,
    value: str | None,
    taken: QuerySet[Any],
    exclude_pk: int | None = None,
    field: str = "code",
    taken_message: str | None = None,
) -> str:
    """A required slug code (letters, digits, ``-``, ``_``; 64 at most) not used by any row of ``taken``.

    ``taken`` is the queryset of rows that would clash, already filtered on the code
    (e.g. ``Role.objects.filter(code=code)``); the row being edited is excluded by ``exclude_pk``.
    """
    code = (value or "").strip()
    if not code:
        raise ValidationFailed(_("Enter a code."), code="required", field=field)
    try:
        validate_slug(code)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            _("Use only letters, numbers, underscores or hyphens."), code="invalid_code", field=field
        ) from exc
    if len(code) > CODE_MAX_LENGTH:
        raise ValidationFailed(_("The code is too long."), code="too_long", field=field)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationFailed(
            taken_message or _("This code is already used."), code="code_taken", field=field
        )
    return code
