"""Every write in accounts: sign-in bookkeeping, API tokens, users, roles and teams.

Each public function is keyword-only, checks permission, validates everything, then writes in one
transaction and records an audit event (DESIGN rule 1). Refusals raise ``weibao.core.errors``.
"""

from __future__ import annotations

import secrets
import zoneinfo
from collections.abc import Iterable
from datetime import timedelta
from typing import Any, TypedDict

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.choices import ALL_PERMS, BUILTIN_ROLES, Perm, UserKind
from weibao.accounts.events import audit_record
from weibao.accounts.models import ApiToken, LoginFailure, Role, Team, User
from weibao.accounts.permissions import (
    can_edit_profile,
    can_manage_token,
    can_manage_users,
    can_use_api_tokens,
    has_perm,
)
from weibao.core.api_auth import TOKEN_PREFIX, token_hash
from weibao.core.errors import Conflict, NotFound, PermissionDenied, Throttled, ValidationFailed
from weibao.core.validation import validate_unique_code

TOKEN_DISPLAY_PREFIX_LENGTH = 12
PORTAL_ROLE_CODE = "portal"
# A role held by customers' portal users may grant only what the built-in portal role grants:
# anything else (seeing all tickets, administration) would leak across customers.
PORTAL_SAFE_PERMS: frozenset[str] = frozenset(BUILTIN_ROLES[PORTAL_ROLE_CODE][1])
PROFILE_FIELDS = frozenset({"display_name", "email", "phone", "time_zone", "language"})


# --------------------------------------------------------------------------- sign-in throttling


def _normalise_username(username: str) -> str:
    return (username or "").strip().lower()[:150]


def _recent_failures(*, username: str, ip_address: str | None) -> tuple[int, int]:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    by_user = recent.filter(username=_normalise_username(username)).count()
    by_ip = recent.filter(ip_address=ip_address).count() if ip_address else 0
    return by_user, by_ip


def login_attempt_check(*, username: str, ip_address: str | None) -> None:
    """Raise :class:`Throttled` (429) while the username or the address is locked out."""
    by_user, by_ip = _recent_failures(username=username, ip_address=ip_address)
    if max(by_user, by_ip) >= settings.LOGIN_FAILURE_LIMIT:
        minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
        raise Throttled(
            _("Too many failed sign-in attempts. Try again in %(minutes)d minutes.") % {"minutes": minutes},
            code="login_locked",
        )


def login_authenticate(
    *, request: HttpRequest | None, username: str, password: str, ip_address: str | None
) -> User:
    """Check the credentials, recording the failure or clearing past failures on success.

    A locked username or address is refused before the password is even checked, so guessing
    cannot continue during the lock. Deliberately not one transaction: the failure row must be
    kept although the attempt is refused.
    """
    login_attempt_check(username=username, ip_address=ip_address)
    user = authenticate(request, username=username, password=password)
    if user is None or not isinstance(user, User):
        LoginFailure.objects.create(username=_normalise_username(username), ip_address=ip_address)
        raise ValidationFailed(
            _("Invalid username or password."), code="invalid_credentials", field="password"
        )
    LoginFailure.objects.filter(
        username__in={_normalise_username(username), _normalise_username(user.username)}
    ).delete()
    return user


# --------------------------------------------------------------------------- API tokens


