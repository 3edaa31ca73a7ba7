"""Permission matrix: every built-in role x every accounts action. Denial changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from weibao.accounts import permissions, services
from weibao.accounts.choices import BUILTIN_ROLES, Perm, UserKind
from weibao.accounts.models import ApiToken, AuditEvent, Role, Team, User
from weibao.accounts.tests.factories import TeamFactory, UserFactory, staff_user
from weibao.core.errors import NotFound, PermissionDenied

pytestmark = pytest.mark.django_db

STRONG = "Str0ng-Passw0rd-维保"


def actor_with(role_code: str) -> User:
    if BUILTIN_ROLES[role_code][2]:
        return staff_user(role_codes=[role_code])
    user = UserFactory.create(kind=UserKind.CUSTOMER)
    user.roles.set(Role.objects.filter(code=role_code))
    return user


def snapshot() -> tuple[Any, ...]:
    return (
        sorted(
            User.objects.values_list("id", "username", "is_active", "display_name", "password", "superior_id")
        ),
        sorted(User.roles.through.objects.values_list("user_id", "role_id")),
        sorted(Role.objects.values_list("id", "code", "name", "permissions")),
        sorted(Team.objects.values_list("id", "code", "name", "lead_id")),
        sorted(Team.members.through.objects.values_list("team_id", "user_id")),
        sorted(ApiToken.objects.values_list("id", "revoked_at")),
        AuditEvent.objects.count(),
    )


def _needs(perm: str) -> Callable[[set[str]], bool]:
    return lambda perms: perm in perms


def _needs_any(*perms_needed: str) -> Callable[[set[str]], bool]:
    return lambda perms: bool(perms & set(perms_needed))


def _no_setup(actor: User) -> Any:
    return None


def _target(actor: User) -> User:
    return staff_user(role_codes=["agent"], username="target", display_name="target")


def _their_token(actor: User) -> ApiToken:
    return services.api_token_create(actor=_target(actor), name="theirs")[0]


Setup = Callable[[User], Any]
Run = Callable[[User, Any], Any]

# action -> (who may: predicate on the role's permission codes, setup, the call under test)
ACTIONS: dict[str, tuple[Callable[[set[str]], bool], Setup, Run]] = {
    "user_create": (
        _needs(Perm.USER_MANAGE),
        _no_setup,
        lambda actor, _: services.user_create(
            actor=actor, username="fresh", password=STRONG, role_codes=["agent"]
        ),
    ),
    "portal_user_create": (
        _needs_any(Perm.USER_MANAGE, Perm.CUSTOMER_MANAGE),
        _no_setup,
        lambda actor, _: services.portal_user_create(actor=actor, username="fresh", password=STRONG),
    ),
    "user_update_roles": (
        _needs(Perm.USER_MANAGE),
        _target,
        lambda actor, target: services.user_update(
            actor=actor, user_id=target.pk, changes={"role_codes": ["support_engineer"]}
        ),
    ),
    "user_update_other_profile": (
        _needs(Perm.USER_MANAGE),
        _target,
        lambda actor, target: services.user_update(
            actor=actor, user_id=target.pk, changes={"display_name": "x"}
        ),
    ),
    "user_update_own_profile": (
        lambda perms: True,
        _no_setup,
        lambda actor, _: services.user_update(actor=actor, user_id=actor.pk, changes={"display_name": "me"}),
    ),
    "user_deactivate": (
        _needs(Perm.USER_MANAGE),
        _target,
        lambda actor, target: services.user_set_active(actor=actor, user_id=target.pk, is_active=False),
    ),
    "user_set_password": (
        _needs(Perm.USER_MANAGE),
        _target,
        lambda actor, target: services.user_set_password(actor=actor, user_id=target.pk, password=STRONG),
    ),
    "role_create": (
        _needs(Perm.USER_MANAGE),
        _no_setup,
        lambda actor, _: services.role_create(actor=actor, code="extra", name="Extra"),
    ),
    "role_update": (
        _needs(Perm.USER_MANAGE),
        lambda actor: Role.objects.get(code="finance"),
        lambda actor, role: services.role_update(actor=actor, role_id=role.pk, changes={"name": "renamed"}),
    ),
    "team_create": (
        _needs(Perm.USER_MANAGE),
        _no_setup,
        lambda actor, _: services.team_create(actor=actor, code="t1", name="T1"),
    ),
    "team_update": (
        _needs(Perm.USER_MANAGE),
        lambda actor: TeamFactory.create(),
        lambda actor, team: services.team_update(actor=actor, team_id=team.pk, changes={"name": "renamed"}),
    ),
    "token_create_own": (
        lambda perms: True,
        _no_setup,
        lambda actor, _: services.api_token_create(actor=actor, name="mine"),
    ),
    "token_revoke_other": (
        _needs(Perm.USER_MANAGE),
        _their_token,
        lambda actor, token: services.api_token_revoke(actor=actor, token_id=token.pk),
    ),
}
# Whatever a portal role grants, portal users only ever act on themselves here.
SELF_SERVICE = {"token_create_own", "user_update_own_profile"}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("role_code", sorted(BUILTIN_ROLES))
def test_matrix(role_code: str, action: str) -> None:
    allowed_for, setup, run = ACTIONS[action]
    is_staff_role = BUILTIN_ROLES[role_code][2]
    expected = allowed_for(set(BUILTIN_ROLES[role_code][1])) and (is_staff_role or action in SELF_SERVICE)
    actor = actor_with(role_code)
    context = setup(actor)
    before = snapshot()
    if expected:
        run(actor, context)
        assert snapshot() != before
    else:
        # Refusals raise PermissionDenied, or NotFound where even existence must not leak.
        with pytest.raises((PermissionDenied, NotFound)):
            run(actor, context)
        assert snapshot() == before


class TestPredicates:
    def test_anonymous_has_nothing(self) -> None:
        anon = AnonymousUser()
        assert permissions.user_perms(user=anon) == frozenset()
        assert not permissions.can_manage_users(user=anon)
        assert not permissions.can_view_directory(user=anon)
        assert not permissions.can_use_api_tokens(user=anon)
        assert not permissions.can_administer(user=anon)

    def test_inactive_user_has_nothing(self) -> None:
        user = staff_user(role_codes=["admin"], is_active=False)
        assert not permissions.can_manage_users(user=user)
        assert not permissions.can_use_api_tokens(user=user)

    @pytest.mark.parametrize("role_code", sorted(BUILTIN_ROLES))
    def test_administer_landing(self, role_code: str) -> None:
        perms = set(BUILTIN_ROLES[role_code][1])
        expected = BUILTIN_ROLES[role_code][2] and bool(perms & {Perm.USER_MANAGE, Perm.CONFIG_MANAGE})
        assert permissions.can_administer(user=actor_with(role_code)) == expected

    def test_edit_profile(self) -> None:
        a, b = staff_user(role_codes=["agent"]), staff_user(role_codes=["agent"])
        assert permissions.can_edit_profile(actor=a, target=a)
        assert not permissions.can_edit_profile(actor=a, target=b)
        assert permissions.can_edit_profile(actor=staff_user(role_codes=["admin"]), target=b)
