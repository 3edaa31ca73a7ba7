"""Quiet hours: when a held-back email may go out. Pure functions, no queries."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

from django.conf import settings


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def quiet_until(*, start: time | None, end: time | None, time_zone: str, now: datetime) -> datetime | None:
    """The end of the quiet window ``now`` falls in (an aware datetime), or None outside it.

    The window runs from ``start`` to ``end`` in the user's zone and may cross midnight (22:00-07:00).
    """
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(_zone(time_zone))
    clock = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= clock < end
        end_day = local.date()
    else:  # crosses midnight
        inside = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=local.tzinfo)
