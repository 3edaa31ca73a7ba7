"""API contract of /users, /teams, /roles, /tokens (via a throwaway NinjaAPI, real auth and errors)."""

from __future__ import annotations

from typing import Any

import pytest

from weibao.accounts import services
from weibao.accounts.api import roles_router, teams_router, tokens_router, users_router
from weibao.accounts.choices import UserKind
from weibao.accounts.models import ApiToken, Role, User
from weibao.accounts.tests.api_client import api_client, bearer
from weibao.accounts.tests.factories import TeamFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

STRONG = "Str0ng-Passw0rd-维保"


@pytest.fixture
def client() -> Any:
    return api_client(
        ("/users", users_router),
        ("/teams", teams_router),
        ("/roles", roles_router),
        ("/tokens", tokens_router),
    )


def auth(user: User) -> dict[str, Any]:
    return bearer(services.api_token_create(actor=user, name="test")[1])


@pytest.fixture
def admin() -> User:
    return staff_user(role_codes=["admin"], username="root")


@pytest.fixture
def agent() -> User:
    return staff_user(role_codes=["agent"], username="agent")


def portal() -> User:
    user = UserFactory.create(kind=UserKind.CUSTOMER)
    user.roles.set(Role.objects.filter(code="portal"))
    return user


@pytest.mark.parametrize("path", ["/users", "/users/1", "/teams", "/roles", "/tokens"])
def test_anonymous_is_401(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


class TestUsers:
    def test_list_with_filters(self, client: Any, agent: User) -> None:
        team = TeamFactory.create(code="ops")
        eng = staff_user(role_codes=["ops_engineer"], username="eng")
        team.members.add(eng)
        response = client.get("/users?role=ops_engineer", **auth(agent))
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 1
        assert body["items"][0]["username"] == "eng"
        assert body["items"][0]["role_codes"] == ["ops_engineer"]
        assert body["items"][0]["team_codes"] == ["ops"]
        assert client.get("/users?team=ops", **auth(agent)).json()["count"] == 1
        assert client.get("/users?q=agent", **auth(agent)).json()["count"] == 1
        assert client.get("/users?kind=customer", **auth(agent)).json()["count"] == 0

    def test_bad_filter_is_422(self, client: Any, agent: User) -> None:
        response = client.get("/users?kind=robot", **auth(agent))
        assert response.status_code == 422
        assert response.json()["field"] == "kind"

    def test_portal_user_cannot_list_but_sees_self(self, client: Any, agent: User) -> None:
        me = portal()
        assert client.get("/users", **auth(me)).status_code == 403
        assert client.get(f"/users/{me.pk}", **auth(me)).json()["username"] == me.username
        response = client.get(f"/users/{agent.pk}", **auth(me))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    def test_create_needs_user_manage(self, client: Any, agent: User) -> None:
        response = client.post("/users", json={"username": "new", "password": STRONG}, **auth(agent))
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert not User.objects.filter(username="new").exists()

    def test_create(self, client: Any, admin: User) -> None:
        payload = {"username": "new", "password": STRONG, "display_name": "新人", "role_codes": ["agent"]}
        response = client.post("/users", json=payload, **auth(admin))
        assert response.status_code == 201
        body = response.json()
        assert body["username"] == "new"
        assert body["role_codes"] == ["agent"]
        assert "password" not in body

    def test_create_bad_field_is_422(self, client: Any, admin: User) -> None:
        response = client.post("/users", json={"username": "new", "password": "1"}, **auth(admin))
        assert response.status_code == 422
        assert response.json()["field"] == "password"
        assert response.json()["code"] == "weak_password"
        assert not User.objects.filter(username="new").exists()

    def test_patch_own_profile_and_not_own_roles(self, client: Any, agent: User) -> None:
        response = client.patch(f"/users/{agent.pk}", json={"display_name": "小王"}, **auth(agent))
        assert response.status_code == 200
        assert response.json()["display_name"] == "小王"
        response = client.patch(f"/users/{agent.pk}", json={"role_codes": ["admin"]}, **auth(agent))
        assert response.status_code == 403
        assert [r.code for r in User.objects.get(pk=agent.pk).roles.all()] == ["agent"]

    def test_patch_by_admin(self, client: Any, admin: User, agent: User) -> None:
        response = client.patch(
            f"/users/{agent.pk}", json={"role_codes": ["finance"], "superior_id": admin.pk}, **auth(admin)
        )
        assert response.status_code == 200
        assert response.json()["role_codes"] == ["finance"]
        assert response.json()["superior_id"] == admin.pk
        response = client.patch(f"/users/{agent.pk}", json={"superior_id": None}, **auth(admin))
        assert response.json()["superior_id"] is None

    def test_patch_unknown_user_is_404(self, client: Any, admin: User) -> None:
        assert client.patch("/users/999999", json={"display_name": "x"}, **auth(admin)).status_code == 404


class TestTeamsRoles:
    def test_teams(self, client: Any, agent: User) -> None:
        team = TeamFactory.create(code="ops", lead=agent)
        team.members.add(agent)
        body = client.get("/teams", **auth(agent)).json()
        assert body == [
            {
                "id": team.pk,
                "code": "ops",
                "name": team.name,
                "description": "",
                "lead_id": agent.pk,
                "member_ids": [agent.pk],
                "is_active": True,
            }
        ]

    def test_roles(self, client: Any, agent: User) -> None:
        body = client.get("/roles", **auth(agent)).json()
        codes = {r["code"] for r in body}
        assert {"agent", "admin", "portal"} <= codes
        assert all(r["is_builtin"] for r in body)

    def test_portal_forbidden(self, client: Any) -> None:
        me = portal()
        assert client.get("/teams", **auth(me)).status_code == 403
        assert client.get("/roles", **auth(me)).status_code == 403


class TestTokens:
    def test_create_list_revoke(self, client: Any, agent: User) -> None:
        headers = auth(agent)
        response = client.post("/tokens", json={"name": "bridge"}, **headers)
        assert response.status_code == 201
        created = response.json()
        assert created["token"].startswith(created["prefix"])
        listed = client.get("/tokens", **headers).json()
        assert {t["name"] for t in listed} == {"test", "bridge"}
        assert all("token" not in t for t in listed)
        # The new token works.
        assert client.get("/tokens", **bearer(created["token"])).status_code == 200
        response = client.post(f"/tokens/{created['id']}/revoke", **headers)
        assert response.status_code == 200
        assert response.json()["revoked_at"] is not None
        assert client.get("/tokens", **bearer(created["token"])).status_code == 401
        again = client.post(f"/tokens/{created['id']}/revoke", **headers)
        assert again.status_code == 409
        assert again.json()["code"] == "already_revoked"

    def test_cannot_revoke_someone_elses(self, client: Any, agent: User) -> None:
        other = staff_user(role_codes=["agent"])
        token, _raw = services.api_token_create(actor=other, name="theirs")
        assert client.post(f"/tokens/{token.pk}/revoke", **auth(agent)).status_code == 404
        assert ApiToken.objects.get(pk=token.pk).revoked_at is None

    def test_empty_name_is_422(self, client: Any, agent: User) -> None:
        response = client.post("/tokens", json={"name": " "}, **auth(agent))
        assert response.status_code == 422
        assert response.json()["field"] == "name"
