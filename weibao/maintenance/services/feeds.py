"""Calendar feeds (PLN-2): a secret URL per engineer or per customer, created and revoked by people
allowed to see that calendar. The token is shown once; only its hash is kept."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.choices import Perm
from weibao.accounts.permissions import has_perm, is_portal_user, is_staff_user
from weibao.core.errors import NotFound, PermissionDenied
from weibao.customers.models import Customer
from weibao.maintenance.models import CalendarFeed
from weibao.maintenance.selectors import feed_hash

TOKEN_PREFIX = "cal_"  # noqa: S105 - a public marker, not a secret


def _may_own_customer_feed(actor: Any, customer_id: int) -> bool:
    if is_portal_user(user=actor):
        contact = getattr(actor, "contact", None)
        return contact is not None and contact.customer_id == customer_id
    return is_staff_user(user=actor) and (
        has_perm(user=actor, perm=Perm.PLAN_MANAGE) or has_perm(user=actor, perm=Perm.CUSTOMER_MANAGE)
    )


@transaction.atomic
def feed_create(*, actor: Any, customer_id: int | None = None) -> tuple[CalendarFeed, str]:
    """A new feed: the actor's own work (staff), or a customer's visits and calls. Returns the row and
    the URL token, which is never stored and never shown again."""
    customer = None
    if customer_id is not None:
        customer = Customer.objects.filter(pk=customer_id).first()
        if customer is None or not _may_own_customer_feed(actor, customer_id):
            raise NotFound(_("Customer not found."), code="customer_not_found")
    elif not is_staff_user(user=actor):
        raise PermissionDenied(
            _("Portal users subscribe to their organisation's calendar."), code="permission_denied"
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        key_hash=feed_hash(raw=raw),
        prefix=raw[:12],
        user=None if customer else actor,
        customer=customer,
        created_by=actor,
    )
    return feed, raw


@transaction.atomic
def feed_revoke(*, actor: Any, feed_id: int) -> CalendarFeed:
    """End a feed: its URL answers 404 from now on."""
    feed = CalendarFeed.objects.select_for_update().filter(pk=feed_id, revoked_at__isnull=True).first()
    allowed = feed is not None and (
        feed.created_by_id == actor.pk
        or feed.user_id == actor.pk
        or (feed.customer_id and _may_own_customer_feed(actor, feed.customer_id))
    )
    if feed is None or not allowed:
        raise NotFound(_("Calendar feed not found."), code="feed_not_found")
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    return feed
