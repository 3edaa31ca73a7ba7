"""Outbound deliveries against real servers on loopback: an aiosmtpd SMTP sink and an HTTP receiver
that checks each robot vendor's signature scheme the way the vendor does (issue 4, "Outbound").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from django.utils import timezone

from tests import servers
from weibao.core.secrets import secret_decrypt
from weibao.notifications.channels import webhook_request
from weibao.notifications.choices import Channel, DeliveryStatus, NotifyEvent, WebhookKind
from weibao.notifications.models import Delivery, Webhook
from weibao.notifications.services import (
    DeliveryDraft,
    backoff,
    deliveries_due,
    delivery_attempt,
    delivery_queue,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sink(settings: Any) -> Iterator[servers.SmtpSink]:
    with servers.smtp_sink() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        settings.DEFAULT_FROM_EMAIL = "维保服务台 <support@weibao.test>"
        settings.WEIBAO_REPLY_TO = "support@weibao.test"
        yield server


@pytest.fixture
def receiver() -> Iterator[servers.WebhookReceiver]:
    with servers.webhook_receiver() as server:
        yield server


def _email(key: str = "ev1:email:c1", to: str = "zhang@hosp.test", **kwargs: Any) -> int:
    draft = DeliveryDraft(
        channel=Channel.EMAIL,
        event=NotifyEvent.AGENT_REPLIED,
        dedupe_key=key,
        subject="【工单 #1024】来自 王工 的回复: 门诊挂号系统无法打印发票",
        body="请重启打印服务后再试。\n\n回复此邮件即可补充。",
        html_body="<p>请重启打印服务后再试。</p>",
        to_address=to,
        headers={
            "Message-ID": "<ticket-1024.abc@weibao.test>",
            "In-Reply-To": "<ticket-1024.root@weibao.test>",
            "References": "<ticket-1024.root@weibao.test>",
        },
        ticket_number=1024,
        **kwargs,
    )
    (delivery_id,) = delivery_queue(drafts=[draft])
    return delivery_id


# --------------------------------------------------------------------------- email


def test_email_arrives_with_threading_headers_and_both_bodies(sink: servers.SmtpSink) -> None:
    delivery_id = _email()

    assert delivery_attempt(delivery_id=delivery_id).status == DeliveryStatus.SENT

    (message,) = sink.wait_for(1)
    # Django folds a long encoded subject onto the next line; readers drop the fold's space.
    assert message["Subject"].strip() == "【工单 #1024】来自 王工 的回复: 门诊挂号系统无法打印发票"
    assert message["To"] == "zhang@hosp.test"
    assert message["Reply-To"] == "support@weibao.test"
    assert message["Message-ID"] == "<ticket-1024.abc@weibao.test>"
    assert message["In-Reply-To"] == message["References"] == "<ticket-1024.root@weibao.test>"
    assert isinstance(message, EmailMessage)
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and "请重启打印服务后再试" in plain.get_content()
    assert html is not None and "<p>请重启打印服务后再试。</p>" in html.get_content()
    row = Delivery.objects.get(pk=delivery_id)
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SENT, 1, "")
    assert row.sent_at is not None and row.lease_until is None
    assert row.attempt_log[-1]["ok"] is True


def test_a_delivery_runs_twice_and_sends_once(sink: servers.SmtpSink) -> None:
    delivery_id = _email()
    delivery_attempt(delivery_id=delivery_id)
    again = delivery_attempt(delivery_id=delivery_id)

    assert again.status == DeliveryStatus.SENT
    assert len(sink.wait_for(1)) == 1
    assert Delivery.objects.get(pk=delivery_id).attempts == 1


def test_queuing_the_same_key_twice_creates_one_row() -> None:
    first = _email(key="ev7:email:u3")
    assert (
        delivery_queue(
            drafts=[
                DeliveryDraft(channel=Channel.EMAIL, event="closed", dedupe_key="ev7:email:u3", subject="x")
            ]
        )
        == []
    )
    assert Delivery.objects.filter(dedupe_key="ev7:email:u3").get().pk == first


def test_a_refused_recipient_fails_at_once(sink: servers.SmtpSink) -> None:
    sink.refuse.add("nobody@hosp.test")
    delivery_id = _email(to="nobody@hosp.test")

    result = delivery_attempt(delivery_id=delivery_id)

    assert result.status == DeliveryStatus.FAILED and result.retry_in is None
    row = Delivery.objects.get(pk=delivery_id)
    assert row.attempts == 1 and "refused" in row.last_error
    assert sink.messages == []


def test_an_unreachable_server_is_retried_with_backoff_then_given_up(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", servers.free_port(), 2
    delivery_id = _email()
    now = timezone.now()

    first = delivery_attempt(delivery_id=delivery_id, now=now)
    assert first.status == DeliveryStatus.QUEUED and first.retry_in == timedelta(seconds=30)
    row = Delivery.objects.get(pk=delivery_id)
    assert row.attempts == 1 and row.next_attempt_at == now + timedelta(seconds=30)
    assert "SMTP" in row.last_error

    # Not due yet: nobody may claim it (a duplicate task message does nothing).
    assert delivery_attempt(delivery_id=delivery_id, now=now + timedelta(seconds=10)).status == "queued"
    assert Delivery.objects.get(pk=delivery_id).attempts == 1

    at = now
    for attempt in range(2, Delivery.MAX_ATTEMPTS + 1):
        at += backoff(attempts=attempt - 1)
        result = delivery_attempt(delivery_id=delivery_id, now=at)
    assert result.status == DeliveryStatus.FAILED
    row = Delivery.objects.get(pk=delivery_id)
    assert row.attempts == Delivery.MAX_ATTEMPTS
    assert [entry["ok"] for entry in row.attempt_log] == [False] * Delivery.MAX_ATTEMPTS
    assert [backoff(attempts=n).total_seconds() for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]


def test_dispatch_finds_due_rows_and_expired_leases_but_not_fresh_or_held_ones() -> None:
    now = timezone.now()
    fresh = _email(key="a")
    stale = _email(key="b")
    held = _email(key="c", not_before=now + timedelta(hours=8))
    stuck = _email(key="d")
    Delivery.objects.filter(pk=stale).update(next_attempt_at=now - timedelta(minutes=2))
    Delivery.objects.filter(pk=stuck).update(
        status=DeliveryStatus.SENDING, lease_until=now - timedelta(seconds=1)
    )

    due = deliveries_due(now=now)

    assert set(due) == {stale, stuck}
    assert fresh not in due and held not in due
    assert set(deliveries_due(now=now + timedelta(hours=9))) >= {fresh, held}


def test_a_sending_row_with_a_live_lease_is_left_alone(sink: servers.SmtpSink) -> None:
    delivery_id = _email()
    Delivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.SENDING, lease_until=timezone.now() + timedelta(minutes=4)
    )
    assert delivery_attempt(delivery_id=delivery_id).status == DeliveryStatus.SENDING
    assert sink.messages == []


# --------------------------------------------------------------------------- robot webhooks


def _dingtalk_check(secret: str) -> Any:
    """DingTalk's server side: timestamp within an hour, sign = b64(HMAC-SHA256(secret, ts\\nsecret))."""

    def check(hit: servers.WebhookHit) -> dict[str, Any] | None:
        timestamp, sign = hit.query.get("timestamp", ""), hit.query.get("sign", "")
        if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > 3600 * 1000:
            return {"errcode": 310000, "errmsg": "timestamp invalid"}
        expected = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        if hmac.compare_digest(base64.b64decode(sign), expected):
            return None
        return {"errcode": 310000, "errmsg": "sign not match"}

    return check


