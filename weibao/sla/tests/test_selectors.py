"""Which policy, targets and calendars a ticket gets (SLA-2, SLA-3), and the per-process policy cache."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from weibao.accounts.tests.factories import staff_user
from weibao.calendars.models import Calendar
from weibao.customers.tests.factories import CustomerFactory, SiteFactory
from weibao.sla import selectors, services
from weibao.sla.choices import Priority, TargetKind, TargetMode
from weibao.sla.models import ServiceContract, SlaPolicy

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 1)


def _policy(code: str, **kw: Any) -> SlaPolicy:
    return SlaPolicy.objects.create(code=code, name=code.title(), **kw)


def _contract(customer: Any, policy: SlaPolicy, number: str, **kw: Any) -> ServiceContract:
    kw.setdefault("starts_on", dt.date(2026, 1, 1))
    return ServiceContract.objects.create(customer=customer, policy=policy, number=number, name=number, **kw)


def test_without_a_contract_the_default_policy_applies() -> None:
    customer: Any = CustomerFactory()
    assert selectors.policy_for_customer(customer_id=customer.pk, on=DAY).is_default


def test_the_newest_contract_in_force_wins_in_one_query() -> None:
    customer: Any = CustomerFactory()
    older, newer = _policy("older"), _policy("newer")
    _contract(customer, older, "C-1", starts_on=dt.date(2025, 1, 1))
    _contract(customer, newer, "C-2", starts_on=dt.date(2026, 3, 1))
    with CaptureQueriesContext(connection) as queries:
        assert selectors.policy_for_customer(customer_id=customer.pk, on=DAY) == newer
    assert len(queries.captured_queries) == 1
    # Before the newer contract started, the older one was in force.
    assert selectors.policy_for_customer(customer_id=customer.pk, on=dt.date(2026, 2, 1)) == older


@pytest.mark.parametrize(
    "contract",
    [
        {"ends_on": dt.date(2026, 5, 31)},  # expired
        {"starts_on": dt.date(2026, 7, 1)},  # not yet started
        {"is_active": False},
    ],
)
def test_contracts_not_in_force_are_ignored(contract: dict[str, Any]) -> None:
    customer: Any = CustomerFactory()
    _contract(customer, _policy("gold"), "C-9", **contract)
    assert selectors.policy_for_customer(customer_id=customer.pk, on=DAY).is_default


def test_a_contract_with_an_inactive_policy_falls_back_to_the_default() -> None:
    customer: Any = CustomerFactory()
    _contract(customer, _policy("retired", is_active=False), "C-3")
    assert selectors.policy_for_customer(customer_id=customer.pk, on=DAY).is_default


def test_another_customers_contract_does_not_apply() -> None:
    _contract(CustomerFactory(), _policy("theirs"), "C-4")
    mine: Any = CustomerFactory()
    assert selectors.policy_for_customer(customer_id=mine.pk, on=DAY).is_default


def test_policy_config_is_cached_per_version_and_a_target_change_is_seen_at_once() -> None:
    manager = staff_user(role_codes=["service_manager"])
    policy = services.policy_create(actor=manager, code="gold", name="Gold")
    services.target_set(
        actor=manager,
        policy_id=policy.pk,
        priority=Priority.HIGH,
        kind=TargetKind.RESPONSE,
        mode=TargetMode.MINUTES,
        minutes=30,
    )
    policy.refresh_from_db()
    first = selectors.policy_targets(policy=policy, priority=Priority.HIGH, distance_class="")
    assert first[TargetKind.RESPONSE].minutes == 30
    with CaptureQueriesContext(connection) as queries:
        selectors.policy_targets(policy=policy, priority=Priority.HIGH, distance_class="")
    assert queries.captured_queries == []  # the same version: from the cache
    services.target_set(
        actor=manager,
        policy_id=policy.pk,
        priority=Priority.HIGH,
        kind=TargetKind.RESPONSE,
        mode=TargetMode.MINUTES,
        minutes=20,
    )
    policy.refresh_from_db()  # the row a ticket service reads carries the bumped version
    again = selectors.policy_targets(policy=policy, priority=Priority.HIGH, distance_class="")
    assert again[TargetKind.RESPONSE].minutes == 20


def test_ticket_calendars_prefer_the_site_then_the_customer_then_the_default() -> None:
    default = Calendar.objects.get(is_default=True)
    always = Calendar.objects.get(slug="24x7")
    own = Calendar.objects.create(slug="night-shift", name="Night shift", time_zone="Asia/Shanghai")
    with CaptureQueriesContext(connection) as queries:
        chosen, by_id = selectors.ticket_calendars(
            site_calendar_id=own.pk, customer_calendar_id=always.pk, other_ids=[always.pk]
        )
    assert len(queries.captured_queries) == 1
    assert chosen == own and always.pk in by_id
    chosen, _ = selectors.ticket_calendars(site_calendar_id=None, customer_calendar_id=always.pk)
    assert chosen == always
    site: Any = SiteFactory()
    chosen, _ = selectors.ticket_calendars(site_calendar_id=site.calendar_id, customer_calendar_id=None)
    assert chosen == default
