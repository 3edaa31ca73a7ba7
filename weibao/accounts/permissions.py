"""Pure permission predicates on a user's roles (no queries after the first per request)."""

from __future__ import annotations

from typing import Any

from weibao.accounts.choices import UserKind


def user_perms(*, user: Any) -> frozenset[str]:
    """The union of permission codes over the user's roles, cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_weibao_perms", None)
    if cached is None:
        codes: set[str] = set()
        for perms in user.roles.values_list("permissions", flat=True):
            codes.update(perms or [])
        cached = frozenset(codes)
        user._weibao_perms = cached
    return cached


def has_perm(*, user: Any, perm: str) -> bool:
    return perm in user_perms(user=user)


def is_portal_user(*, user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.kind == UserKind.CUSTOMER


def is_staff_user(*, user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.kind == UserKind.STAFF and user.is_active
