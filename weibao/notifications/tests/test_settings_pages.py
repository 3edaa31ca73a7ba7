"""Notification settings through the pages and the API: preferences, rules, webhooks, delivery log."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests import servers
from tests.json_api import JsonApi
from weibao.accounts.tests.factories import TeamFactory, staff_user
from weibao.core.secrets import secret_decrypt
from weibao.notifications.choices import Channel, DeliveryStatus, NotifyEvent
from weibao.notifications.models import Delivery, NotificationPreference, NotificationRule, Webhook
from weibao.notifications.services import rules_fingerprint

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> Any:
    return staff_user(role_codes=["admin"])


@pytest.fixture
def admin_client(admin: Any) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def _failed_delivery(**kwargs: Any) -> Delivery:
    fields: dict[str, Any] = {
        "channel": Channel.EMAIL,
        "event": NotifyEvent.CLOSED,
        "dedupe_key": "ev1:email:c1",
        "subject": "【工单 #7】工单已关闭",
        "to_address": "zhang@hosp.test",
        "status": DeliveryStatus.FAILED,
        "attempts": 6,
        "last_error": "SMTP: connection refused",
        "ticket_number": 7,
    }
    return Delivery.objects.create(**(fields | kwargs))


def test_a_user_switches_off_email_for_an_event_and_sets_quiet_hours() -> None:
    user = staff_user(role_codes=["support_engineer"])
    client = Client()
    client.force_login(user)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200 and 'data-testid="preference-row"' in page.content.decode()

    data = {f"app_{e}": "on" for e in NotifyEvent.values}
    data |= {f"email_{e}": "on" for e in NotifyEvent.values if e != NotifyEvent.TICKET_CREATED}
    data |= {"quiet_start": "22:00", "quiet_end": "07:30"}
    response = client.post(reverse("notifications:preferences"), data)

    assert response.status_code == 302
    saved = NotificationPreference.objects.get(user=user)
    assert saved.muted_email == ["ticket_created"] and saved.muted_in_app == []
    assert saved.quiet_start is not None and saved.quiet_start.isoformat() == "22:00:00"


def test_half_a_quiet_window_is_refused_beside_the_field() -> None:
    user = staff_user(role_codes=["agent"])
    client = Client()
    client.force_login(user)
    response = client.post(reverse("notifications:preferences"), {"quiet_start": "22:00"})
    assert response.status_code == 422
    assert 'data-testid="error-quiet_end"' in response.content.decode()
    assert not NotificationPreference.objects.filter(user=user).exists()


def test_the_rules_grid_page_saves_the_ticked_cells(admin_client: Client) -> None:
    page = admin_client.get(reverse("notifications:rules"))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="rule-sla_breach"' in html
    assert 'name="sla_breach__contact__email"' not in html  # contacts never hear of internal events

    response = admin_client.post(
        reverse("notifications:rules"),
        {
            "fingerprint": rules_fingerprint(),
            "ticket_assigned__team__app": "on",
            "closed__contact__email": "on",
        },
    )

    assert response.status_code == 302
    assert set(NotificationRule.objects.values_list("event", "audience", "in_app", "email")) == {
        ("ticket_assigned", "team", True, False),
        ("closed", "contact", False, True),
    }


def test_a_stale_rules_grid_is_refused(admin_client: Client, admin: Any) -> None:
    before = set(NotificationRule.objects.values_list("event", "audience"))
    response = admin_client.post(
        reverse("notifications:rules"), {"fingerprint": "stale", "closed__team__app": "on"}
    )
    assert response.status_code == 409
    assert set(NotificationRule.objects.values_list("event", "audience")) == before


def test_settings_pages_are_for_administrators_only() -> None:
    client = Client()
    client.force_login(staff_user(role_codes=["agent", "service_manager"]))
    for name in ("notifications:rules", "notifications:webhooks", "notifications:deliveries", "jobs:list"):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("notifications:webhook_create"), {"name": "x"}).status_code == 403
    assert not Webhook.objects.exists()


def test_a_webhook_is_created_on_its_page_and_its_secret_never_shown(admin_client: Client) -> None:
    team = TeamFactory.create(name="运维组")
    response = admin_client.post(
        reverse("notifications:webhook_create"),
        {
            "name": "运维钉钉群",
            "kind": "dingtalk",
            "url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
            "secret": "SECtopsecret",
            "team": team.pk,
            "events": ["sla_breach", "ticket_created"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    webhook = Webhook.objects.get()
    assert secret_decrypt(stored=webhook.secret) == "SECtopsecret"
    edit = admin_client.get(reverse("notifications:webhook_edit", args=[webhook.pk])).content.decode()
    listing = admin_client.get(reverse("notifications:webhooks")).content.decode()
    assert "SECtopsecret" not in edit and "SECtopsecret" not in listing
    assert "运维组" in listing


def test_a_webhook_with_a_bad_url_shows_the_error_beside_the_field(
    admin_client: Client, settings: Any
) -> None:
    settings.WEBHOOK_ALLOW_HTTP = False
    response = admin_client.post(
        reverse("notifications:webhook_create"), {"name": "x", "kind": "wecom", "url": "http://example.test/"}
    )
    assert response.status_code == 422 and 'data-testid="error-url"' in response.content.decode()


def test_send_a_test_message_from_the_page(admin_client: Client) -> None:
    with servers.webhook_receiver() as receiver:
        webhook = Webhook.objects.create(name="群", kind="wecom", url=receiver.base_url + "/send?key=k")
        response = admin_client.post(reverse("notifications:webhook_test", args=[webhook.pk]), follow=True)
        assert "The test message was delivered." in response.content.decode()
        assert receiver.hits[0].json()["msgtype"] == "markdown"
        receiver.replies["/send"] = (200, {"errcode": 93000, "errmsg": "invalid webhook url"})
        response = admin_client.post(reverse("notifications:webhook_test", args=[webhook.pk]), follow=True)
        assert "93000" in response.content.decode()
    webhook.refresh_from_db()
    assert "93000" in webhook.last_error
    assert not Delivery.objects.exists()  # a test is not a notification: the log is left alone


def test_the_delivery_log_filters_and_resends(admin_client: Client) -> None:
    failed = _failed_delivery()
    _failed_delivery(dedupe_key="ev2:email:c1", ticket_number=8, status=DeliveryStatus.SENT, last_error="")

    html = admin_client.get(reverse("notifications:deliveries"), {"status": "failed"}).content.decode()
    assert html.count('data-testid="delivery"') == 1 and "connection refused" in html

    admin_client.post(reverse("notifications:delivery_retry", args=[failed.pk]))
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.QUEUED and failed.attempts == 0


def test_api_preferences_rules_webhooks_and_deliveries(admin: Any) -> None:
    api = JsonApi(admin)
    assert api.get("/notifications/preferences").json()["version"] is None
    saved = api.put(
        "/notifications/preferences",
        {"muted_email": ["closed"], "quiet_start": "21:00:00", "quiet_end": "08:00:00"},
    )
    assert saved.status_code == 200 and saved.json()["muted_email"] == ["closed"]
    bad = api.put("/notifications/preferences", {"muted_email": ["nope"]})
    assert bad.status_code == 422 and bad.json()["field"] == "muted_email"

    grid = api.get("/notification-rules").json()
    assert {"event": "sla_breach", "audience": "service_managers", "in_app": True, "email": True} in grid[
        "cells"
    ]
    cells = [{"event": "closed", "audience": "contact", "email": True}]
    assert (
        api.put("/notification-rules", {"cells": cells, "fingerprint": grid["fingerprint"]}).status_code
        == 200
    )
    stale = api.put("/notification-rules", {"cells": [], "fingerprint": grid["fingerprint"]})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"

    created = api.post(
        "/webhooks", {"name": "通用", "kind": "generic", "url": "https://hooks.example.test/w", "secret": "k"}
    )
    assert created.status_code == 201
    body = created.json()
    assert body["has_secret"] is True and "secret" not in body
    missing_secret = api.post("/webhooks", {"name": "无密钥", "kind": "generic", "url": "https://x.test/"})
    assert missing_secret.status_code == 422 and missing_secret.json()["field"] == "secret"
    assert api.delete(f"/webhooks/{body['id']}").status_code == 204

    _failed_delivery()
    page = api.get("/deliveries", status="failed").json()
    assert [d["ticket_number"] for d in page["items"]] == [7]
    assert api.post(f"/deliveries/{page['items'][0]['id']}/retry").json()["status"] == "queued"


def test_api_settings_refuse_non_administrators() -> None:
    api = JsonApi(staff_user(role_codes=["agent"]))
    assert api.get("/notification-rules").status_code == 403
    assert api.get("/deliveries").status_code == 403
    assert api.post("/webhooks", {"name": "x", "kind": "wecom", "url": "https://a.test/"}).status_code == 403
    assert api.get("/notifications/preferences").status_code == 200  # one's own preferences: everyone
