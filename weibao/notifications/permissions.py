"""Pure predicates for in-app notifications."""

from __future__ import annotations

from typing import Any


def can_use_notifications(*, user: Any) -> bool:
    """Every signed-in, active user (staff or portal) has an inbox; it holds only their own rows."""
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))
