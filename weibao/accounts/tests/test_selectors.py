"""accounts.selectors: scoping (portal users see only themselves), filters, query counts."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from weibao.accounts import selectors, services
from weibao.accounts.choices import UserKind
from weibao.accounts.models import Role, User
from weibao.accounts.tests.factories import TeamFactory, UserFactory, staff_user
from weibao.core.errors import NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


def portal() -> User:
    user = UserFactory.create(kind=UserKind.CUSTOMER)
    user.roles.set(Role.objects.filter(code="portal"))
    return user


class TestUsers:
    def test_filters(self) -> None:
        viewer = staff_user(role_codes=["agent"], username="viewer")
        team = TeamFactory.create(code="ops")
        eng = staff_user(role_codes=["ops_engineer"], username="wang.ops", display_name="王运维")
        team.members.add(eng)
        gone = staff_user(role_codes=["ops_engineer"], username="gone", is_active=False)
        p = portal()
        assert list(selectors.user_list(actor=viewer, role="ops_engineer", is_active=True)) == [eng]
        assert list(selectors.user_list(actor=viewer, team="ops")) == [eng]
        assert list(selectors.user_list(actor=viewer, q="运维")) == [eng]
        assert list(selectors.user_list(actor=viewer, kind=UserKind.CUSTOMER)) == [p]
        assert gone not in selectors.user_list(actor=viewer, is_active=True)
        assert list(selectors.user_list(actor=viewer, is_active=False)) == [gone]

    def test_portal_users_cannot_list(self) -> None:
        with pytest.raises(PermissionDenied):
            selectors.user_list(actor=portal())
        with pytest.raises(PermissionDenied):
            selectors.team_list(actor=portal())
        with pytest.raises(PermissionDenied):
            selectors.role_list(actor=portal())

    def test_portal_user_sees_only_themselves(self) -> None:
        me, other = portal(), staff_user(role_codes=["agent"])
        assert selectors.user_get(actor=me, user_id=me.pk) == me
        with pytest.raises(NotFound):
            selectors.user_get(actor=me, user_id=other.pk)

    def test_anonymous_sees_nothing(self) -> None:
        user = staff_user(role_codes=["agent"])
        with pytest.raises(NotFound):
            selectors.user_get(actor=AnonymousUser(), user_id=user.pk)
        with pytest.raises(PermissionDenied):
            selectors.user_list(actor=AnonymousUser())

    def test_unknown_id(self) -> None:
        with pytest.raises(NotFound):
            selectors.user_get(actor=staff_user(role_codes=["agent"]), user_id=999999)

    def test_list_query_count(self, django_assert_max_num_queries) -> None:
        viewer = staff_user(role_codes=["admin"])
        team = TeamFactory.create()
        for _ in range(15):
            team.members.add(staff_user(role_codes=["agent", "finance"], superior=viewer))
        with django_assert_max_num_queries(4):
            rows = [
                (u.superior, list(u.roles.all()), list(u.teams.all()))
                for u in selectors.user_list(actor=viewer)
            ]
        assert len(rows) == 16


class TestTeamsRolesTokens:
    def test_inactive_teams_hidden_by_default(self) -> None:
        viewer = staff_user(role_codes=["agent"])
        active, inactive = TeamFactory.create(), TeamFactory.create(is_active=False)
        assert list(selectors.team_list(actor=viewer)) == [active]
        assert set(selectors.team_list(actor=viewer, include_inactive=True)) == {active, inactive}

    def test_tokens_are_own_only(self) -> None:
        a, b = staff_user(role_codes=["agent"]), staff_user(role_codes=["agent"])
        mine, _ = services.api_token_create(actor=a, name="a")
        theirs, _ = services.api_token_create(actor=b, name="b")
        assert list(selectors.api_token_list(actor=a)) == [mine]
        assert selectors.api_token_get(actor=a, token_id=mine.pk) == mine
        with pytest.raises(NotFound):
            selectors.api_token_get(actor=a, token_id=theirs.pk)
        admin = staff_user(role_codes=["admin"])
        assert selectors.api_token_get(actor=admin, token_id=theirs.pk) == theirs

    def test_audit_events_for_admins_only(self) -> None:
        admin = staff_user(role_codes=["admin"])
        target = staff_user(role_codes=["agent"])
        services.user_update(actor=admin, user_id=target.pk, changes={"display_name": "x"})
        events = selectors.audit_events_for(actor=admin, target_type="accounts.user", target_id=target.pk)
        assert [e.action for e in events] == ["user.update"]
        with pytest.raises(PermissionDenied):
            selectors.audit_events_for(actor=target, target_type="accounts.user", target_id=target.pk)
