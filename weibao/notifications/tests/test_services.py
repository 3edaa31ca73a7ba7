"""notification_send (idempotent, inactive users skipped, validated) and marking read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from weibao.accounts.models import User
from weibao.accounts.tests.factories import UserFactory
from weibao.core.errors import NotFound, ValidationFailed
from weibao.notifications import services
from weibao.notifications.choices import NotificationKind, NotificationLevel
from weibao.notifications.models import Notification
from weibao.notifications.services import in_app
from weibao.notifications.tests.factories import NotificationFactory, portal_account

pytestmark = pytest.mark.django_db


def _user(**kwargs: Any) -> User:
    return UserFactory.create(**kwargs)


def _send(recipients: list[User], **kwargs: Any) -> list[Notification]:
    defaults: dict[str, Any] = {"kind": NotificationKind.SLA_WARNING, "title": "工单 #42 即将超时"}
    return services.notification_send(recipients=recipients, **{**defaults, **kwargs})


# --------------------------------------------------------------------------- send


def test_send_creates_one_row_per_recipient() -> None:
    alice, bob = _user(), _user()
    created = _send([alice, bob], body="请尽快处理", url="/tickets/42/", level=NotificationLevel.WARNING)
    assert sorted(n.recipient_id for n in created) == sorted([alice.pk, bob.pk])
    assert all(n.pk for n in created)
    row = Notification.objects.get(recipient=alice)
    assert (row.kind, row.level, row.title, row.body, row.url) == (
        "sla_warning", "warning", "工单 #42 即将超时", "请尽快处理", "/tickets/42/",
    )  # fmt: skip
    assert row.read_at is None
    assert row.created_at is not None


def test_same_dedupe_key_twice_creates_one_row() -> None:
    alice = _user()
    first = _send([alice], dedupe_key="sla:42:warning")
    second = _send([alice], dedupe_key="sla:42:warning")
    assert len(first) == 1
    assert second == []
    assert Notification.objects.filter(recipient=alice).count() == 1


def test_same_dedupe_key_for_two_recipients_one_row_each() -> None:
    alice, bob = _user(), _user()
    _send([alice], dedupe_key="sla:42:breach")
    created = _send([alice, bob], dedupe_key="sla:42:breach")
    assert [n.recipient_id for n in created] == [bob.pk]
    again = _send([alice, bob], dedupe_key="sla:42:breach")
    assert again == []
    assert Notification.objects.filter(dedupe_key="sla:42:breach").count() == 2
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {alice.pk, bob.pk}


def test_different_keys_and_no_key_create_new_rows() -> None:
    alice = _user()
    _send([alice], dedupe_key="sla:42:warning")
    _send([alice], dedupe_key="sla:42:breach")
    _send([alice])
    _send([alice])
    assert Notification.objects.filter(recipient=alice).count() == 4


def test_recipient_listed_twice_is_notified_once() -> None:
    alice = _user()
    assert len(_send([alice, alice])) == 1
    assert len(_send([alice, alice], dedupe_key="k")) == 1
    assert Notification.objects.filter(recipient=alice).count() == 2


def test_inactive_users_are_skipped() -> None:
    active, inactive = _user(), _user(is_active=False)
    created = _send([active, inactive], dedupe_key="k")
    assert [n.recipient_id for n in created] == [active.pk]
    assert not Notification.objects.filter(recipient=inactive).exists()


def test_active_flag_is_read_from_the_database_not_the_passed_object() -> None:
    user = _user()
    User.objects.filter(pk=user.pk).update(is_active=False)  # deactivated since the caller loaded it
    assert _send([user]) == []


def test_no_recipients_is_a_no_op() -> None:
    assert _send([]) == []
    assert _send([_user(is_active=False)]) == []
    assert not Notification.objects.exists()


def test_portal_users_can_be_notified() -> None:
    portal = portal_account()
    assert len(_send([portal], kind=NotificationKind.GENERIC)) == 1


def test_a_racing_sender_wrote_first_nothing_raises_and_one_row_stays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The unique constraint settles a race: the loser's insert is ignored, its transaction stays usable."""
    alice, bob = _user(), _user()
    # Another worker committed alice's row between our check and our insert: the check saw neither.
    racer = NotificationFactory.create(recipient=alice, dedupe_key="sla:7:breach")
    monkeypatch.setattr(in_app, "_already_sent", lambda *, user_ids, dedupe_keys: set())
    with transaction.atomic():
        created = _send([alice, bob], dedupe_key="sla:7:breach")
        # Only bob's row is ours; alice keeps the racer's and the outer transaction still works.
        assert [n.recipient_id for n in created] == [bob.pk]
        assert Notification.objects.filter(dedupe_key="sla:7:breach").count() == 2
    assert Notification.objects.get(recipient=alice).pk == racer.pk


def test_send_inside_an_outer_transaction_that_rolls_back_leaves_nothing() -> None:
    alice = _user()

    class Boom(Exception):
        pass

    def job() -> None:
        with transaction.atomic():
            _send([alice], dedupe_key="k")
            raise Boom

    with pytest.raises(Boom):
        job()
    assert not Notification.objects.exists()
    # ...and the key is free again for the retried job.
    assert len(_send([alice], dedupe_key="k")) == 1


