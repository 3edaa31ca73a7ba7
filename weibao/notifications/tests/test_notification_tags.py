from __future__ import annotations

from weibao.notifications.choices import NotificationKind
from weibao.notifications.templatetags.notification_tags import notification_icon


def test_every_kind_has_an_icon() -> None:
    for kind in NotificationKind.values:
        assert notification_icon(kind).startswith("ti-")
    assert notification_icon("unknown") == "ti-bell"
    assert notification_icon(NotificationKind.SLA_BREACH) == "ti-alarm"
