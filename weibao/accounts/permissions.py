"""Pure permission predicates on a user's roles (no queries after the first per request)."""

from __future__ import annotations

from typing import Any

from weibao.accounts.choices import Perm, UserKind


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


def can_manage_users(*, user: Any) -> bool:
    """Users, roles and teams administration."""
    return is_staff_user(user=user) and has_perm(user=user, perm=Perm.USER_MANAGE)


def can_view_directory(*, user: Any) -> bool:
    """Staff may see colleagues, roles and teams (to dispatch, escalate, pick a project manager)."""
    return is_staff_user(user=user)


def can_edit_profile(*, actor: Any, target: Any) -> bool:
    """Everyone may edit their own profile fields; administrators anyone's."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    return actor.pk == target.pk or can_manage_users(user=actor)


def can_use_api_tokens(*, user: Any) -> bool:
    """Any active user may hold API tokens; the token acts with the owner's permissions and scope."""
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def can_manage_token(*, actor: Any, owner_id: int) -> bool:
    return can_use_api_tokens(user=actor) and (actor.pk == owner_id or can_manage_users(user=actor))


def can_administer(*, user: Any) -> bool:
    """Sees the administration landing page (users/roles/teams or service-desk settings)."""
    return is_staff_user(user=user) and (
        has_perm(user=user, perm=Perm.USER_MANAGE) or has_perm(user=user, perm=Perm.CONFIG_MANAGE)
    )
