"""Audit rows written by services (DESIGN rule 1): one per state change of reference data."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from weibao.accounts.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def audit_record(
    *, actor: Any, action: str, target: Model, changes: dict[str, Any] | None = None
) -> AuditEvent:
    """Record that ``actor`` did ``action`` (e.g. ``user.create``) on ``target``.

    Call it inside the service's transaction so the event and the change commit together.
    """
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor_id=actor_id,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        changes=_jsonable(changes or {}),
    )
