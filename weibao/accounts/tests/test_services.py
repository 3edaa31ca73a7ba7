"""accounts.services: every rule, and refusals change nothing."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.utils import timezone

from weibao.accounts import services
from weibao.accounts.choices import Perm, UserKind
from weibao.accounts.models import ApiToken, AuditEvent, LoginFailure, Role, Team, User
from weibao.accounts.tests.factories import TeamFactory, UserFactory, staff_user
from weibao.core.errors import Conflict, NotFound, PermissionDenied, Throttled, ValidationFailed

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Weibao-123"
STRONG = "Str0ng-Passw0rd-维保"


@pytest.fixture
def admin() -> User:
    return staff_user(role_codes=["admin"], username="root")


@pytest.fixture
def agent() -> User:
    return staff_user(role_codes=["agent"], username="agent")


# --------------------------------------------------------------------------- sign-in


class TestLogin:
    def test_success_returns_user(self, agent: User) -> None:
        user = services.login_authenticate(
            request=None, username="agent", password=PASSWORD, ip_address="10.0.0.1"
        )
        assert user == agent

    def test_failure_is_recorded(self, agent: User) -> None:
        with pytest.raises(ValidationFailed) as exc:
            services.login_authenticate(
                request=None, username="Agent", password="wrong", ip_address="10.0.0.1"
            )
        assert exc.value.code == "invalid_credentials"
        row = LoginFailure.objects.get()
        assert (row.username, row.ip_address) == ("agent", "10.0.0.1")

    def test_limit_failures_lock_even_the_right_password(self, agent: User, settings) -> None:
        settings.LOGIN_FAILURE_LIMIT = 5
        for _ in range(5):
            with pytest.raises(ValidationFailed):
                services.login_authenticate(
                    request=None, username="agent", password="x", ip_address="10.0.0.1"
                )
        with pytest.raises(Throttled) as exc:
            services.login_authenticate(
                request=None, username="agent", password=PASSWORD, ip_address="10.0.0.9"
            )
        assert exc.value.status == 429
        assert exc.value.code == "login_locked"
        # The locked attempt is not even counted: the password was never checked.
        assert LoginFailure.objects.count() == 5

    def test_four_failures_then_success_clears(self, agent: User) -> None:
        for _ in range(4):
            with pytest.raises(ValidationFailed):
                services.login_authenticate(
                    request=None, username="agent", password="x", ip_address="10.0.0.1"
                )
        services.login_authenticate(request=None, username="agent", password=PASSWORD, ip_address="10.0.0.1")
        assert not LoginFailure.objects.filter(username="agent").exists()

    def test_lock_per_address_across_usernames(self, agent: User) -> None:
        for i in range(5):
            with pytest.raises(ValidationFailed):
                services.login_authenticate(
                    request=None, username=f"guess{i}", password="x", ip_address="10.0.0.66"
                )
        with pytest.raises(Throttled):
            services.login_authenticate(
                request=None, username="agent", password=PASSWORD, ip_address="10.0.0.66"
            )
        # From another address the account itself is not locked.
        services.login_authenticate(request=None, username="agent", password=PASSWORD, ip_address="10.0.0.2")

    def test_lock_expires_after_the_window(self, agent: User, settings) -> None:
        for _ in range(5):
            LoginFailure.objects.create(username="agent", ip_address="10.0.0.1")
        with pytest.raises(Throttled):
            services.login_attempt_check(username="agent", ip_address=None)
        LoginFailure.objects.update(
            at=timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
        )
        services.login_attempt_check(username="agent", ip_address="10.0.0.1")

    def test_inactive_user_cannot_sign_in(self, agent: User) -> None:
        User.objects.filter(pk=agent.pk).update(is_active=False)
        with pytest.raises(ValidationFailed):
            services.login_authenticate(request=None, username="agent", password=PASSWORD, ip_address=None)

    def test_argon2_is_used_for_real_passwords(self, settings) -> None:
        settings.PASSWORD_HASHERS = [
            "django.contrib.auth.hashers.Argon2PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ]
        user = User(username="argon", kind=UserKind.STAFF)
        user.set_password(STRONG)
        user.save()
        user.refresh_from_db()
        assert user.password.startswith("argon2$argon2id$")
        assert check_password(STRONG, user.password)
        assert (
            services.login_authenticate(request=None, username="argon", password=STRONG, ip_address=None)
            == user
        )


# --------------------------------------------------------------------------- tokens


class TestApiTokens:
    def test_create_stores_only_the_hash(self, agent: User) -> None:
        token, raw = services.api_token_create(actor=agent, name="monitoring")
        assert raw.startswith("wb_")
        assert len(raw) > 40
        assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
        assert token.prefix == raw[:12]
        assert raw not in {token.key_hash, token.prefix, token.name}
        assert token.user == agent
        assert AuditEvent.objects.filter(action="api_token.create", target_id=str(token.pk)).exists()

    def test_tokens_are_unique(self, agent: User) -> None:
        raws = {services.api_token_create(actor=agent, name=f"t{i}")[1] for i in range(5)}
        assert len(raws) == 5

    @pytest.mark.parametrize("name", ["", "   ", "x" * 101])
    def test_bad_name_changes_nothing(self, agent: User, name: str) -> None:
        with pytest.raises(ValidationFailed) as exc:
            services.api_token_create(actor=agent, name=name)
        assert exc.value.field == "name"
        assert not ApiToken.objects.exists()

    def test_only_admin_creates_for_someone_else(self, agent: User, admin: User) -> None:
        other = staff_user(role_codes=["support_engineer"])
        with pytest.raises(PermissionDenied):
            services.api_token_create(actor=agent, name="x", user_id=other.pk)
        assert not ApiToken.objects.exists()
        token, _raw = services.api_token_create(actor=admin, name="x", user_id=other.pk)
        assert token.user == other

    def test_anonymous_cannot_create(self) -> None:
        from django.contrib.auth.models import AnonymousUser

        with pytest.raises(PermissionDenied):
            services.api_token_create(actor=AnonymousUser(), name="x")

    def test_revoke_own(self, agent: User) -> None:
        token, _raw = services.api_token_create(actor=agent, name="x")
        services.api_token_revoke(actor=agent, token_id=token.pk)
        token.refresh_from_db()
        assert token.revoked_at is not None

    def test_revoke_twice_conflicts(self, agent: User) -> None:
        token, _raw = services.api_token_create(actor=agent, name="x")
        services.api_token_revoke(actor=agent, token_id=token.pk)
        revoked_at = ApiToken.objects.get().revoked_at
        with pytest.raises(Conflict):
            services.api_token_revoke(actor=agent, token_id=token.pk)
        assert ApiToken.objects.get().revoked_at == revoked_at

    def test_someone_elses_token_is_not_found(self, agent: User, admin: User) -> None:
        other = staff_user(role_codes=["agent"])
        token, _raw = services.api_token_create(actor=other, name="x")
        with pytest.raises(NotFound):
            services.api_token_revoke(actor=agent, token_id=token.pk)
        assert ApiToken.objects.get().revoked_at is None
        services.api_token_revoke(actor=admin, token_id=token.pk)
        assert ApiToken.objects.get().revoked_at is not None


# --------------------------------------------------------------------------- users


class TestUserCreate:
    def test_creates_staff_with_roles_teams_superior(self, admin: User) -> None:
        team = TeamFactory.create(code="ops")
        boss = staff_user(role_codes=["service_manager"])
        user = services.user_create(
            actor=admin,
            username="zhang.san",
            password=STRONG,
            display_name="张三",
            email="zs@example.com",
            role_codes=["support_engineer"],
            team_codes=["ops"],
            superior_id=boss.pk,
        )
        assert user.kind == UserKind.STAFF
        assert [r.code for r in user.roles.all()] == ["support_engineer"]
        assert list(team.members.all()) == [user]
        assert user.superior == boss
        assert user.check_password(STRONG)
        assert AuditEvent.objects.filter(action="user.create", target_id=str(user.pk), actor=admin).exists()

    def test_needs_user_manage(self, agent: User) -> None:
        before = User.objects.count()
        with pytest.raises(PermissionDenied):
            services.user_create(actor=agent, username="x", password=STRONG)
        assert User.objects.count() == before

    @pytest.mark.parametrize(
        ("kwargs", "field", "code"),
        [
            ({"username": ""}, "username", "required"),
            ({"username": "bad name!"}, "username", "invalid_username"),
            ({"username": "ROOT"}, "username", "username_taken"),
            ({"password": "123"}, "password", "weak_password"),
            ({"password": ""}, "password", "required"),
            ({"email": "nope"}, "email", "invalid_email"),
            ({"kind": "robot"}, "kind", "invalid_kind"),
            ({"role_codes": ["nope"]}, "role_codes", "unknown_role"),
            ({"role_codes": ["portal"]}, "role_codes", "role_kind_mismatch"),
            ({"team_codes": ["nope"]}, "team_codes", "unknown_team"),
            ({"superior_id": 999999}, "superior_id", "invalid_superior"),
            ({"kind": UserKind.CUSTOMER, "role_codes": ["agent"]}, "role_codes", "role_kind_mismatch"),
        ],
    )
    def test_validation_changes_nothing(self, admin: User, kwargs: dict, field: str, code: str) -> None:
        before = User.objects.count()
        args = {"username": "newbie", "password": STRONG, **kwargs}
        with pytest.raises(ValidationFailed) as exc:
            services.user_create(actor=admin, **args)
        assert (exc.value.field, exc.value.code) == (field, code)
        assert User.objects.count() == before
        assert not AuditEvent.objects.exists()

    def test_portal_user_needs_no_staff_things(self, admin: User) -> None:
        TeamFactory.create(code="ops")
        with pytest.raises(ValidationFailed):
            services.user_create(
                actor=admin, username="p", password=STRONG, kind=UserKind.CUSTOMER, team_codes=["ops"]
            )
        user = services.user_create(
            actor=admin, username="p", password=STRONG, kind=UserKind.CUSTOMER, role_codes=["portal"]
        )
        assert user.is_portal

    def test_portal_user_defaults_to_portal_role(self, admin: User) -> None:
        user = services.user_create(actor=admin, username="p2", password=STRONG, kind=UserKind.CUSTOMER)
        assert [r.code for r in user.roles.all()] == ["portal"]

    @pytest.mark.parametrize("role", ["project_manager", "service_manager", "admin"])
    def test_portal_login_allowed_to_customer_managers(self, role: str) -> None:
        actor = staff_user(role_codes=[role])
        user = services.portal_user_create(actor=actor, username="portal1", password=STRONG)
        assert user.kind == UserKind.CUSTOMER
        assert [r.code for r in user.roles.all()] == ["portal"]

    @pytest.mark.parametrize("role", ["agent", "support_engineer", "finance"])
    def test_portal_login_refused_to_others(self, role: str) -> None:
        actor = staff_user(role_codes=[role])
        with pytest.raises(PermissionDenied):
            services.portal_user_create(actor=actor, username="portal1", password=STRONG)
        assert not User.objects.filter(username="portal1").exists()


class TestUserUpdate:
    def test_anyone_edits_own_profile(self, agent: User) -> None:
        services.user_update(
            actor=agent, user_id=agent.pk, changes={"display_name": "新名字", "time_zone": "Asia/Urumqi"}
        )
        agent.refresh_from_db()
        assert (agent.display_name, agent.time_zone) == ("新名字", "Asia/Urumqi")

    def test_own_roles_need_user_manage(self, agent: User) -> None:
        with pytest.raises(PermissionDenied):
            services.user_update(actor=agent, user_id=agent.pk, changes={"role_codes": ["admin"]})
        assert [r.code for r in agent.roles.all()] == ["agent"]

    def test_others_profile_needs_user_manage(self, agent: User) -> None:
        other = staff_user(role_codes=["agent"], display_name="old")
        with pytest.raises(PermissionDenied):
            services.user_update(actor=agent, user_id=other.pk, changes={"display_name": "hacked"})
        other.refresh_from_db()
        assert other.display_name == "old"

    def test_admin_sets_roles_teams_superior(self, admin: User, agent: User) -> None:
        TeamFactory.create(code="desk")
        services.user_update(
            actor=admin,
            user_id=agent.pk,
            changes={"role_codes": ["agent", "finance"], "team_codes": ["desk"], "superior_id": admin.pk},
        )
        agent.refresh_from_db()
        assert sorted(r.code for r in agent.roles.all()) == ["agent", "finance"]
        assert [t.code for t in agent.teams.all()] == ["desk"]
        assert agent.superior == admin

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"time_zone": "Mars/Base"}, "time_zone"),
            ({"language": "xx"}, "language"),
            ({"email": "nope"}, "email"),
            ({"display_name": "x" * 101}, "display_name"),
        ],
    )
    def test_validation_changes_nothing(self, admin: User, agent: User, changes: dict, field: str) -> None:
        before = User.objects.values().get(pk=agent.pk)
        with pytest.raises(ValidationFailed) as exc:
            services.user_update(actor=admin, user_id=agent.pk, changes={"phone": "123", **changes})
        assert exc.value.field == field
        assert User.objects.values().get(pk=agent.pk) == before

    def test_superior_cycle_refused(self, admin: User) -> None:
        a = staff_user(role_codes=["agent"])
        b = staff_user(role_codes=["agent"], superior=a)
        c = staff_user(role_codes=["agent"], superior=b)
        with pytest.raises(ValidationFailed) as exc:
            services.user_update(actor=admin, user_id=a.pk, changes={"superior_id": c.pk})
        assert exc.value.code == "superior_cycle"
        with pytest.raises(ValidationFailed):
            services.user_update(actor=admin, user_id=a.pk, changes={"superior_id": a.pk})
        a.refresh_from_db()
        assert a.superior is None

    def test_portal_user_has_no_superior(self, admin: User) -> None:
        portal = UserFactory.create(kind=UserKind.CUSTOMER)
        with pytest.raises(ValidationFailed):
            services.user_update(actor=admin, user_id=portal.pk, changes={"superior_id": admin.pk})

    def test_last_user_manager_keeps_the_role(self, admin: User) -> None:
        with pytest.raises(Conflict) as exc:
            services.user_update(actor=admin, user_id=admin.pk, changes={"role_codes": ["agent"]})
        assert exc.value.code == "last_user_manager"
        assert [r.code for r in admin.roles.all()] == ["admin"]
        staff_user(role_codes=["admin"])
        services.user_update(actor=admin, user_id=admin.pk, changes={"role_codes": ["agent"]})

    def test_unknown_user(self, admin: User) -> None:
        with pytest.raises(NotFound):
            services.user_update(actor=admin, user_id=999999, changes={"display_name": "x"})


class TestUserActiveAndPassword:
    def test_deactivate_and_reactivate(self, admin: User, agent: User) -> None:
        services.user_set_active(actor=admin, user_id=agent.pk, is_active=False)
        agent.refresh_from_db()
        assert not agent.is_active
        with pytest.raises(Conflict):
            services.user_set_active(actor=admin, user_id=agent.pk, is_active=False)
        services.user_set_active(actor=admin, user_id=agent.pk, is_active=True)
        agent.refresh_from_db()
        assert agent.is_active

    def test_nobody_deactivates_themselves(self, admin: User) -> None:
        with pytest.raises(Conflict) as exc:
            services.user_set_active(actor=admin, user_id=admin.pk, is_active=False)
        assert exc.value.code == "cannot_deactivate_self"
        admin.refresh_from_db()
        assert admin.is_active

    def test_deactivate_needs_user_manage(self, agent: User) -> None:
        other = staff_user(role_codes=["agent"])
        with pytest.raises(PermissionDenied):
            services.user_set_active(actor=agent, user_id=other.pk, is_active=False)
        other.refresh_from_db()
        assert other.is_active

    def test_reset_password(self, admin: User, agent: User) -> None:
        LoginFailure.objects.create(username="agent", ip_address=None)
        services.user_set_password(actor=admin, user_id=agent.pk, password=STRONG)
        agent.refresh_from_db()
        assert agent.check_password(STRONG)
        assert not LoginFailure.objects.exists()

    def test_weak_password_changes_nothing(self, admin: User, agent: User) -> None:
        with pytest.raises(ValidationFailed) as exc:
            services.user_set_password(actor=admin, user_id=agent.pk, password="agent")
        assert exc.value.field == "password"
        agent.refresh_from_db()
        assert agent.check_password(PASSWORD)


# --------------------------------------------------------------------------- roles


class TestRoles:
    def test_create_custom_role(self, admin: User) -> None:
        role = services.role_create(
            actor=admin, code="auditor", name="审计", permissions=[Perm.TICKET_VIEW_ALL, Perm.CUSTOMER_VIEW]
        )
        assert role.permissions == sorted([Perm.TICKET_VIEW_ALL.value, Perm.CUSTOMER_VIEW.value])
        assert not role.is_builtin

    @pytest.mark.parametrize(
        ("kwargs", "field", "code"),
        [
            ({"code": "agent"}, "code", "code_taken"),
            ({"code": "has space"}, "code", "invalid_code"),
            ({"name": ""}, "name", "required"),
            ({"permissions": ["ticket.fly"]}, "permissions", "unknown_permission"),
            (
                {"is_staff_role": False, "permissions": [Perm.TICKET_VIEW_ALL]},
                "permissions",
                "permission_not_for_portal",
            ),
        ],
    )
    def test_create_validation_changes_nothing(
        self, admin: User, kwargs: dict, field: str, code: str
    ) -> None:
        before = Role.objects.count()
        with pytest.raises(ValidationFailed) as exc:
            services.role_create(actor=admin, **{"code": "newrole", "name": "New", **kwargs})
        assert (exc.value.field, exc.value.code) == (field, code)
        assert Role.objects.count() == before

    def test_builtin_role_keeps_code_and_kind(self, admin: User) -> None:
        role = Role.objects.get(code="agent")
        with pytest.raises(ValidationFailed) as exc:
            services.role_update(actor=admin, role_id=role.pk, changes={"code": "desk"})
        assert exc.value.code == "builtin_role_code"
        with pytest.raises(ValidationFailed) as exc:
            services.role_update(actor=admin, role_id=role.pk, changes={"is_staff_role": False})
        assert exc.value.code == "builtin_role_kind"
        role.refresh_from_db()
        assert (role.code, role.is_staff_role) == ("agent", True)

    def test_builtin_role_name_and_permissions_editable(self, admin: User) -> None:
        role = Role.objects.get(code="finance")
        services.role_update(
            actor=admin,
            role_id=role.pk,
            changes={"code": "finance", "name": "财务", "permissions": [Perm.CUSTOMER_VIEW]},
        )
        role.refresh_from_db()
        assert (role.name, role.permissions) == ("财务", [Perm.CUSTOMER_VIEW.value])

    def test_cannot_remove_the_last_user_manage(self, admin: User) -> None:
        role = Role.objects.get(code="admin")
        perms = [p for p in role.permissions if p != Perm.USER_MANAGE]
        with pytest.raises(Conflict):
            services.role_update(actor=admin, role_id=role.pk, changes={"permissions": perms})
        role.refresh_from_db()
        assert Perm.USER_MANAGE.value in role.permissions

    def test_portal_role_cannot_gain_staff_permissions(self, admin: User) -> None:
        role = Role.objects.get(code="portal")
        with pytest.raises(ValidationFailed):
            services.role_update(actor=admin, role_id=role.pk, changes={"permissions": [Perm.USER_MANAGE]})
        role.refresh_from_db()
        assert Perm.USER_MANAGE.value not in role.permissions

    def test_needs_user_manage(self, agent: User) -> None:
        role = Role.objects.get(code="agent")
        with pytest.raises(PermissionDenied):
            services.role_update(actor=agent, role_id=role.pk, changes={"permissions": list(Perm.values)})
        with pytest.raises(PermissionDenied):
            services.role_create(actor=agent, code="x", name="x")
        role.refresh_from_db()
        assert Perm.USER_MANAGE.value not in role.permissions


# --------------------------------------------------------------------------- teams


class TestTeams:
    def test_create_adds_lead_to_members(self, admin: User, agent: User) -> None:
        lead = staff_user(role_codes=["support_engineer"])
        team = services.team_create(
            actor=admin, code="ts", name="技术支持组", lead_id=lead.pk, member_ids=[agent.pk]
        )
        assert set(team.members.all()) == {lead, agent}
        assert team.lead == lead

    def test_members_must_be_active_staff(self, admin: User) -> None:
        portal = UserFactory.create(kind=UserKind.CUSTOMER)
        with pytest.raises(ValidationFailed) as exc:
            services.team_create(actor=admin, code="ts", name="x", member_ids=[portal.pk])
        assert exc.value.field == "member_ids"
        assert not Team.objects.exists()

    def test_code_unique(self, admin: User) -> None:
        TeamFactory.create(code="ops")
        with pytest.raises(ValidationFailed) as exc:
            services.team_create(actor=admin, code="ops", name="x")
        assert exc.value.code == "code_taken"

    def test_update_lead_and_members(self, admin: User, agent: User) -> None:
        team = TeamFactory.create(code="ops")
        lead = staff_user(role_codes=["ops_engineer"])
        services.team_update(
            actor=admin, team_id=team.pk, changes={"lead_id": lead.pk, "member_ids": [agent.pk]}
        )
        team.refresh_from_db()
        assert team.lead == lead
        assert set(team.members.all()) == {lead, agent}
        services.team_update(actor=admin, team_id=team.pk, changes={"is_active": False, "name": "停用"})
        team.refresh_from_db()
        assert (team.is_active, team.name) == (False, "停用")

    def test_update_invalid_lead_changes_nothing(self, admin: User) -> None:
        team = TeamFactory.create(code="ops", name="运维组")
        with pytest.raises(ValidationFailed):
            services.team_update(actor=admin, team_id=team.pk, changes={"name": "changed", "lead_id": 999999})
        team.refresh_from_db()
        assert team.name == "运维组"

    def test_needs_user_manage(self, agent: User) -> None:
        with pytest.raises(PermissionDenied):
            services.team_create(actor=agent, code="x", name="x")
        assert not Team.objects.exists()
