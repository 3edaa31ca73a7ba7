"""Factories for customers: a customer with a site, contacts, systems and portal users."""

from __future__ import annotations

from typing import Any

import factory

from weibao.accounts.choices import UserKind
from weibao.accounts.models import Role, User
from weibao.accounts.tests.factories import UserFactory
from weibao.customers.choices import DistanceClass
from weibao.customers.models import Contact, Customer, DeliveredSystem, Site, SystemModule


class CustomerFactory(factory.django.DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"customer-{n}")
    name = factory.Sequence(lambda n: f"第{n}人民医院")
    region = "上海"


class SiteFactory(factory.django.DjangoModelFactory[Site]):
    class Meta:
        model = Site

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"院区{n}")
    distance_class = DistanceClass.LOCAL


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    phone = "13800000000"
    email = factory.Sequence(lambda n: f"contact{n}@hospital.example.cn")


class DeliveredSystemFactory(factory.django.DjangoModelFactory[DeliveredSystem]):
    class Meta:
        model = DeliveredSystem

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"HIS-{n}")
    version = "5.2"


class SystemModuleFactory(factory.django.DjangoModelFactory[SystemModule]):
    class Meta:
        model = SystemModule

    system = factory.SubFactory(DeliveredSystemFactory)
    name = factory.Sequence(lambda n: f"模块{n}")


def portal_user(*, customer: Customer, **kwargs: Any) -> User:
    """A customer portal user: a contact of ``customer`` with a login and the ``portal`` role."""
    user = UserFactory.create(kind=UserKind.CUSTOMER, **kwargs)
    user.roles.set(Role.objects.filter(code="portal"))
    ContactFactory.create(customer=customer, user=user, name=user.display_name, email=user.email)
    return user
