"""API schemas for users, roles, teams and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from weibao.accounts.choices import UserKind


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    label: str
    email: str
    phone: str
    kind: UserKind
    is_active: bool
    time_zone: str
    language: str
    superior_id: int | None
    role_codes: list[str]
    team_codes: list[str]

    @staticmethod
    def resolve_role_codes(obj: Any) -> list[str]:
        return sorted(r.code for r in obj.roles.all())

    @staticmethod
    def resolve_team_codes(obj: Any) -> list[str]:
        return sorted(t.code for t in obj.teams.all())


class UserFilters(Schema):
    q: str | None = None
    kind: UserKind | None = None
    role: str | None = Field(None, description="Role code")
    team: str | None = Field(None, description="Team code")
    is_active: bool | None = True


class UserCreateIn(Schema):
    username: str
    kind: UserKind = UserKind.STAFF
    password: str
    display_name: str = ""
    email: str = ""
    phone: str = ""
    role_codes: list[str] = []
    team_codes: list[str] = []
    superior_id: int | None = None


class UserPatchIn(Schema):
    """Only the fields sent are changed."""

    display_name: str | None = None
    email: str | None = None
    phone: str | None = None
    time_zone: str | None = None
    language: str | None = None
    superior_id: int | None = None
    role_codes: list[str] | None = None
    team_codes: list[str] | None = None


class RoleOut(Schema):
    id: int
    code: str
    name: str
    description: str
    permissions: list[str]
    is_staff_role: bool
    is_builtin: bool


class TeamOut(Schema):
    id: int
    code: str
    name: str
    description: str
    lead_id: int | None
    member_ids: list[int]
    is_active: bool

    @staticmethod
    def resolve_member_ids(obj: Any) -> list[int]:
        return sorted(m.pk for m in obj.members.all())


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreateIn(Schema):
    name: str


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The token itself; shown only in this response.")
