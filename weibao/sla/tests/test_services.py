"""SLA configuration services: validation before any write, permission, one default, version bumps."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from weibao.accounts.models import AuditEvent
from weibao.accounts.tests.factories import staff_user
from weibao.calendars.models import Calendar
from weibao.core.errors import PermissionDenied, ValidationFailed
from weibao.customers.tests.factories import CustomerFactory
from weibao.sla import services
from weibao.sla.choices import EscalationTrigger, Priority, TargetKind, TargetMode
from weibao.sla.models import EscalationRule, ServiceContract, SlaPolicy, SlaTarget

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager() -> Any:
    return staff_user(role_codes=["service_manager"])


def _policy(manager: Any, code: str = "gold", **kw: Any) -> SlaPolicy:
    return services.policy_create(actor=manager, code=code, name=code.title(), **kw)


def test_policy_create_and_update_bumps_the_version_and_audits(manager: Any) -> None:
    policy = _policy(manager)
    assert policy.version == 1 and not policy.is_default
    updated = services.policy_update(
        actor=manager, policy_id=policy.pk, code="gold", name="Gold 24x7", pause_on_other=True
    )
    assert updated.version == 2 and updated.name == "Gold 24x7" and updated.pause_on_other
    actions = list(AuditEvent.objects.filter(target_id=str(policy.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["sla_policy.create", "sla_policy.update"]


def test_policy_update_without_a_change_keeps_the_version(manager: Any) -> None:
    policy = _policy(manager)
    again = services.policy_update(actor=manager, policy_id=policy.pk, code="gold", name="Gold")
    assert again.version == 1


def test_only_one_default_policy(manager: Any) -> None:
    assert SlaPolicy.objects.filter(is_default=True).count() == 1  # seeded by the migrations
    with pytest.raises(ValidationFailed) as exc:
        _policy(manager, is_default=True)
    assert exc.value.field == "is_default"
    assert not SlaPolicy.objects.filter(code="gold").exists()


def test_duplicate_code_is_refused(manager: Any) -> None:
    _policy(manager)
    with pytest.raises(ValidationFailed) as exc:
        _policy(manager)
    assert exc.value.field == "code"


def test_permission_denied_writes_nothing() -> None:
    agent = staff_user(role_codes=["agent"])
    before = (SlaPolicy.objects.count(), AuditEvent.objects.count())
    with pytest.raises(PermissionDenied):
        services.policy_create(actor=agent, code="x", name="X")
    policy = SlaPolicy.objects.get(is_default=True)
    with pytest.raises(PermissionDenied):
        services.target_set(
            actor=agent, policy_id=policy.pk, priority=1, kind="response", mode="minutes", minutes=5
        )
    with pytest.raises(PermissionDenied):
        services.contract_save(
            actor=agent,
            customer_id=CustomerFactory.create().pk,
            number="C-1",
            name="n",
            policy_id=policy.pk,
            starts_on=dt.date(2026, 1, 1),
        )
    assert (SlaPolicy.objects.count(), AuditEvent.objects.count()) == before
    assert SlaPolicy.objects.get(pk=policy.pk).version == policy.version
    assert not ServiceContract.objects.exists()


def test_target_set_validates_the_amount_for_the_mode(manager: Any) -> None:
    policy = _policy(manager)
    with pytest.raises(ValidationFailed) as exc:
        services.target_set(
            actor=manager,
            policy_id=policy.pk,
            priority=Priority.HIGH,
            kind=TargetKind.RESPONSE,
            mode="minutes",
        )
    assert exc.value.field == "minutes"
    for days in (None, 0, 61):
        with pytest.raises(ValidationFailed) as exc:
            services.target_set(
                actor=manager,
                policy_id=policy.pk,
                priority=Priority.HIGH,
                kind=TargetKind.RESOLUTION,
                mode=TargetMode.DAY_END,
                days=days,
            )
        assert exc.value.field == "days"
    assert not SlaTarget.objects.filter(policy=policy).exists()
    assert SlaPolicy.objects.get(pk=policy.pk).version == 1


def test_target_set_replaces_the_cell_and_bumps_the_version(manager: Any) -> None:
    policy = _policy(manager)
    calendar = Calendar.objects.get(slug="24x7")
    services.target_set(
        actor=manager, policy_id=policy.pk, priority=1, kind="response", mode="minutes", minutes=30
    )
    target = services.target_set(
        actor=manager,
        policy_id=policy.pk,
        priority=1,
        kind="response",
        mode="day_end",
        days=2,
        minutes=99,
        calendar_id=calendar.pk,
    )
    assert SlaTarget.objects.filter(policy=policy).count() == 1
    assert (target.mode, target.days, target.minutes, target.calendar) == ("day_end", 2, None, calendar)
    assert SlaPolicy.objects.get(pk=policy.pk).version == 3
    services.target_delete(actor=manager, target_id=target.pk)
    assert not SlaTarget.objects.filter(policy=policy).exists()
    assert SlaPolicy.objects.get(pk=policy.pk).version == 4


def test_escalation_rule_percent_range_and_recipients(manager: Any) -> None:
    policy = _policy(manager)
    for value in (0, 100):
        with pytest.raises(ValidationFailed) as exc:
            services.escalation_rule_save(
                actor=manager,
                policy_id=policy.pk,
                trigger=EscalationTrigger.PERCENT,
                value=value,
                notify_team=True,
            )
        assert exc.value.field == "value"
    with pytest.raises(ValidationFailed) as exc:
        services.escalation_rule_save(
            actor=manager, policy_id=policy.pk, trigger=EscalationTrigger.PERCENT, value=80
        )
    assert exc.value.field == "notify_assignee"
    assert not EscalationRule.objects.filter(policy=policy).exists()
    rule = services.escalation_rule_save(
        actor=manager,
        policy_id=policy.pk,
        trigger=EscalationTrigger.AFTER_BREACH,
        value=0,
        notify_superior=True,
    )
    assert SlaPolicy.objects.get(pk=policy.pk).version == 2
    services.escalation_rule_delete(actor=manager, rule_id=rule.pk)
    assert SlaPolicy.objects.get(pk=policy.pk).version == 3


def test_contract_dates_and_number(manager: Any) -> None:
    policy = _policy(manager)
    customer: Any = CustomerFactory.create()
    with pytest.raises(ValidationFailed) as exc:
        services.contract_save(
            actor=manager,
            customer_id=customer.pk,
            number="WB-1",
            name="2026",
            policy_id=policy.pk,
            starts_on=dt.date(2026, 6, 1),
            ends_on=dt.date(2026, 5, 31),
        )
    assert exc.value.field == "ends_on"
    contract = services.contract_save(
        actor=manager,
        customer_id=customer.pk,
        number="WB-1",
        name="2026",
        policy_id=policy.pk,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    with pytest.raises(ValidationFailed) as exc:
        services.contract_save(
            actor=manager,
            customer_id=customer.pk,
            number="WB-1",
            name="again",
            policy_id=policy.pk,
            starts_on=dt.date(2027, 1, 1),
        )
    assert exc.value.field == "number"
    edited = services.contract_save(
        actor=manager,
        contract_id=contract.pk,
        customer_id=customer.pk,
        number="WB-1",
        name="2026 维保",
        policy_id=policy.pk,
        starts_on=dt.date(2026, 1, 1),
    )
    assert edited.pk == contract.pk and edited.name == "2026 维保" and edited.ends_on is None
    assert ServiceContract.objects.count() == 1
