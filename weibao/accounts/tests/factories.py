"""Factories for accounts. ``staff_user(role_codes=[...])`` is the usual way to get an actor."""

from __future__ import annotations

from typing import Any

import factory

from weibao.accounts.choices import UserKind
from weibao.accounts.models import Role, Team, User


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    kind = UserKind.STAFF
    password = factory.django.Password("pw-Weibao-123")


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    code = factory.Sequence(lambda n: f"team-{n}")
    name = factory.Sequence(lambda n: f"团队{n}")


def staff_user(*, role_codes: list[str], **kwargs: Any) -> User:
    """A staff user holding the given built-in roles (seeded by migration)."""
    user = UserFactory.create(kind=UserKind.STAFF, **kwargs)
    user.roles.set(Role.objects.filter(code__in=role_codes))
    return user