@pytest.mark.parametrize("dedupe_key", ["", "sla:1:warning"])
def test_send_runs_a_constant_number_of_queries(dedupe_key: str) -> None:
    few = [_user() for _ in range(2)]
    many = [_user() for _ in range(30)]
    with CaptureQueriesContext(connection) as small:
        _send(few, dedupe_key=dedupe_key)
    with CaptureQueriesContext(connection) as large:
        _send(many, dedupe_key=dedupe_key)
    # savepoint, active users, existing keys, insert, read back, release
    assert len(large.captured_queries) == len(small.captured_queries) <= 6


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"kind": "nonsense"}, "kind"),
        ({"level": "loud"}, "level"),
        ({"url": "https://evil.example.com/"}, "url"),
        ({"url": "//evil.example.com/"}, "url"),
        ({"url": "/\\evil.example.com"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "/" + "a" * 600}, "url"),
        ({"dedupe_key": "k" * 201}, "dedupe_key"),
    ],
)
def test_bad_input_is_refused_before_any_write(changes: dict[str, str], field: str) -> None:
    alice = _user()
    with pytest.raises(ValidationFailed) as info:
        _send([alice], **changes)
    assert info.value.field == field
    assert not Notification.objects.exists()


def test_long_titles_are_shortened_not_refused() -> None:
    (row,) = _send([_user()], title="长" * 300)
    assert len(row.title) == 200
    assert row.title.endswith("…")


# --------------------------------------------------------------------------- send many (the SLA sweeper)


def _draft(users: list[User], **kwargs: Any) -> services.NotificationDraft:
    defaults: dict[str, Any] = {"kind": NotificationKind.SLA_BREACH, "title": "工单 #7 响应超时"}
    return services.NotificationDraft(recipient_ids={u.pk for u in users}, **{**defaults, **kwargs})


def test_send_many_is_idempotent_per_recipient_and_key() -> None:
    alice, bob, gone = _user(), _user(), _user(is_active=False)
    drafts = [
        _draft([alice, bob, gone], dedupe_key="sla:1:1"),
        _draft([alice], dedupe_key="sla:1:2", level=NotificationLevel.DANGER),
        _draft([bob], dedupe_key="sla:1:1"),  # the same pair again within the batch
        _draft([alice]),  # no key: always sent
    ]
    assert services.notification_send_many(drafts=drafts) == 4
    assert services.notification_send_many(drafts=drafts) == 1  # only the keyless one again
    pairs = sorted(Notification.objects.exclude(dedupe_key="").values_list("recipient_id", "dedupe_key"))
    assert pairs == sorted([(alice.pk, "sla:1:1"), (bob.pk, "sla:1:1"), (alice.pk, "sla:1:2")])
    assert not Notification.objects.filter(recipient=gone).exists()


def test_send_many_refuses_the_whole_batch_on_one_bad_draft() -> None:
    alice = _user()
    with pytest.raises(ValidationFailed):
        services.notification_send_many(drafts=[_draft([alice]), _draft([alice], url="http://x.example/")])
    assert not Notification.objects.exists()


def test_send_many_runs_a_constant_number_of_queries() -> None:
    """However many drafts: a fixed number of queries (plus one per insert batch of ~100 rows on SQLite)."""
    users = [_user() for _ in range(12)]
    few = [_draft(users[:2], dedupe_key="a"), _draft(users[:1])]
    many = [_draft(users[i % 10 : i % 10 + 2], dedupe_key=f"b{i}") for i in range(20)] + [_draft(users)]
    with CaptureQueriesContext(connection) as small:
        services.notification_send_many(drafts=few)
    with CaptureQueriesContext(connection) as large:
        created = services.notification_send_many(drafts=many)
    assert created == 20 * 2 + 12
    # savepoint, active users, existing keys, insert plain, insert keyed, read back, release
    assert len(large.captured_queries) == len(small.captured_queries) <= 7


def test_send_many_of_nothing() -> None:
    assert services.notification_send_many(drafts=[]) == 0
    assert services.notification_send_many(drafts=[_draft([])]) == 0


# --------------------------------------------------------------------------- mark read


def test_mark_read_sets_read_at_once() -> None:
    notification = NotificationFactory.create()
    user = notification.recipient
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = services.notification_mark_read(actor=user, notification_id=notification.pk)
    assert first.read_at == start
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        again = services.notification_mark_read(actor=user, notification_id=notification.pk)
    assert again.read_at == start
    notification.refresh_from_db()
    assert notification.read_at == start


def test_mark_read_of_someone_elses_notification_is_404_and_changes_nothing() -> None:
    theirs = NotificationFactory.create()
    intruder = _user()
    with pytest.raises(NotFound):
        services.notification_mark_read(actor=intruder, notification_id=theirs.pk)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_of_an_unknown_id_is_404() -> None:
    with pytest.raises(NotFound):
        services.notification_mark_read(actor=_user(), notification_id=999_999)


def test_mark_all_read_touches_only_own_unread() -> None:
    alice, bob = _user(), _user()
    NotificationFactory.create_batch(3, recipient=alice)
    earlier = timezone.now() - timedelta(days=1)
    NotificationFactory.create(recipient=alice, read_at=earlier)
    NotificationFactory.create_batch(2, recipient=bob)
    assert services.notification_mark_all_read(actor=alice) == 3
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=alice, read_at=earlier).count() == 1
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 2
    assert services.notification_mark_all_read(actor=alice) == 0