@transaction.atomic
def api_token_create(*, actor: Any, name: str, user_id: int | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user_id`` (default: the actor). Returns the row and the raw token.

    The raw token is returned exactly once; only its hash is stored.
    """
    owner_id = user_id if user_id is not None else getattr(actor, "pk", None)
    if owner_id is None or not can_manage_token(actor=actor, owner_id=owner_id):
        raise PermissionDenied(_("You may not create API tokens for this user."))
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the token a name."), code="required", field="name")
    if len(name) > 100:
        raise ValidationFailed(
            _("The name is too long (100 characters at most)."), code="too_long", field="name"
        )
    owner = User.objects.filter(pk=owner_id).first()
    if owner is None:
        raise NotFound(_("User not found."))
    if not owner.is_active:
        raise ValidationFailed(_("This user is deactivated."), code="user_inactive", field="user_id")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=owner, name=name, prefix=raw[:TOKEN_DISPLAY_PREFIX_LENGTH], key_hash=token_hash(raw=raw)
    )
    audit_record(
        actor=actor, action="api_token.create", target=token, changes={"user": owner.pk, "name": name}
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Any, token_id: int) -> ApiToken:
    """Revoke a token; the owner or a user administrator may. Revoking twice is a conflict."""
    if not can_use_api_tokens(user=actor):
        raise PermissionDenied(_("You may not manage API tokens."))
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None or not can_manage_token(actor=actor, owner_id=token.user_id):
        raise NotFound(_("Token not found."))
    if token.revoked_at is not None:
        raise Conflict(_("This token is already revoked."), code="already_revoked")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="api_token.revoke", target=token)
    return token


# --------------------------------------------------------------------------- validation helpers


def _require_user_manager(actor: Any) -> None:
    if not can_manage_users(user=actor):
        raise PermissionDenied(_("You need the permission to manage users, roles and teams."))


def _messages(exc: DjangoValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _validate_username(username: str, *, exclude_pk: int | None = None) -> str:
    username = (username or "").strip()
    if not username:
        raise ValidationFailed(_("Enter a username."), code="required", field="username")
    if len(username) > 150:
        raise ValidationFailed(_("The username is too long."), code="too_long", field="username")
    try:
        UnicodeUsernameValidator()(username)
    except DjangoValidationError as exc:
        raise ValidationFailed(_messages(exc), code="invalid_username", field="username") from exc
    taken = User.objects.filter(username__iexact=username)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationFailed(_("This username is already taken."), code="username_taken", field="username")
    return username


def _validate_email(email: str) -> str:
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError as exc:
            raise ValidationFailed(
                _("Enter a valid email address."), code="invalid_email", field="email"
            ) from exc
    return email


def _validate_password(password: str, *, user: User) -> None:
    if not password:
        raise ValidationFailed(_("Enter a password."), code="required", field="password")
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed(_messages(exc), code="weak_password", field="password") from exc


def _validate_text(value: str, *, field: str, max_length: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(_("This field is required."), code="required", field=field)
    if len(value) > max_length:
        raise ValidationFailed(
            _("Enter at most %(n)d characters.") % {"n": max_length}, code="too_long", field=field
        )
    return value


def _validate_time_zone(value: str) -> str:
    value = (value or "").strip()
    if value:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationFailed(
                _("Unknown time zone."), code="invalid_time_zone", field="time_zone"
            ) from exc
    return value


def _validate_language(value: str) -> str:
    value = (value or "").strip()
    if value and value not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationFailed(_("Unsupported language."), code="invalid_language", field="language")
    return value


def _roles_for(kind: str, role_codes: Iterable[str]) -> list[Role]:
    codes = sorted(set(role_codes))
    roles = list(Role.objects.filter(code__in=codes))
    missing = set(codes) - {r.code for r in roles}
    if missing:
        raise ValidationFailed(
            _("Unknown role: %(codes)s.") % {"codes": ", ".join(sorted(missing))},
            code="unknown_role",
            field="role_codes",
        )
    wants_staff = kind == UserKind.STAFF
    if any(r.is_staff_role != wants_staff for r in roles):
        raise ValidationFailed(
            _("Staff users take staff roles; portal users take portal roles."),
            code="role_kind_mismatch",
            field="role_codes",
        )
    return roles


def _teams_for(team_codes: Iterable[str]) -> list[Team]:
    codes = sorted(set(team_codes))
    teams = list(Team.objects.filter(code__in=codes))
    missing = set(codes) - {t.code for t in teams}
    if missing:
        raise ValidationFailed(
            _("Unknown team: %(codes)s.") % {"codes": ", ".join(sorted(missing))},
            code="unknown_team",
            field="team_codes",
        )
    return teams


def _validate_superior(superior_id: int | None, *, user: User | None) -> User | None:
    if superior_id is None:
        return None
    superior = User.objects.filter(pk=superior_id).first()
    if superior is None or superior.kind != UserKind.STAFF or not superior.is_active:
        raise ValidationFailed(
            _("The superior must be an active staff user."), code="invalid_superior", field="superior_id"
        )
    if user is not None:
        # Walk up from the proposed superior: meeting ``user`` means a reporting cycle.
        seen: set[int] = set()
        current: User | None = superior
        while current is not None and current.pk not in seen:
            if current.pk == user.pk:
                raise ValidationFailed(
                    _("A user cannot report to themselves, directly or through others."),
                    code="superior_cycle",
                    field="superior_id",
                )
            seen.add(current.pk)
            current = current.superior
    return superior


def _user_manager_role_ids(*, role_override: tuple[int, list[str]] | None = None) -> set[int]:
    ids = set()
    for role_id, perms in Role.objects.values_list("id", "permissions"):
        if role_override is not None and role_id == role_override[0]:
            perms = role_override[1]
        if Perm.USER_MANAGE.value in (perms or []):
            ids.add(role_id)
    return ids


def _ensure_user_managers_remain(
    *, exclude_user_id: int | None = None, role_override: tuple[int, list[str]] | None = None
) -> None:
    """Refuse a change that would leave no active staff user able to manage users (lock-out)."""
    role_ids = _user_manager_role_ids(role_override=role_override)
    remaining = User.objects.filter(is_active=True, kind=UserKind.STAFF, roles__id__in=role_ids)
    if exclude_user_id is not None:
        remaining = remaining.exclude(pk=exclude_user_id)
    if not remaining.exists():
        raise Conflict(
            _("At least one active user must keep the permission to manage users."), code="last_user_manager"
        )


# --------------------------------------------------------------------------- users


def _user_create_checked(
    *,
    actor: Any,
    username: str,
    kind: str,
    password: str,
    display_name: str,
    email: str,
    phone: str,
    role_codes: Iterable[str],
    superior_id: int | None,
    team_codes: Iterable[str],
) -> User:
    if kind not in UserKind.values:
        raise ValidationFailed(_("Unknown kind of user."), code="invalid_kind", field="kind")
    username = _validate_username(username)
    display_name = _validate_text(display_name, field="display_name", max_length=100)
    email = _validate_email(email)
    phone = _validate_text(phone, field="phone", max_length=40)
    roles = _roles_for(kind, role_codes)
    teams = _teams_for(team_codes)
    if kind != UserKind.STAFF and (teams or superior_id is not None):
        raise ValidationFailed(
            _("Only staff users belong to teams or have a superior."), code="staff_only", field="team_codes"
        )
    superior = _validate_superior(superior_id, user=None)
    user = User(
        username=username, kind=kind, display_name=display_name, email=email, phone=phone, superior=superior
    )
    _validate_password(password, user=user)
    # Validated: now write.
    user.set_password(password)
    user.save()
    user.roles.set(roles)
    for team in teams:
        team.members.add(user)
    audit_record(
        actor=actor,
        action="user.create",
        target=user,
        changes={"kind": kind, "roles": [r.code for r in roles], "teams": [t.code for t in teams]},
    )
    return user


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    kind: str = UserKind.STAFF,
    password: str,
    display_name: str = "",
    email: str = "",
    phone: str = "",
    role_codes: Iterable[str] = (),
    superior_id: int | None = None,
    team_codes: Iterable[str] = (),
) -> User:
    """Create a staff or portal user with roles (and, for staff, teams and a superior).

    A portal user created without roles gets the built-in ``portal`` role.
    """
    _require_user_manager(actor)
    if kind == UserKind.CUSTOMER and not list(role_codes):
        role_codes = [PORTAL_ROLE_CODE]
    return _user_create_checked(
        actor=actor,
        username=username,
        kind=kind,
        password=password,
        display_name=display_name,
        email=email,
        phone=phone,
        role_codes=role_codes,
        superior_id=superior_id,
        team_codes=team_codes,
    )


@transaction.atomic
def portal_user_create(
    *, actor: Any, username: str, password: str, display_name: str = "", email: str = "", phone: str = ""
) -> User:
    """Create a customer's portal login with the ``portal`` role.

    Allowed to user administrators and to whoever manages customers, because portal logins are
    created from a customer's contact (customers.services links them).
    """
    if not (can_manage_users(user=actor) or has_perm(user=actor, perm=Perm.CUSTOMER_MANAGE)):
        raise PermissionDenied(_("You may not create portal logins."))
    return _user_create_checked(
        actor=actor,
        username=username,
        kind=UserKind.CUSTOMER,
        password=password,
        display_name=display_name,
        email=email,
        phone=phone,
        role_codes=[PORTAL_ROLE_CODE],
        superior_id=None,
        team_codes=(),
    )


class UserChanges(TypedDict, total=False):
    """Fields :func:`user_update` may change; absent keys stay as they are."""

    display_name: str
    email: str
    phone: str
    time_zone: str
    language: str
    superior_id: int | None
    role_codes: list[str]
    team_codes: list[str]


@transaction.atomic
def user_update(*, actor: Any, user_id: int, changes: UserChanges) -> User:
    """Change a user's profile (self or administrator) and roles, teams, superior (administrator)."""
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("User not found."))
    if not can_edit_profile(actor=actor, target=user):
        raise PermissionDenied(_("You may not change this user."))
    if set(changes) - PROFILE_FIELDS:
        _require_user_manager(actor)

    values: dict[str, Any] = {}
    if "display_name" in changes:
        values["display_name"] = _validate_text(changes["display_name"], field="display_name", max_length=100)
    if "email" in changes:
        values["email"] = _validate_email(changes["email"])
    if "phone" in changes:
        values["phone"] = _validate_text(changes["phone"], field="phone", max_length=40)
    if "time_zone" in changes:
        values["time_zone"] = _validate_time_zone(changes["time_zone"])
    if "language" in changes:
        values["language"] = _validate_language(changes["language"])
    is_staff = user.kind == UserKind.STAFF
    if "superior_id" in changes:
        if not is_staff and changes["superior_id"] is not None:
            raise ValidationFailed(
                _("Only staff users have a superior."), code="staff_only", field="superior_id"
            )
        values["superior"] = _validate_superior(changes["superior_id"], user=user)
    roles = _roles_for(user.kind, changes["role_codes"]) if "role_codes" in changes else None
    teams = _teams_for(changes["team_codes"]) if "team_codes" in changes else None
    if teams and not is_staff:
        raise ValidationFailed(_("Only staff users belong to teams."), code="staff_only", field="team_codes")
    if roles is not None and user.is_active:
        keeps_manage = any(Perm.USER_MANAGE.value in (r.permissions or []) for r in roles)
        if not keeps_manage:
            _ensure_user_managers_remain(exclude_user_id=user.pk)

    for name, value in values.items():
        setattr(user, name, value)
    if values:
        user.save(update_fields=list(values))
    if roles is not None:
        user.roles.set(roles)
    if teams is not None:
        user.teams.set(teams)
    audit_record(actor=actor, action="user.update", target=user, changes=dict(changes))
    return user


