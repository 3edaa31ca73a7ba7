"""Notification settings: the rules grid, robot webhooks and each user's preferences (issue 4)."""

from __future__ import annotations

from datetime import time
from typing import Any, cast

import pytest

from weibao.accounts.tests.factories import TeamFactory, staff_user
from weibao.core.errors import Conflict, PermissionDenied, ValidationFailed
from weibao.core.secrets import secret_decrypt
from weibao.notifications.choices import NotifyEvent, RuleAudience, WebhookKind
from weibao.notifications.models import NotificationPreference, NotificationRule, Webhook
from weibao.notifications.services import (
    RuleCell,
    preference_save,
    rules_fingerprint,
    rules_save,
    webhook_delete,
    webhook_save,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> Any:
    return staff_user(role_codes=["admin"])


def _grid() -> set[tuple[str, str, bool, bool]]:
    return set(NotificationRule.objects.values_list("event", "audience", "in_app", "email"))


def test_the_seeded_grid_never_emails_contacts_about_internal_events() -> None:
    contact_events = set(
        NotificationRule.objects.filter(audience=RuleAudience.CONTACT).values_list("event", flat=True)
    )
    assert contact_events == {"ticket_created", "agent_replied", "resolved", "verified", "closed"}
    assert NotificationRule.objects.filter(event=NotifyEvent.SLA_BREACH, audience="service_managers").exists()


def test_saving_the_grid_replaces_it(admin: Any) -> None:
    cells = [
        RuleCell(event=NotifyEvent.TICKET_ASSIGNED, audience=RuleAudience.ASSIGNEE, in_app=True, email=False),
        RuleCell(event=NotifyEvent.SLA_BREACH, audience=RuleAudience.TEAM, in_app=True, email=True),
        RuleCell(event=NotifyEvent.CLOSED, audience=RuleAudience.WATCHERS),  # neither: not stored
    ]
    assert rules_save(actor=admin, cells=cells, fingerprint=rules_fingerprint()) == 2
    assert _grid() == {("ticket_assigned", "assignee", True, False), ("sla_breach", "team", True, True)}


@pytest.mark.parametrize(
    ("cell", "field"),
    [
        (RuleCell(event="nope", audience="assignee", in_app=True), "event"),
        (RuleCell(event="closed", audience="everyone", in_app=True), "audience"),
        (RuleCell(event="closed", audience="contact", in_app=True), "in_app"),
        (RuleCell(event="sla_breach", audience="contact", email=True), "email"),
        (RuleCell(event="ticket_assigned", audience="contact", email=True), "email"),
    ],
)
def test_a_bad_cell_refuses_the_whole_grid(admin: Any, cell: RuleCell, field: str) -> None:
    before = _grid()
    good = RuleCell(event="closed", audience="assignee", in_app=True)
    with pytest.raises(ValidationFailed) as refused:
        rules_save(actor=admin, cells=[good, cell])
    assert refused.value.field == field
    assert _grid() == before


def test_a_grid_saved_meanwhile_is_not_overwritten(admin: Any) -> None:
    seen = rules_fingerprint()
    rules_save(actor=admin, cells=[RuleCell(event="closed", audience="assignee", in_app=True)])
    before = _grid()
    with pytest.raises(Conflict):
        rules_save(actor=admin, cells=[], fingerprint=seen)
    assert _grid() == before


def test_only_administrators_change_rules_and_webhooks() -> None:
    agent = staff_user(role_codes=["agent", "service_manager"])
    with pytest.raises(PermissionDenied):
        rules_save(actor=agent, cells=[])
    with pytest.raises(PermissionDenied):
        webhook_save(
            actor=agent, webhook_id=None, fields={"name": "x", "kind": "wecom", "url": "https://a.b/"}
        )
    assert Webhook.objects.count() == 0


def test_webhook_save_validates_and_encrypts(admin: Any, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_HTTP = False
    team = TeamFactory.create()
    fields: Any = {
        "name": " 运维 钉钉群 ",
        "kind": WebhookKind.DINGTALK,
        "url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
        "secret": "SEC123",
        "team_id": team.pk,
        "events": [NotifyEvent.SLA_BREACH, NotifyEvent.TICKET_CREATED, NotifyEvent.SLA_BREACH],
    }
    webhook = webhook_save(actor=admin, webhook_id=None, fields=fields)

    assert webhook.name == "运维 钉钉群"
    assert webhook.events == ["ticket_created", "sla_breach"]  # vocabulary order, no repeats
    assert "SEC123" not in webhook.secret and secret_decrypt(stored=webhook.secret) == "SEC123"

    # An empty secret keeps the stored one; a stale version is refused.
    changed = webhook_save(
        actor=admin,
        webhook_id=webhook.pk,
        fields={**fields, "secret": ""},
        version=1,
    )
    assert secret_decrypt(stored=changed.secret) == "SEC123" and changed.version == 2
    with pytest.raises(Conflict):
        webhook_save(actor=admin, webhook_id=webhook.pk, fields=fields, version=1)

    bad_inputs: list[tuple[dict[str, Any], str]] = [
        ({"url": "http://oapi.dingtalk.com/robot/send"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"kind": "telegram"}, "kind"),
        ({"name": ""}, "name"),
        ({"events": ["everything"]}, "events"),
        ({"team_id": 999_999}, "team_id"),
        ({"kind": WebhookKind.GENERIC, "secret": ""}, "secret"),
    ]
    for bad, field in bad_inputs:
        with pytest.raises(ValidationFailed) as refused:
            webhook_save(actor=admin, webhook_id=None, fields=cast(Any, {**fields, **bad}))
        assert refused.value.field == field
    assert Webhook.objects.count() == 1

    webhook_delete(actor=admin, webhook_id=webhook.pk)
    assert not Webhook.objects.exists()


def test_preferences_are_the_users_own_and_validated() -> None:
    user = staff_user(role_codes=["support_engineer"])
    saved = preference_save(
        actor=user,
        muted_in_app=[],
        muted_email=[NotifyEvent.TICKET_CREATED],
        quiet_start=time(22),
        quiet_end=time(7),
    )
    assert saved.user_id == user.pk and saved.muted_email == ["ticket_created"]

    with pytest.raises(ValidationFailed) as refused:
        preference_save(actor=user, muted_in_app=[], muted_email=[], quiet_start=time(22), quiet_end=None)
    assert refused.value.field == "quiet_end"
    with pytest.raises(ValidationFailed):
        preference_save(actor=user, muted_in_app=["x"], muted_email=[], quiet_start=None, quiet_end=None)
    with pytest.raises(Conflict):
        preference_save(
            actor=user, muted_in_app=[], muted_email=[], quiet_start=None, quiet_end=None, version=9
        )
    assert NotificationPreference.objects.get(user=user).quiet_start == time(22)
