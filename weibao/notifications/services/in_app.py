"""Every write of notifications: sending (by other services and jobs) and marking read (by the recipient).

``notification_send`` is called by other apps' services and Celery tasks (the SLA sweeper), not by
users, so it takes no ``actor``: whoever calls it has already decided who must be told. It is
idempotent per ``dedupe_key`` and safe inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.models import User
from weibao.core.errors import ValidationFailed
from weibao.notifications.choices import NotificationKind, NotificationLevel
from weibao.notifications.models import Notification
from weibao.notifications.selectors import notification_get, notification_list

TITLE_MAX_LENGTH = Notification._meta.get_field("title").max_length or 200
URL_MAX_LENGTH = Notification._meta.get_field("url").max_length or 500
DEDUPE_KEY_MAX_LENGTH = Notification._meta.get_field("dedupe_key").max_length or 200


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationFailed(_("A notification needs a title."), code="required", field="title")
    if len(title) > TITLE_MAX_LENGTH:
        # Titles are often built from a ticket's title: shorten rather than fail a background job.
        title = title[: TITLE_MAX_LENGTH - 1] + "…"
    return title


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    # Only links inside Weibao: a notification must never send its reader to another site.
    if not url.startswith("/") or url.startswith(("//", "/\\")) or any(c.isspace() for c in url):
        raise ValidationFailed(
            _("The link must be a path inside Weibao, starting with /."), code="invalid_url", field="url"
        )
    if len(url) > URL_MAX_LENGTH:
        raise ValidationFailed(_("The link is too long."), code="invalid_url", field="url")
    return url


def _validate(*, kind: str, level: str, dedupe_key: str) -> None:
    if kind not in NotificationKind.values:
        raise ValidationFailed(_("Unknown notification kind."), code="invalid_kind", field="kind")
    if level not in NotificationLevel.values:
        raise ValidationFailed(_("Unknown notification level."), code="invalid_level", field="level")
    if len(dedupe_key) > DEDUPE_KEY_MAX_LENGTH:
        raise ValidationFailed(
            _("The deduplication key is too long."), code="invalid_dedupe_key", field="dedupe_key"
        )


@dataclass(frozen=True)
class NotificationDraft:
    """One notification for several users: an item of :func:`notification_send_many`."""

    recipient_ids: Collection[int]
    kind: str
    title: str
    body: str = ""
    url: str = ""
    level: str = NotificationLevel.INFO
    dedupe_key: str = ""


def _cleaned(draft: NotificationDraft) -> NotificationDraft:
    dedupe_key = (draft.dedupe_key or "").strip()
    _validate(kind=draft.kind, level=draft.level, dedupe_key=dedupe_key)
    return NotificationDraft(
        recipient_ids=frozenset(pk for pk in draft.recipient_ids if pk is not None),
        kind=draft.kind,
        level=draft.level,
        title=_clean_title(draft.title),
        body=(draft.body or "").strip(),
        url=_clean_url(draft.url),
        dedupe_key=dedupe_key,
    )


def _active_user_ids(*, user_ids: set[int]) -> set[int]:
    return set(User.objects.filter(pk__in=user_ids, is_active=True).values_list("pk", flat=True))


def _already_sent(*, user_ids: set[int], dedupe_keys: set[str]) -> set[tuple[int, str]]:
    """The (recipient, key) pairs among these that exist already (one query)."""
    if not user_ids or not dedupe_keys:
        return set()
    existing = Notification.objects.filter(recipient_id__in=user_ids, dedupe_key__in=dedupe_keys)
    return set(existing.values_list("recipient_id", "dedupe_key"))


def _send(*, drafts: list[NotificationDraft]) -> list[Notification]:
    """The one write path: validate every draft, then a constant number of queries for all of them."""
    created, _count = _write(drafts=drafts, rows=True)
    return created


def _write(*, drafts: list[NotificationDraft], rows: bool) -> tuple[list[Notification], int]:
    """``_send``'s work; with ``rows=False`` it only counts the rows it created (no instances built)."""
    drafts = [_cleaned(draft) for draft in drafts]  # refuse bad input before the first query
    wanted = {pk for draft in drafts for pk in draft.recipient_ids}
    if not wanted:
        return [], 0
    active = _active_user_ids(user_ids=wanted)
    sent = _already_sent(user_ids=active, dedupe_keys={d.dedupe_key for d in drafts if d.dedupe_key})
    now = timezone.now()
    plain: list[Notification] = []
    keyed: dict[tuple[int, str], Notification] = {}
    for draft in drafts:
        for recipient_id in sorted(draft.recipient_ids):
            pair = (recipient_id, draft.dedupe_key)
            if recipient_id not in active or pair in sent or pair in keyed:
                continue
            row = Notification(
                recipient_id=recipient_id,
                kind=draft.kind,
                level=draft.level,
                title=draft.title,
                body=draft.body,
                url=draft.url,
                dedupe_key=draft.dedupe_key,
                created_at=now,
            )
            if draft.dedupe_key:
                keyed[pair] = row
            else:
                plain.append(row)
    created = Notification.objects.bulk_create(plain) if plain else []
    count = len(created)
    if keyed:
        # INSERT ... ON CONFLICT DO NOTHING (PostgreSQL) / INSERT OR IGNORE (SQLite): a row a
        # concurrent sender wrote since the check above is skipped, not an IntegrityError.
        Notification.objects.bulk_create(list(keyed.values()), ignore_conflicts=True)
        # Ignored conflicts leave primary keys unset, so read the rows back; their creation time
        # tells ours apart from a concurrent sender's.
        written = Notification.objects.filter(
            created_at=now,
            recipient_id__in={pair[0] for pair in keyed},
            dedupe_key__in={pair[1] for pair in keyed},
        )
        if rows:
            ours = [
                row
                for row in written.order_by("recipient_id", "id")
                if (row.recipient_id, row.dedupe_key) in keyed
            ]
            created += ours
            count += len(ours)
        else:
            # Counting needs only the two columns: no model instance per row (a sweep sends thousands).
            count += sum(1 for pair in written.values_list("recipient_id", "dedupe_key") if pair in keyed)
    return created, count