@transaction.atomic
def user_set_active(*, actor: Any, user_id: int, is_active: bool) -> User:
    """Deactivate (sign-in and tokens stop working) or reactivate a user. Nobody deactivates themselves."""
    _require_user_manager(actor)
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("User not found."))
    if not is_active and user.pk == actor.pk:
        raise Conflict(_("You cannot deactivate your own account."), code="cannot_deactivate_self")
    if user.is_active == is_active:
        raise Conflict(
            _("This user is already active.") if is_active else _("This user is already deactivated."),
            code="no_change",
        )
    if not is_active:
        _ensure_user_managers_remain(exclude_user_id=user.pk)
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    audit_record(actor=actor, action="user.activate" if is_active else "user.deactivate", target=user)
    return user


@transaction.atomic
def user_set_password(*, actor: Any, user_id: int, password: str) -> User:
    """Reset a user's password (administrator). Clears the user's failed sign-ins."""
    _require_user_manager(actor)
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("User not found."))
    _validate_password(password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    LoginFailure.objects.filter(username=_normalise_username(user.username)).delete()
    audit_record(actor=actor, action="user.set_password", target=user)
    return user


@transaction.atomic
def user_change_own_password(*, actor: Any, current_password: str, new_password: str) -> User:
    """A signed-in user changes their own password; the current one must be given first."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."), code="not_authenticated")
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.check_password(current_password or ""):
        raise ValidationFailed(
            _("Your current password is not correct."), code="wrong_password", field="current_password"
        )
    try:
        _validate_password(new_password, user=user)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.detail, code=exc.code, field="new_password") from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action="user.change_own_password", target=user)
    return user


# --------------------------------------------------------------------------- roles


def _validate_permissions(permissions: Iterable[str], *, is_staff_role: bool) -> list[str]:
    perms = sorted(set(permissions))
    unknown = set(perms) - ALL_PERMS
    if unknown:
        raise ValidationFailed(
            _("Unknown permission: %(codes)s.") % {"codes": ", ".join(sorted(unknown))},
            code="unknown_permission",
            field="permissions",
        )
    if not is_staff_role and set(perms) - PORTAL_SAFE_PERMS:
        raise ValidationFailed(
            _("Portal roles may only grant what the built-in portal role grants."),
            code="permission_not_for_portal",
            field="permissions",
        )
    return perms


def _validate_role_code(code: str, *, exclude_pk: int | None = None) -> str:
    value = (code or "").strip()
    return validate_unique_code(value=value, taken=Role.objects.filter(code=value), exclude_pk=exclude_pk)


@transaction.atomic
def role_create(
    *,
    actor: Any,
    code: str,
    name: str,
    description: str = "",
    permissions: Iterable[str] = (),
    is_staff_role: bool = True,
) -> Role:
    """Create a custom role granting ``permissions`` (codes of ``accounts.choices.Perm``)."""
    _require_user_manager(actor)
    code = _validate_role_code(code)
    name = _validate_text(name, field="name", max_length=100, required=True)
    perms = _validate_permissions(permissions, is_staff_role=is_staff_role)
    role = Role.objects.create(
        code=code,
        name=name,
        description=(description or "").strip(),
        permissions=perms,
        is_staff_role=is_staff_role,
        is_builtin=False,
    )
    audit_record(actor=actor, action="role.create", target=role, changes={"permissions": perms})
    return role


class RoleChanges(TypedDict, total=False):
    """Fields :func:`role_update` may change. A built-in role keeps its code and kind."""

    code: str
    name: str
    description: str
    permissions: list[str]
    is_staff_role: bool


@transaction.atomic
def role_update(*, actor: Any, role_id: int, changes: RoleChanges) -> Role:
    """Edit a role. Built-in roles keep their code and staff/portal kind (other code refers to them)."""
    _require_user_manager(actor)
    role = Role.objects.select_for_update().filter(pk=role_id).first()
    if role is None:
        raise NotFound(_("Role not found."))
    values: dict[str, Any] = {}
    if "code" in changes and changes["code"] != role.code:
        if role.is_builtin:
            raise ValidationFailed(
                _("The code of a built-in role cannot be changed."), code="builtin_role_code", field="code"
            )
        values["code"] = _validate_role_code(changes["code"], exclude_pk=role.pk)
    is_staff_role = role.is_staff_role
    if "is_staff_role" in changes and changes["is_staff_role"] != role.is_staff_role:
        if role.is_builtin:
            raise ValidationFailed(
                _("A built-in role cannot change between staff and portal."),
                code="builtin_role_kind",
                field="is_staff_role",
            )
        if role.users.exists():
            raise ValidationFailed(
                _("A role held by users cannot change between staff and portal."),
                code="role_in_use",
                field="is_staff_role",
            )
        is_staff_role = values["is_staff_role"] = bool(changes["is_staff_role"])
    if "name" in changes:
        values["name"] = _validate_text(changes["name"], field="name", max_length=100, required=True)
    if "description" in changes:
        values["description"] = (changes["description"] or "").strip()
    if "permissions" in changes or "is_staff_role" in values:
        perms = _validate_permissions(
            changes.get("permissions", role.permissions), is_staff_role=is_staff_role
        )
        if Perm.USER_MANAGE.value in (role.permissions or []) and Perm.USER_MANAGE.value not in perms:
            _ensure_user_managers_remain(role_override=(role.pk, perms))
        values["permissions"] = perms
    for name, value in values.items():
        setattr(role, name, value)
    if values:
        role.save(update_fields=list(values))
    audit_record(actor=actor, action="role.update", target=role, changes=dict(changes))
    return role


# --------------------------------------------------------------------------- teams


def _validate_team_code(code: str, *, exclude_pk: int | None = None) -> str:
    value = (code or "").strip()
    return validate_unique_code(value=value, taken=Team.objects.filter(code=value), exclude_pk=exclude_pk)


def _staff_users(user_ids: Iterable[int], *, field: str) -> list[User]:
    ids = sorted(set(user_ids))
    users = list(User.objects.filter(pk__in=ids, kind=UserKind.STAFF, is_active=True))
    if len(users) != len(ids):
        raise ValidationFailed(
            _("Team members must be active staff users."), code="invalid_member", field=field
        )
    return users


def _team_lead(lead_id: int | None) -> User | None:
    if lead_id is None:
        return None
    lead = User.objects.filter(pk=lead_id, kind=UserKind.STAFF, is_active=True).first()
    if lead is None:
        raise ValidationFailed(
            _("The lead must be an active staff user."), code="invalid_lead", field="lead_id"
        )
    return lead


@transaction.atomic
def team_create(
    *,
    actor: Any,
    code: str,
    name: str,
    description: str = "",
    lead_id: int | None = None,
    member_ids: Iterable[int] = (),
) -> Team:
    """Create a team. The lead is always a member."""
    _require_user_manager(actor)
    code = _validate_team_code(code)
    name = _validate_text(name, field="name", max_length=100, required=True)
    lead = _team_lead(lead_id)
    members = _staff_users([*member_ids, *([lead.pk] if lead else [])], field="member_ids")
    team = Team.objects.create(code=code, name=name, description=(description or "").strip(), lead=lead)
    team.members.set(members)
    audit_record(
        actor=actor,
        action="team.create",
        target=team,
        changes={"lead": lead_id, "members": [m.pk for m in members]},
    )
    return team


class TeamChanges(TypedDict, total=False):
    """Fields :func:`team_update` may change."""

    code: str
    name: str
    description: str
    lead_id: int | None
    member_ids: list[int]
    is_active: bool


@transaction.atomic
def team_update(*, actor: Any, team_id: int, changes: TeamChanges) -> Team:
    """Edit a team; the lead is kept among the members."""
    _require_user_manager(actor)
    team = Team.objects.select_for_update().filter(pk=team_id).first()
    if team is None:
        raise NotFound(_("Team not found."))
    values: dict[str, Any] = {}
    if "code" in changes:
        values["code"] = _validate_team_code(changes["code"], exclude_pk=team.pk)
    if "name" in changes:
        values["name"] = _validate_text(changes["name"], field="name", max_length=100, required=True)
    if "description" in changes:
        values["description"] = (changes["description"] or "").strip()
    if "is_active" in changes:
        values["is_active"] = bool(changes["is_active"])
    lead = _team_lead(changes["lead_id"]) if "lead_id" in changes else team.lead
    if "lead_id" in changes:
        values["lead"] = lead
    members: list[User] | None = None
    if "member_ids" in changes:
        members = _staff_users([*changes["member_ids"], *([lead.pk] if lead else [])], field="member_ids")
    elif lead is not None and "lead_id" in changes:
        members = [*team.members.all(), lead]
    for name, value in values.items():
        setattr(team, name, value)
    if values:
        team.save(update_fields=list(values))
    if members is not None:
        team.members.set(members)
    audit_record(actor=actor, action="team.update", target=team, changes=dict(changes))
    return team