def _feishu_check(secret: str) -> Any:
    """Feishu's server side: sign = b64(HMAC-SHA256(key=ts\\nsecret, msg=empty)) from the body."""

    def check(hit: servers.WebhookHit) -> dict[str, Any] | None:
        body = hit.json()
        key = f"{body.get('timestamp')}\n{secret}".encode()
        expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        return (
            None
            if body.get("sign") == expected
            else {
                "code": 19021,
                "msg": "sign match fail or timestamp is not within one hour from current time",
            }
        )

    return check


def _generic_check(secret: str) -> Any:
    def check(hit: servers.WebhookHit) -> dict[str, Any] | None:
        timestamp = hit.headers.get("x-weibao-timestamp", "")
        mac = hmac.new(secret.encode(), timestamp.encode() + b"." + hit.body, hashlib.sha256).hexdigest()
        return (
            None if hit.headers.get("x-weibao-signature") == f"sha256={mac}" else {"error": "bad signature"}
        )

    return check


def _webhook(receiver: servers.WebhookReceiver, *, kind: str, path: str, secret: str = "") -> Webhook:
    from weibao.core.secrets import secret_encrypt

    return Webhook.objects.create(
        name=f"{kind} 群", kind=kind, url=receiver.base_url + path, secret=secret_encrypt(value=secret)
    )


