"""API routers: /users, /teams, /roles, /tokens. Thin: parse, call a selector or service, return."""

# No ``from __future__ import annotations``: ninja resolves Query[...] parameter types at import.

from typing import Any, cast

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from weibao.accounts import selectors, services
from weibao.accounts.schemas import (
    RoleOut,
    TeamOut,
    TokenCreatedOut,
    TokenCreateIn,
    TokenOut,
    UserCreateIn,
    UserFilters,
    UserOut,
    UserPatchIn,
)
from weibao.core.api_auth import API_AUTH

users_router = Router(auth=API_AUTH, tags=["users"])
teams_router = Router(auth=API_AUTH, tags=["teams"])
roles_router = Router(auth=API_AUTH, tags=["roles"])
tokens_router = Router(auth=API_AUTH, tags=["tokens"])


@users_router.get("", response=list[UserOut])
@paginate(LimitOffsetPagination)
def list_users(request: HttpRequest, filters: Query[UserFilters]) -> Any:
    """Users, filterable by text, kind, role code, team code and state (staff only)."""
    return selectors.user_list(actor=request.user, **filters.dict())


@users_router.get("/{int:user_id}", response=UserOut)
def get_user(request: HttpRequest, user_id: int) -> Any:
    return selectors.user_get(actor=request.user, user_id=user_id)


@users_router.post("", response={201: UserOut})
def create_user(request: HttpRequest, payload: UserCreateIn) -> Any:
    """Create a user (needs ``user.manage``)."""
    user = services.user_create(actor=request.user, **payload.dict())
    return Status(201, selectors.user_get(actor=request.user, user_id=user.pk))


@users_router.patch("/{int:user_id}", response=UserOut)
def update_user(request: HttpRequest, user_id: int, payload: UserPatchIn) -> Any:
    """Change the fields sent. Own profile fields for anyone; the rest needs ``user.manage``."""
    selectors.user_get(actor=request.user, user_id=user_id)
    # null clears the superior; for every other field it means "leave as is".
    sent = payload.dict(exclude_unset=True)
    changes = cast(
        services.UserChanges, {k: v for k, v in sent.items() if v is not None or k == "superior_id"}
    )
    services.user_update(actor=request.user, user_id=user_id, changes=changes)
    return selectors.user_get(actor=request.user, user_id=user_id)


@teams_router.get("", response=list[TeamOut])
def list_teams(request: HttpRequest, include_inactive: bool = False) -> Any:
    return selectors.team_list(actor=request.user, include_inactive=include_inactive)


@roles_router.get("", response=list[RoleOut])
def list_roles(request: HttpRequest) -> Any:
    return selectors.role_list(actor=request.user)


@tokens_router.get("", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> Any:
    """The caller's own tokens."""
    return selectors.api_token_list(actor=request.user)


@tokens_router.post("", response={201: TokenCreatedOut})
def create_token(request: HttpRequest, payload: TokenCreateIn) -> Any:
    """Create a token for the caller; the ``token`` field is returned only here."""
    token, raw = services.api_token_create(actor=request.user, name=payload.name)
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@tokens_router.post("/{int:token_id}/revoke", response=TokenOut)
def revoke_token(request: HttpRequest, token_id: int) -> Any:
    return services.api_token_revoke(actor=request.user, token_id=token_id)
