"""Every read in accounts, scoped to the actor (DESIGN rule 2).

Staff see the directory (users, roles, teams); portal users see only themselves. Unknown or
out-of-scope ids raise :class:`NotFound`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from weibao.accounts.choices import UserKind
from weibao.accounts.models import ApiToken, AuditEvent, Role, Team, User
from weibao.accounts.permissions import can_manage_users, can_use_api_tokens, can_view_directory
from weibao.core.errors import NotFound, PermissionDenied


def _require_directory(actor: Any) -> None:
    if not can_view_directory(user=actor):
        raise PermissionDenied(_("Only staff can see users, roles and teams."))


def user_list(
    *,
    actor: Any,
    q: str | None = None,
    kind: str | None = None,
    role: str | None = None,
    team: str | None = None,
    is_active: bool | None = None,
) -> QuerySet[User]:
    """Users filtered by text (username, name, email, phone), kind, role code, team code, state."""
    _require_directory(actor)
    qs = User.objects.select_related("superior").prefetch_related("roles", "teams")
    if q:
        q = q.strip()
        qs = qs.filter(
            Q(username__icontains=q)
            | Q(display_name__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
            | Q(phone__icontains=q)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if role:
        qs = qs.filter(roles__code=role)
    if team:
        qs = qs.filter(teams__code=team)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return qs.distinct().order_by("username", "id")


def user_get(*, actor: Any, user_id: int) -> User:
    """One user: staff see anyone, a portal user only themselves."""
    if not getattr(actor, "is_authenticated", False):
        raise NotFound(_("User not found."))
    qs = User.objects.select_related("superior").prefetch_related("roles", "teams")
    if not can_view_directory(user=actor):
        qs = qs.filter(pk=actor.pk)
    user = qs.filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("User not found."))
    return user


def staff_choices(*, actor: Any) -> QuerySet[User]:
    """Active staff, for pickers (superior, team lead, project manager)."""
    _require_directory(actor)
    return User.objects.filter(kind=UserKind.STAFF, is_active=True).order_by("username")


def role_list(*, actor: Any) -> QuerySet[Role]:
    _require_directory(actor)
    return Role.objects.order_by("-is_staff_role", "code")


def role_get(*, actor: Any, role_id: int) -> Role:
    _require_directory(actor)
    role = Role.objects.filter(pk=role_id).first()
    if role is None:
        raise NotFound(_("Role not found."))
    return role


def team_list(*, actor: Any, include_inactive: bool = False) -> QuerySet[Team]:
    _require_directory(actor)
    qs = Team.objects.select_related("lead").prefetch_related("members")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("name", "id")


def team_get(*, actor: Any, team_id: int) -> Team:
    _require_directory(actor)
    team = Team.objects.select_related("lead").prefetch_related("members").filter(pk=team_id).first()
    if team is None:
        raise NotFound(_("Team not found."))
    return team


def api_token_list(*, actor: Any) -> QuerySet[ApiToken]:
    """The actor's own tokens, newest first (revoked ones too, marked)."""
    if not can_use_api_tokens(user=actor):
        raise PermissionDenied(_("Sign in to manage API tokens."))
    return ApiToken.objects.filter(user_id=actor.pk).order_by("-created_at", "-id")


def api_token_get(*, actor: Any, token_id: int) -> ApiToken:
    if not can_use_api_tokens(user=actor):
        raise NotFound(_("Token not found."))
    qs = ApiToken.objects.filter(pk=token_id)
    if not can_manage_users(user=actor):
        qs = qs.filter(user_id=actor.pk)
    token = qs.first()
    if token is None:
        raise NotFound(_("Token not found."))
    return token


def audit_events_for(*, actor: Any, target_type: str, target_id: int, limit: int = 50) -> list[AuditEvent]:
    """Recent audit rows about one object, for administrators."""
    if not can_manage_users(user=actor):
        raise PermissionDenied(_("Only administrators can read the audit log."))
    return list(
        AuditEvent.objects.select_related("actor")
        .filter(target_type=target_type, target_id=str(target_id))
        .order_by("-at", "-id")[:limit]
    )