def _post(webhook: Webhook, key: str = "ev9") -> int:
    draft = DeliveryDraft(
        channel=Channel.WEBHOOK,
        event=NotifyEvent.SLA_BREACH,
        dedupe_key=f"{key}:webhook:w{webhook.pk}",
        subject="#1024 响应时限已超时",
        body="**门诊挂号系统无法打印发票**\n客户: 安庆市第一人民医院",
        webhook_id=webhook.pk,
        payload={"event": "sla_breach", "ticket": {"number": 1024, "title": "门诊挂号系统无法打印发票"}},
        ticket_number=1024,
    )
    (delivery_id,) = delivery_queue(drafts=[draft])
    return delivery_id


def test_dingtalk_robot_accepts_a_correctly_signed_markdown_post(receiver: servers.WebhookReceiver) -> None:
    receiver.checks["/robot/send"] = _dingtalk_check("SECdingtalk")
    webhook = _webhook(
        receiver, kind=WebhookKind.DINGTALK, path="/robot/send?access_token=t0k", secret="SECdingtalk"
    )

    assert delivery_attempt(delivery_id=_post(webhook)).status == DeliveryStatus.SENT

    (hit,) = receiver.hits
    assert hit.query["access_token"] == "t0k"
    body = hit.json()
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "#1024 响应时限已超时"
    assert "安庆市第一人民医院" in body["markdown"]["text"]
    webhook.refresh_from_db()
    assert webhook.last_sent_at is not None and webhook.last_error == ""


def test_dingtalk_refusal_of_a_wrong_signature_is_recorded_and_retried(
    receiver: servers.WebhookReceiver,
) -> None:
    receiver.checks["/robot/send"] = _dingtalk_check("the-real-secret")
    webhook = _webhook(receiver, kind=WebhookKind.DINGTALK, path="/robot/send?access_token=t", secret="stale")

    result = delivery_attempt(delivery_id=_post(webhook))

    assert result.status == DeliveryStatus.QUEUED and result.retry_in is not None
    webhook.refresh_from_db()
    assert "310000" in webhook.last_error and "sign not match" in webhook.last_error


def test_wecom_robot_gets_markdown_content(receiver: servers.WebhookReceiver) -> None:
    webhook = _webhook(receiver, kind=WebhookKind.WECOM, path="/cgi-bin/webhook/send?key=k1")

    assert delivery_attempt(delivery_id=_post(webhook)).status == DeliveryStatus.SENT

    body = receiver.hits[0].json()
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["content"].startswith("#1024 响应时限已超时\n**门诊挂号系统无法打印发票**")


