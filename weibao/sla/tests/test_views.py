"""SLA administration pages (without weibao.tickets: the layering forbids it here)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from weibao.accounts.tests.factories import staff_user
from weibao.customers.tests.factories import CustomerFactory
from weibao.sla.models import EscalationRule, ServiceContract, SlaPolicy, SlaTarget

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    c = Client()
    c.force_login(staff_user(role_codes=["service_manager"]))
    return c


def test_policy_list_summarises_targets_per_priority(client: Client) -> None:
    response = client.get(reverse("sla:policy_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="policy"' in html and 'data-testid="target-grid"' in html
    assert 'data-testid="default-badge"' in html


def test_agent_gets_403_and_nav_hides_the_entries() -> None:
    c = Client()
    c.force_login(staff_user(role_codes=["agent"]))
    assert c.get(reverse("sla:policy_list")).status_code == 403
    assert c.get(reverse("sla:contract_list")).status_code == 403
    assert c.post(reverse("sla:policy_create"), {"code": "x", "name": "X"}).status_code == 403
    assert not SlaPolicy.objects.filter(code="x").exists()


def test_nav_shows_sla_entries_to_a_manager(client: Client) -> None:
    html = client.get(reverse("sla:policy_list")).content.decode()
    assert 'data-testid="nav-sla-policies"' in html and 'data-testid="nav-sla-compliance"' in html


def test_create_policy_then_set_a_target_and_a_rule(client: Client) -> None:
    response = client.post(
        reverse("sla:policy_create"),
        {"code": "gold", "name": "Gold", "pause_on_customer": "on", "is_active": "on"},
    )
    policy = SlaPolicy.objects.get(code="gold")
    assert response.status_code == 302 and response["Location"] == reverse(
        "sla:policy_detail", args=[policy.pk]
    )
    response = client.post(
        reverse("sla:target_save", args=[policy.pk]),
        {"priority": 1, "kind": "response", "mode": "minutes", "minutes": 15},
    )
    assert response.status_code == 302
    assert SlaTarget.objects.get(policy=policy).minutes == 15
    response = client.post(
        reverse("sla:rule_save", args=[policy.pk]),
        {"trigger": "percent", "value": 80, "notify_assignee": "on", "is_active": "on"},
    )
    assert response.status_code == 302 and EscalationRule.objects.filter(policy=policy).count() == 1
    page = client.get(reverse("sla:policy_detail", args=[policy.pk])).content.decode()
    assert 'data-testid="rule"' in page and "15" in page


def test_target_without_minutes_is_refused_beside_the_field(client: Client) -> None:
    policy = SlaPolicy.objects.get(is_default=True)
    count = SlaTarget.objects.count()
    response = client.post(
        reverse("sla:target_save", args=[policy.pk]), {"priority": 1, "kind": "response", "mode": "minutes"}
    )
    assert response.status_code == 422
    assert 'data-testid="error-minutes"' in response.content.decode()
    assert SlaTarget.objects.count() == count


def test_second_default_is_refused_beside_the_flag(client: Client) -> None:
    response = client.post(
        reverse("sla:policy_create"), {"code": "silver", "name": "Silver", "is_default": "on"}
    )
    assert response.status_code == 422
    assert 'data-testid="error-is_default"' in response.content.decode()


def test_contract_create_and_list(client: Client) -> None:
    customer: Any = CustomerFactory.create()
    policy = SlaPolicy.objects.get(is_default=True)
    data = {
        "customer": customer.pk,
        "number": "WB-2026-001",
        "name": "2026 维保",
        "policy": policy.pk,
        "starts_on": "2026-01-01",
        "ends_on": "2025-12-31",
        "is_active": "on",
    }
    response = client.post(reverse("sla:contract_create"), data)
    assert response.status_code == 422 and 'data-testid="error-ends_on"' in response.content.decode()
    data["ends_on"] = "2026-12-31"
    response = client.post(reverse("sla:contract_create"), data)
    assert response.status_code == 302
    contract = ServiceContract.objects.get(number="WB-2026-001")
    html = client.get(reverse("sla:contract_list"), {"customer": customer.pk}).content.decode()
    assert 'data-testid="contract"' in html and "WB-2026-001" in html
    assert client.get(reverse("sla:contract_edit", args=[contract.pk])).status_code == 200


def test_compliance_url_is_not_shadowed_by_the_sla_include() -> None:
    from django.urls import resolve

    assert resolve("/sla/compliance/").url_name == "sla_compliance"
    assert resolve("/sla/policies/").url_name == "policy_list"


def test_an_escalation_rule_is_edited_in_place(client: Client) -> None:
    policy = SlaPolicy.objects.get(is_default=True)
    rule = EscalationRule.objects.filter(policy=policy, trigger="percent").first()
    assert rule is not None
    count = EscalationRule.objects.filter(policy=policy).count()
    page = client.get(reverse("sla:policy_detail", args=[policy.pk]), {"rule": rule.pk}).content.decode()
    # The form is filled with the rule and saves it (not a new one).
    assert f'name="rule_id" value="{rule.pk}"' in page and f'value="{rule.value}"' in page
    response = client.post(
        reverse("sla:rule_save", args=[policy.pk]),
        {"rule_id": rule.pk, "trigger": "percent", "value": 60, "notify_team": "on", "is_active": "on"},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.value, rule.notify_team, rule.notify_assignee) == (60, True, False)
    assert EscalationRule.objects.filter(policy=policy).count() == count


def test_editing_another_policys_rule_is_a_404_and_changes_nothing(client: Client) -> None:
    other = SlaPolicy.objects.create(code="other", name="Other")
    rule = EscalationRule.objects.create(policy=other, trigger="percent", value=50, notify_assignee=True)
    policy = SlaPolicy.objects.get(is_default=True)
    response = client.post(
        reverse("sla:rule_save", args=[policy.pk]),
        {"rule_id": rule.pk, "trigger": "percent", "value": 10, "is_active": "on"},
    )
    assert response.status_code == 404
    rule.refresh_from_db()
    assert rule.value == 50
