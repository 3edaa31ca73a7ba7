"""Notification settings: the rules (administrators), robot webhooks (administrators) and each user's
own preferences. Everything is validated before the first write; versions refuse stale edits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import time
from typing import Any, TypedDict
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from weibao.accounts.models import Team
from weibao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weibao.core.secrets import secret_encrypt
from weibao.customers.models import Customer
from weibao.notifications.choices import (
    CONTACT_EVENTS,
    RULE_EVENTS,
    Channel,
    NotifyEvent,
    RuleAudience,
    WebhookKind,
)
from weibao.notifications.models import NotificationPreference, NotificationRule, Webhook
from weibao.notifications.permissions import can_manage_notifications, can_use_notifications


def _require_admin(actor: Any) -> None:
    if not can_manage_notifications(user=actor):
        raise PermissionDenied(_("You may not change notification settings."), code="permission_denied")


def _check_version(*, current: int, given: int | None) -> None:
    if given is not None and given != current:
        raise Conflict(_("Someone else changed this meanwhile. Reload and try again."), code="stale_version")


def _events(values: Any, *, field: str) -> list[str]:
    chosen = list(dict.fromkeys(values or []))
    if any(value not in NotifyEvent.values for value in chosen):
        raise ValidationFailed(_("Unknown event."), code="invalid_choice", field=field)
    return [value for value in NotifyEvent.values if value in chosen]  # the vocabulary's order


@dataclass(frozen=True)
class RuleCell:
    """One cell of the rules grid: ``audience`` is told about ``event`` in the app and/or by email."""

    event: str
    audience: str
    in_app: bool = False
    email: bool = False


def rules_fingerprint() -> str:
    """A short digest of the whole grid as stored; the grid form sends it back to detect stale edits."""
    rows = NotificationRule.objects.order_by("event", "audience").values_list(
        "event", "audience", "in_app", "email"
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:16]


@transaction.atomic
def rules_save(*, actor: Any, cells: list[RuleCell], fingerprint: str | None = None) -> int:
    """Replace the rules grid with ``cells`` (missing cells: nobody told); return the cells switched on.

    All or nothing: every cell is checked first. With ``fingerprint`` (from :func:`rules_fingerprint`)
    a grid someone else saved meanwhile is refused with 409 instead of overwritten.
    """
    _require_admin(actor)
    wanted: dict[tuple[str, str], RuleCell] = {}
    for cell in cells:
        if cell.event not in RULE_EVENTS:
            raise ValidationFailed(_("Unknown event."), code="invalid_choice", field="event")
        if cell.audience not in RuleAudience.values:
            raise ValidationFailed(_("Unknown audience."), code="invalid_choice", field="audience")
        if cell.audience == RuleAudience.CONTACT and cell.in_app:
            raise ValidationFailed(
                _("Customer contacts can only be told by email."), code="invalid", field="in_app"
            )
        if cell.audience == RuleAudience.CONTACT and cell.email and cell.event not in CONTACT_EVENTS:
            raise ValidationFailed(
                _("Customers are never told about internal events such as %(event)s.")
                % {"event": NotifyEvent(cell.event).label},
                code="internal_event",
                field="email",
            )
        if cell.in_app or cell.email:
            wanted[(cell.event, cell.audience)] = cell
    # Lock the grid (every row) so two saves queue behind each other, then compare.
    list(NotificationRule.objects.select_for_update().values_list("pk", flat=True))
    if fingerprint is not None and fingerprint != rules_fingerprint():
        raise Conflict(
            _("Someone else changed the rules meanwhile. Reload and try again."), code="stale_version"
        )
    existing = {(r.event, r.audience): r for r in NotificationRule.objects.all()}
    for key, rule in existing.items():
        if key not in wanted:
            rule.delete()
    try:
        with transaction.atomic():
            for key, cell in wanted.items():
                rule = existing.get(key) or NotificationRule(event=cell.event, audience=cell.audience)
                if rule.pk is None or (rule.in_app, rule.email) != (cell.in_app, cell.email):
                    rule.in_app, rule.email = cell.in_app, cell.email
                    rule.version = (rule.version or 0) + 1 if rule.pk else 1
                    rule.save()
    except IntegrityError as exc:
        # An empty grid has no row to lock: two first saves at once meet here instead.
        raise Conflict(
            _("Someone else changed the rules meanwhile. Reload and try again."), code="stale_version"
        ) from exc
    return len(wanted)


class WebhookFields(TypedDict, total=False):
    """What :func:`webhook_save` accepts; an empty ``secret`` keeps the stored one."""

    name: str
    kind: str
    url: str
    secret: str
    team_id: int | None
    customer_id: int | None
    events: list[str]
    is_active: bool


def _webhook_url(value: str) -> str:
    url = value.strip()
    parts = urlsplit(url)
    allowed = {"https", "http"} if settings.WEBHOOK_ALLOW_HTTP else {"https"}
    if parts.scheme not in allowed or not parts.hostname or len(url) > 500 or any(c.isspace() for c in url):
        raise ValidationFailed(
            _("Give the robot's https:// address as its app shows it."), code="invalid_url", field="url"
        )
    return url


@transaction.atomic
def webhook_save(
    *, actor: Any, webhook_id: int | None, fields: WebhookFields, version: int | None = None
) -> Webhook:
    """Create or change a robot webhook. The secret is stored encrypted and never shown again."""
    _require_admin(actor)
    name = " ".join(str(fields.get("name") or "").split())
    if not name:
        raise ValidationFailed(_("This field is required."), code="required", field="name")
    if len(name) > 100:
        raise ValidationFailed(_("At most %(n)s characters.") % {"n": 100}, code="too_long", field="name")
    kind = fields.get("kind")
    if kind not in WebhookKind.values:
        raise ValidationFailed(_("Choose a valid option."), code="invalid_choice", field="kind")
    url = _webhook_url(str(fields.get("url") or ""))
    team_id, customer_id = fields.get("team_id"), fields.get("customer_id")
    if team_id is not None and not Team.objects.filter(pk=team_id).exists():
        raise ValidationFailed(_("Unknown team."), code="invalid_reference", field="team_id")
    if customer_id is not None and not Customer.objects.filter(pk=customer_id).exists():
        raise ValidationFailed(_("Unknown customer."), code="invalid_reference", field="customer_id")
    events = _events(fields.get("events"), field="events")
    secret = str(fields.get("secret") or "").strip()
    if webhook_id is None:
        webhook = Webhook()
    else:
        found = Webhook.objects.select_for_update().filter(pk=webhook_id).first()
        if found is None:
            raise NotFound(_("Webhook not found."), code="webhook_not_found")
        webhook = found
        _check_version(current=webhook.version, given=version)
        webhook.version += 1
    if kind == WebhookKind.GENERIC and not (secret or webhook.secret):
        raise ValidationFailed(
            _("A generic webhook needs a signing secret so the receiver can check each call."),
            code="required",
            field="secret",
        )
    webhook.name, webhook.kind, webhook.url = name, kind, url
    webhook.team_id, webhook.customer_id, webhook.events = team_id, customer_id, events
    webhook.is_active = bool(fields.get("is_active", True))
    if secret:
        webhook.secret = secret_encrypt(value=secret)
    webhook.save()
    return webhook


@transaction.atomic
def webhook_delete(*, actor: Any, webhook_id: int) -> None:
    """Remove a webhook; its delivery log stays (the rows keep their text, the link is cleared)."""
    _require_admin(actor)
    deleted, _rows = Webhook.objects.filter(pk=webhook_id).delete()
    if not deleted:
        raise NotFound(_("Webhook not found."), code="webhook_not_found")


@transaction.atomic
def preference_save(
    *,
    actor: Any,
    muted_in_app: list[str],
    muted_email: list[str],
    quiet_start: time | None,
    quiet_end: time | None,
    version: int | None = None,
) -> NotificationPreference:
    """The actor's own notification preferences (anyone signed in)."""
    if not can_use_notifications(user=actor):
        raise PermissionDenied(_("Sign in to change your notifications."), code="permission_denied")
    in_app = _events(muted_in_app, field="muted_in_app")
    email = _events(muted_email, field="muted_email")
    if (quiet_start is None) != (quiet_end is None):
        raise ValidationFailed(
            _("Give both the start and the end of the quiet hours, or neither."),
            code="required",
            field="quiet_end",
        )
    if quiet_start is not None and quiet_start == quiet_end:
        raise ValidationFailed(
            _("The quiet hours cannot start and end at the same time."), code="invalid", field="quiet_end"
        )
    preference, created = NotificationPreference.objects.select_for_update().get_or_create(user_id=actor.pk)
    if not created:
        _check_version(current=preference.version, given=version)
        preference.version += 1
    preference.muted_in_app, preference.muted_email = in_app, email
    preference.quiet_start, preference.quiet_end = quiet_start, quiet_end
    preference.save()
    return preference


#: The channels a user may mute per event (robots post to groups, not to a person).
PERSONAL_CHANNELS = (Channel.IN_APP, Channel.EMAIL)