def test_feishu_robot_accepts_a_correctly_signed_post(receiver: servers.WebhookReceiver) -> None:
    receiver.checks["/open-apis/bot/v2/hook/abc"] = _feishu_check("feishu-secret")
    receiver.replies["/open-apis/bot/v2/hook/abc"] = (200, {"code": 0, "msg": "success"})
    webhook = _webhook(
        receiver, kind=WebhookKind.FEISHU, path="/open-apis/bot/v2/hook/abc", secret="feishu-secret"
    )

    assert delivery_attempt(delivery_id=_post(webhook)).status == DeliveryStatus.SENT

    body = receiver.hits[0].json()
    assert body["msg_type"] == "text" and "响应时限已超时" in body["content"]["text"]
    assert abs(int(body["timestamp"]) - time.time()) < 60


def test_feishu_refusal_is_read_from_its_code(receiver: servers.WebhookReceiver) -> None:
    receiver.checks["/hook"] = _feishu_check("right")
    webhook = _webhook(receiver, kind=WebhookKind.FEISHU, path="/hook", secret="wrong")

    assert delivery_attempt(delivery_id=_post(webhook)).status == DeliveryStatus.QUEUED
    assert "19021" in Delivery.objects.get(webhook=webhook).last_error


def test_generic_webhook_is_signed_over_timestamp_and_body(receiver: servers.WebhookReceiver) -> None:
    receiver.checks["/hooks/weibao"] = _generic_check("s3cret")
    receiver.replies["/hooks/weibao"] = (204, None)
    webhook = _webhook(receiver, kind=WebhookKind.GENERIC, path="/hooks/weibao", secret="s3cret")
    delivery_id = _post(webhook)

    assert delivery_attempt(delivery_id=delivery_id).status == DeliveryStatus.SENT

    (hit,) = receiver.hits
    assert hit.headers["x-weibao-event"] == "sla_breach"
    assert hit.headers["x-weibao-delivery"] == str(delivery_id)
    assert hit.json() == {
        "event": "sla_breach",
        "ticket": {"number": 1024, "title": "门诊挂号系统无法打印发票"},
        "delivery": delivery_id,
    }


def test_a_changed_body_breaks_the_generic_signature() -> None:
    webhook = Webhook(kind=WebhookKind.GENERIC, url="https://example.test/h", secret="")
    from weibao.core.secrets import secret_encrypt

    webhook.secret = secret_encrypt(value="k")
    delivery = Delivery(pk=5, event="closed", payload={"a": 1}, webhook=webhook)
    request = webhook_request(delivery=delivery, webhook=webhook, now=1_700_000_000)
    assert request.data is not None
    body = bytes(request.data)  # type: ignore[arg-type]
    signature = request.get_header("X-weibao-signature")
    good = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    bad = hmac.new(b"k", b"1700000000." + body.replace(b"1", b"2"), hashlib.sha256).hexdigest()
    assert signature == f"sha256={good}" != f"sha256={bad}"


def test_a_client_error_is_final_a_server_error_is_retried(receiver: servers.WebhookReceiver) -> None:
    receiver.replies["/gone"] = (404, {"error": "no such hook"})
    receiver.replies["/busy"] = (503, None)
    gone = _webhook(receiver, kind=WebhookKind.GENERIC, path="/gone", secret="k")
    busy = _webhook(receiver, kind=WebhookKind.GENERIC, path="/busy", secret="k")

    assert delivery_attempt(delivery_id=_post(gone)).status == DeliveryStatus.FAILED
    assert delivery_attempt(delivery_id=_post(busy)).status == DeliveryStatus.QUEUED
    assert Delivery.objects.get(webhook=gone).last_error == "HTTP 404"


def test_secrets_are_stored_encrypted(receiver: servers.WebhookReceiver) -> None:
    webhook = _webhook(receiver, kind=WebhookKind.DINGTALK, path="/r", secret="SECabc")
    assert "SECabc" not in webhook.secret
    assert secret_decrypt(stored=webhook.secret) == "SECabc"