@transaction.atomic
def notification_send(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    level: str = NotificationLevel.INFO,
    dedupe_key: str = "",
) -> list[Notification]:
    """Notify each active user in ``recipients`` in the app; return the notifications this call created.

    Inactive users are skipped and a recipient listed twice is notified once. With a non-empty
    ``dedupe_key``, a recipient who already has a notification with that key gets nothing new, so a
    job that runs twice (or two workers racing) notifies once: the database's unique constraint on
    (recipient, dedupe_key) settles races without raising, so an outer transaction stays usable.
    A constant number of queries whatever the number of recipients. ``url`` must be a path inside
    Weibao (``/tickets/42/``); ``body`` is plain text; a title over 200 characters is shortened.
    """
    draft = NotificationDraft(
        recipient_ids={user.pk for user in recipients},
        kind=kind,
        title=title,
        body=body,
        url=url,
        level=level,
        dedupe_key=dedupe_key,
    )
    return _send(drafts=[draft])


@transaction.atomic
def notification_send_many(*, drafts: Iterable[NotificationDraft]) -> int:
    """Send many notifications at once (a sweeper's batch); return how many rows were created.

    The same rules as :func:`notification_send` for each draft (inactive users skipped, one row per
    recipient and ``dedupe_key``, also across drafts of one call), in a constant number of queries
    however many drafts and recipients. A bad draft refuses the whole batch before anything is written.
    """
    cleaned = [_cleaned(draft) for draft in drafts]  # refuse bad input before the first query
    if connection.vendor == "postgresql":
        return _insert_unnest(drafts=cleaned)
    _created, count = _write(drafts=cleaned, rows=False)
    return count


def _insert_unnest(*, drafts: list[NotificationDraft]) -> int:
    """PostgreSQL: every row of every draft in one ``INSERT ... SELECT`` over arrays; return the count.

    A sweep fans 1,000 alerts out to ~7,000 rows. Building a model instance and eight bound parameters
    per row cost more than the rest of the sweep (bench/bench_sla_sweep.py); here the drafts travel
    once as arrays, each recipient as a (user, draft number) pair, and the database joins them, skips
    inactive users, and lets ``ON CONFLICT DO NOTHING`` (the partial unique index on recipient and
    key) settle repeats and racing senders. ``RETURNING`` counts only the rows this call inserted.
    """
    recipients: list[int] = []
    draft_numbers: list[int] = []
    seen: set[tuple[int, str]] = set()
    for number, draft in enumerate(drafts, start=1):
        for recipient_id in sorted(draft.recipient_ids):
            pair = (recipient_id, draft.dedupe_key)
            if draft.dedupe_key and pair in seen:
                continue  # the same key for the same user twice in one call: the first draft wins
            seen.add(pair)
            recipients.append(recipient_id)
            draft_numbers.append(number)
    if not recipients:
        return 0
    table = Notification._meta.db_table
    users = User._meta.db_table
    sql = (
        f"INSERT INTO {table} "  # noqa: S608 - table names from the models, values bound
        "(recipient_id, kind, level, title, body, url, dedupe_key, created_at) "
        "SELECT r.recipient_id, d.kind, d.level, d.title, d.body, d.url, d.dedupe_key, %s "
        "FROM unnest(%s::bigint[], %s::int[]) AS r(recipient_id, n) "
        "JOIN unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[]) "
        "WITH ORDINALITY AS d(kind, level, title, body, url, dedupe_key, n) ON d.n = r.n "
        f"JOIN {users} u ON u.id = r.recipient_id AND u.is_active "
        "ORDER BY r.recipient_id, r.n "  # a stable lock order on the unique index between racing senders
        "ON CONFLICT DO NOTHING RETURNING 1"
    )
    params: list[Any] = [
        timezone.now(),
        recipients,
        draft_numbers,
        [d.kind for d in drafts],
        [d.level for d in drafts],
        [d.title for d in drafts],
        [d.body for d in drafts],
        [d.url for d in drafts],
        [d.dedupe_key for d in drafts],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())


@transaction.atomic
def notification_mark_read(*, actor: Any, notification_id: int) -> Notification:
    """Mark one of the actor's own notifications read (again: no change). Another user's id is a 404."""
    notification = notification_get(actor=actor, notification_id=notification_id)
    if notification.read_at is None:
        now = timezone.now()
        # Conditional UPDATE: a concurrent "mark all read" keeps its (earlier) time.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: Any) -> int:
    """Mark every unread notification of the actor read; return how many changed."""
    return notification_list(actor=actor, unread_only=True).update(read_at=timezone.now())
