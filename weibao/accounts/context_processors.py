"""Template context available on every page: the viewer's permissions and nav badges."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from weibao.accounts.permissions import is_portal_user, user_perms


def weibao(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "perms_codes": user_perms(user=user),
        "is_portal": is_portal_user(user=user) if user is not None else False,
    }
