"""Pages: sign-in (with throttling), sign-out, API tokens, and the administration pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from weibao.accounts.choices import UserKind
from weibao.accounts.models import ApiToken, LoginFailure, Role, Team, User
from weibao.accounts.tests.factories import TeamFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Weibao-123"
STRONG = "Str0ng-Passw0rd-维保"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin() -> User:
    return staff_user(role_codes=["admin"], username="root")


@pytest.fixture
def agent() -> User:
    return staff_user(role_codes=["agent"], username="agent")


class TestLogin:
    def test_page_renders(self, client: Client) -> None:
        response = client.get(reverse("accounts:login"))
        assert response.status_code == 200
        assert b'name="username"' in response.content

    def test_success_signs_in_and_redirects(self, client: Client, agent: User) -> None:
        response = client.post(
            reverse("accounts:login"), {"username": "agent", "password": PASSWORD, "next": "/customers/"}
        )
        assert response.status_code == 302
        assert response["Location"] == "/customers/"
        assert client.session["_auth_user_id"] == str(agent.pk)

    def test_unsafe_next_is_ignored(self, client: Client, agent: User) -> None:
        response = client.post(
            reverse("accounts:login"),
            {"username": "agent", "password": PASSWORD, "next": "https://evil.example/"},
        )
        assert response["Location"] == reverse("core:home")

    def test_failure_shows_error(self, client: Client, agent: User) -> None:
        response = client.post(reverse("accounts:login"), {"username": "agent", "password": "wrong"})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        assert response.context["form"].non_field_errors()
        assert LoginFailure.objects.count() == 1

    def test_five_failures_lock_with_429(self, client: Client, agent: User) -> None:
        for _ in range(5):
            client.post(reverse("accounts:login"), {"username": "agent", "password": "wrong"})
        response = client.post(reverse("accounts:login"), {"username": "agent", "password": PASSWORD})
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
        assert "Too many failed sign-in attempts" in " ".join(response.context["form"].non_field_errors())

    def test_success_clears_failures(self, client: Client, agent: User) -> None:
        for _ in range(3):
            client.post(reverse("accounts:login"), {"username": "agent", "password": "wrong"})
        client.post(reverse("accounts:login"), {"username": "agent", "password": PASSWORD})
        assert not LoginFailure.objects.exists()

    def test_trusted_proxy_address(self, client: Client, agent: User, settings: Any) -> None:
        settings.LOGIN_TRUSTED_PROXY_COUNT = 1
        client.post(
            reverse("accounts:login"),
            {"username": "agent", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9",
        )
        assert LoginFailure.objects.get().ip_address == "203.0.113.9"

    def test_logout_is_post(self, agent: User) -> None:
        client = signed_in(agent)
        assert client.get(reverse("accounts:logout")).status_code == 405
        response = client.post(reverse("accounts:logout"))
        assert response.status_code == 302
        assert "_auth_user_id" not in client.session


class TestTokensPage:
    def test_anonymous_redirected_to_login(self, client: Client) -> None:
        response = client.get(reverse("accounts:tokens"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    def test_create_shows_token_once(self, agent: User) -> None:
        client = signed_in(agent)
        response = client.post(reverse("accounts:tokens"), {"name": "bridge"})
        assert response.status_code == 200
        raw = response.context["new_token"]
        assert raw.startswith("wb_")
        assert raw.encode() in response.content
        assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
        again = client.get(reverse("accounts:tokens"))
        assert raw.encode() not in again.content
        assert ApiToken.objects.get().prefix.encode() in again.content

    def test_empty_name_error_beside_field(self, agent: User) -> None:
        response = signed_in(agent).post(reverse("accounts:tokens"), {"name": "   "})
        assert response.context["form"].errors["name"]
        assert not ApiToken.objects.exists()

    def test_revoke(self, agent: User) -> None:
        client = signed_in(agent)
        client.post(reverse("accounts:tokens"), {"name": "bridge"})
        token = ApiToken.objects.get()
        response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
        assert response.status_code == 302
        token.refresh_from_db()
        assert token.revoked_at is not None

    def test_cannot_revoke_someone_elses(self, agent: User) -> None:
        other = staff_user(role_codes=["agent"])
        signed_in(other).post(reverse("accounts:tokens"), {"name": "theirs"})
        token = ApiToken.objects.get()
        assert signed_in(agent).post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None


ADMIN_PAGES: list[tuple[str, list[Any]]] = [
    ("accounts:manage_users", []),
    ("accounts:manage_user_create", []),
    ("accounts:manage_roles", []),
    ("accounts:manage_role_create", []),
    ("accounts:manage_teams", []),
    ("accounts:manage_team_create", []),
]


class TestAdministration:
    @pytest.mark.parametrize(("name", "args"), ADMIN_PAGES)
    def test_pages_render_for_admin(self, admin: User, name: str, args: list[Any]) -> None:
        assert signed_in(admin).get(reverse(name, args=args)).status_code == 200

    @pytest.mark.parametrize(("name", "args"), [*ADMIN_PAGES, ("accounts:manage_home", [])])
    @pytest.mark.parametrize("role", ["agent", "support_engineer", "project_manager", "finance"])
    def test_forbidden_without_user_manage(self, role: str, name: str, args: list[Any]) -> None:
        response = signed_in(staff_user(role_codes=[role])).get(reverse(name, args=args))
        assert response.status_code == 403
        assert "accounts/forbidden.html" in [t.name for t in response.templates]

    def test_portal_user_forbidden(self) -> None:
        user = UserFactory.create(kind=UserKind.CUSTOMER)
        assert signed_in(user).get(reverse("accounts:manage_users")).status_code == 403

    def test_home_lists_areas(self, admin: User) -> None:
        response = signed_in(admin).get(reverse("accounts:manage_home"))
        assert response.status_code == 200
        urls = {a["url"] for a in response.context["areas"]}
        assert {
            reverse("accounts:manage_users"),
            reverse("accounts:manage_roles"),
            reverse("accounts:manage_teams"),
        } <= urls
        assert reverse("customers:list") in urls

    def test_user_list_filters(self, admin: User) -> None:
        staff_user(role_codes=["finance"], username="money")
        response = signed_in(admin).get(reverse("accounts:manage_users"), {"role": "finance"})
        assert [u.username for u in response.context["page"].object_list] == ["money"]

    def test_user_list_query_count(self, admin: User, django_assert_max_num_queries: Any) -> None:
        team = TeamFactory.create()
        for _ in range(20):
            team.members.add(staff_user(role_codes=["agent"], superior=admin))
        client = signed_in(admin)
        with django_assert_max_num_queries(14):
            assert client.get(reverse("accounts:manage_users")).status_code == 200

    def test_create_user(self, admin: User) -> None:
        response = signed_in(admin).post(
            reverse("accounts:manage_user_create"),
            {
                "kind": "staff",
                "username": "li.si",
                "password": STRONG,
                "display_name": "李四",
                "roles": ["agent"],
            },
        )
        user = User.objects.get(username="li.si")
        assert response.status_code == 302
        assert [r.code for r in user.roles.all()] == ["agent"]

    def test_create_user_service_error_beside_field(self, admin: User) -> None:
        response = signed_in(admin).post(
            reverse("accounts:manage_user_create"), {"kind": "staff", "username": "ROOT", "password": STRONG}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["username"]
        assert b"is-invalid" in response.content

    def test_role_kind_error_maps_to_roles_field(self, admin: User) -> None:
        response = signed_in(admin).post(
            reverse("accounts:manage_user_create"),
            {"kind": "customer", "username": "p1", "password": STRONG, "roles": ["agent"]},
        )
        assert response.context["form"].errors["roles"]
        assert not User.objects.filter(username="p1").exists()

    def test_edit_user(self, admin: User, agent: User) -> None:
        client = signed_in(admin)
        assert client.get(reverse("accounts:manage_user_edit", args=[agent.pk])).status_code == 200
        response = client.post(
            reverse("accounts:manage_user_edit", args=[agent.pk]),
            {"display_name": "王五", "roles": ["agent", "finance"], "superior": admin.pk, "language": "en"},
        )
        assert response.status_code == 302
        agent.refresh_from_db()
        assert agent.display_name == "王五"
        assert agent.superior == admin
        assert sorted(r.code for r in agent.roles.all()) == ["agent", "finance"]

    def test_edit_unknown_user_404(self, admin: User) -> None:
        assert signed_in(admin).get(reverse("accounts:manage_user_edit", args=[999999])).status_code == 404

    def test_deactivate_and_reactivate(self, admin: User, agent: User) -> None:
        client = signed_in(admin)
        client.post(reverse("accounts:manage_user_active", args=[agent.pk]), {"active": "0"})
        agent.refresh_from_db()
        assert not agent.is_active
        client.post(reverse("accounts:manage_user_active", args=[agent.pk]), {"active": "1"})
        agent.refresh_from_db()
        assert agent.is_active

    def test_self_deactivation_shows_message(self, admin: User) -> None:
        response = signed_in(admin).post(
            reverse("accounts:manage_user_active", args=[admin.pk]), {"active": "0"}, follow=True
        )
        assert "cannot deactivate your own account" in response.content.decode()
        admin.refresh_from_db()
        assert admin.is_active

    def test_reset_password(self, admin: User, agent: User) -> None:
        client = signed_in(admin)
        url = reverse("accounts:manage_user_password", args=[agent.pk])
        response = client.post(url, {"password": "short", "password_again": "short"})
        assert response.context["form"].errors["password"]
        response = client.post(url, {"password": STRONG, "password_again": STRONG})
        assert response.status_code == 302
        agent.refresh_from_db()
        assert agent.check_password(STRONG)

    def test_edit_builtin_role(self, admin: User) -> None:
        role = Role.objects.get(code="finance")
        client = signed_in(admin)
        assert client.get(reverse("accounts:manage_role_edit", args=[role.pk])).status_code == 200
        response = client.post(
            reverse("accounts:manage_role_edit", args=[role.pk]),
            # Disabled fields are ignored even if a crafted request sends them.
            {"code": "money", "name": "财务部", "permissions": ["customer.view"], "is_staff_role": ""},
        )
        assert response.status_code == 302
        role.refresh_from_db()
        assert (role.code, role.name, role.permissions, role.is_staff_role) == (
            "finance",
            "财务部",
            ["customer.view"],
            True,
        )

    def test_create_role(self, admin: User) -> None:
        response = signed_in(admin).post(
            reverse("accounts:manage_role_create"),
            {"code": "auditor", "name": "审计", "permissions": ["ticket.view_all"], "is_staff_role": "on"},
        )
        assert response.status_code == 302
        assert Role.objects.get(code="auditor").permissions == ["ticket.view_all"]

    def test_create_and_edit_team(self, admin: User, agent: User) -> None:
        client = signed_in(admin)
        response = client.post(
            reverse("accounts:manage_team_create"),
            {"code": "desk", "name": "客服组", "lead": agent.pk, "is_active": "on"},
        )
        assert response.status_code == 302
        team = Team.objects.get(code="desk")
        assert list(team.members.all()) == [agent]
        other = staff_user(role_codes=["agent"])
        response = client.post(
            reverse("accounts:manage_team_edit", args=[team.pk]),
            {"code": "desk", "name": "客服组", "lead": agent.pk, "members": [other.pk], "is_active": "on"},
        )
        assert response.status_code == 302
        assert set(team.members.all()) == {agent, other}
