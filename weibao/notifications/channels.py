"""How a ``Delivery`` leaves the building: SMTP email, and the robots' webhook formats and signatures.

Each sender either returns a short note for the delivery log or raises :class:`DeliveryError`.
Signatures follow each vendor's published scheme:

* DingTalk (钉钉自定义机器人, "加签"): ``sign = base64(HMAC-SHA256(key=secret, msg="<ms>\\n<secret>"))``,
  sent as ``&timestamp=<ms>&sign=<url-encoded sign>`` on the webhook URL; answers ``{"errcode": 0}``.
* WeCom (企业微信群机器人): no signature, the key is part of the URL; answers ``{"errcode": 0}``.
* Feishu / Lark (飞书自定义机器人, "签名校验"): ``sign = base64(HMAC-SHA256(key="<s>\\n<secret>", msg=""))``
  with ``timestamp`` (seconds) and ``sign`` in the JSON body; answers ``{"code": 0}``.
* Generic JSON: headers ``X-Weibao-Timestamp`` (seconds), ``X-Weibao-Event``, ``X-Weibao-Delivery`` and
  ``X-Weibao-Signature: sha256=<hex HMAC-SHA256(key=secret, msg="<timestamp>.<raw body>")>``; any 2xx.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection

from weibao.core.secrets import secret_decrypt
from weibao.notifications.choices import Channel, WebhookKind
from weibao.notifications.models import Delivery, Webhook

#: Robots cap message sizes (DingTalk 20,000 bytes, WeCom markdown 4,096): keep bodies well under.
ROBOT_TEXT_MAX = 3000
RESPONSE_MAX_BYTES = 64 * 1024


class DeliveryError(Exception):
    """A delivery attempt failed; ``permanent`` ones are not retried (a refused address, a bad URL)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def dingtalk_sign(*, secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature (not yet URL-encoded)."""
    message = f"{timestamp_ms}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def feishu_sign(*, secret: str, timestamp: int) -> str:
    """Feishu/Lark's signature: the key is "timestamp\\nsecret" and the message is empty."""
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def generic_sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The generic webhook's ``X-Weibao-Signature`` value."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def send(*, delivery: Delivery) -> str:
    """Send one delivery; return a note for the log or raise :class:`DeliveryError`."""
    if delivery.channel == Channel.EMAIL:
        return _send_email(delivery=delivery)
    if delivery.channel == Channel.WEBHOOK:
        if delivery.webhook is None:
            raise DeliveryError("the webhook was deleted", permanent=True)
        return _send_webhook(delivery=delivery, webhook=delivery.webhook)
    raise DeliveryError(f"unknown channel {delivery.channel!r}", permanent=True)


def _send_email(*, delivery: Delivery) -> str:
    if not delivery.to_address:
        raise DeliveryError("no address", permanent=True)
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=delivery.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.to_address],
        reply_to=[settings.WEIBAO_REPLY_TO] if settings.WEIBAO_REPLY_TO else None,
        headers=dict(delivery.headers),
    )
    if delivery.html_body:
        message.attach_alternative(delivery.html_body, "text/html")
    for attachment in delivery.attachments:
        try:
            with default_storage.open(attachment["path"], "rb") as handle:
                message.attach(attachment["name"], handle.read(), attachment.get("content_type"))
        except (OSError, KeyError) as exc:
            raise DeliveryError(f"attachment missing: {attachment.get('name', '?')}", permanent=True) from exc
    try:
        with get_connection(timeout=settings.EMAIL_TIMEOUT) as connection:
            sent = connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"recipient refused: {exc.recipients}", permanent=True) from exc
    except smtplib.SMTPResponseException as exc:
        # 5xx is the server's final word on this message; 4xx (greylisting, full queue) is worth a retry.
        raise DeliveryError(
            f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=exc.smtp_code >= 500
        ) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP: {exc}") from exc
    if not sent:
        raise DeliveryError("the mail backend sent nothing")
    return "sent to " + delivery.to_address


def _robot_text(delivery: Delivery) -> str:
    text = f"{delivery.subject}\n{delivery.body}".strip()
    return text if len(text) <= ROBOT_TEXT_MAX else text[: ROBOT_TEXT_MAX - 1] + "…"


def webhook_request(
    *, delivery: Delivery, webhook: Webhook, now: float | None = None
) -> urllib.request.Request:
    """The signed HTTP request for this delivery (built at send time: signatures carry the time)."""
    now = time.time() if now is None else now
    secret = secret_decrypt(stored=webhook.secret)
    url = webhook.url
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Weibao"}
    body: dict[str, Any]
    if webhook.kind == WebhookKind.DINGTALK:
        body = {"msgtype": "markdown", "markdown": {"title": delivery.subject, "text": _robot_text(delivery)}}
        if secret:
            timestamp_ms = int(now * 1000)
            sign = urllib.parse.quote_plus(dingtalk_sign(secret=secret, timestamp_ms=timestamp_ms))
            url += ("&" if "?" in url else "?") + f"timestamp={timestamp_ms}&sign={sign}"
    elif webhook.kind == WebhookKind.WECOM:
        body = {"msgtype": "markdown", "markdown": {"content": _robot_text(delivery)}}
    elif webhook.kind == WebhookKind.FEISHU:
        body = {"msg_type": "text", "content": {"text": _robot_text(delivery)}}
        if secret:
            timestamp = int(now)
            body = {
                "timestamp": str(timestamp),
                "sign": feishu_sign(secret=secret, timestamp=timestamp),
                **body,
            }
    else:
        body = {**delivery.payload, "delivery": delivery.pk}
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    if webhook.kind == WebhookKind.GENERIC:
        timestamp = int(now)
        headers["X-Weibao-Timestamp"] = str(timestamp)
        headers["X-Weibao-Event"] = delivery.event
        headers["X-Weibao-Delivery"] = str(delivery.pk)
        if secret:
            headers["X-Weibao-Signature"] = generic_sign(secret=secret, timestamp=timestamp, body=raw)
    return urllib.request.Request(url, data=raw, headers=headers, method="POST")  # noqa: S310 - URL checked on save


def _send_webhook(*, delivery: Delivery, webhook: Webhook) -> str:
    request = webhook_request(delivery=delivery, webhook=webhook)
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT) as response:  # noqa: S310
            status = response.status
            raw = response.read(RESPONSE_MAX_BYTES)
    except urllib.error.HTTPError as exc:
        # 4xx other than 408/429 will not get better by asking again.
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
        raise DeliveryError(f"HTTP {exc.code}", permanent=permanent) from exc
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"connection: {getattr(exc, 'reason', exc)}") from exc
    if webhook.kind == WebhookKind.GENERIC:
        return f"HTTP {status}"
    try:
        answer = json.loads(raw.decode("utf-8") or "{}")
    except ValueError as exc:
        raise DeliveryError(f"HTTP {status}, not JSON") from exc
    # DingTalk and WeCom: errcode; Feishu: code (newer) or StatusCode (older robots).
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
    if code not in (0, "0", None):
        message = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
        raise DeliveryError(f"robot refused: {code} {message}".strip())
    return f"HTTP {status}, ok"
