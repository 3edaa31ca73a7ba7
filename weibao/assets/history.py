"""An item's history (AST-1): the tickets, visits and parts that name it.

Tickets and work orders live in apps above this one (import-linter layers), so they register a
provider here when Django starts (their ``AppConfig.ready``); the item page asks every provider and
shows the entries newest first. Each provider reads with the viewer's scope and a bounded query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

HISTORY_LIMIT = 50


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    kind: str  # "ticket", "visit", "part"
    label: str  # e.g. "#1042", "WO-88"
    title: str
    status: str
    url: str


HistoryProvider = Callable[..., list[HistoryEntry]]  # (*, item, actor, limit) -> entries
_PROVIDERS: list[HistoryProvider] = []


def register_history_provider(provider: HistoryProvider) -> None:
    """Add a source of history entries (idempotent: a provider registered twice is asked once)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def item_history(*, item: Any, actor: Any, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """What happened to ``item``, newest first, as far as ``actor`` may see it."""
    entries = [entry for provider in _PROVIDERS for entry in provider(item=item, actor=actor, limit=limit)]
    return sorted(entries, key=lambda e: e.at, reverse=True)[:limit]
