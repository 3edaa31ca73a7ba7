"""Allocation of numbers from :class:`weibao.core.models.Counter`."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from weibao.core.models import Counter


def counter_next(*, name: str, start: int = 1) -> int:
    """Return the next number of counter ``name``; must run inside the caller's transaction."""
    assert transaction.get_connection().in_atomic_block, "counter_next needs a transaction"
    updated = Counter.objects.filter(name=name).update(value=F("value") + 1)
    if not updated:
        Counter.objects.get_or_create(name=name, defaults={"value": start - 1})
        Counter.objects.filter(name=name).update(value=F("value") + 1)
    return Counter.objects.values_list("value", flat=True).get(name=name)
