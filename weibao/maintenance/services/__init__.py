"""Every state change of maintenance plans (DESIGN.md rule 1). Interfaces import from here."""

from weibao.maintenance.services.feeds import feed_create, feed_revoke
from weibao.maintenance.services.plans import (
    PlanFields,
    RoutineFields,
    adjustment_decide,
    adjustment_request,
    plan_activate,
    plan_approve,
    plan_close,
    plan_create,
    routine_add,
    validate_rrule,
)
from weibao.maintenance.services.schedule import (
    GenerateResult,
    occurrence_complete,
    occurrence_reschedule,
    occurrences_remind,
    occurrences_sync_done,
    planner_actor,
    plans_generate,
    rule_dates,
)

__all__ = [
    "GenerateResult",
    "PlanFields",
    "RoutineFields",
    "adjustment_decide",
    "adjustment_request",
    "feed_create",
    "feed_revoke",
    "occurrence_complete",
    "occurrence_reschedule",
    "occurrences_remind",
    "occurrences_sync_done",
    "plan_activate",
    "plan_approve",
    "plan_close",
    "plan_create",
    "planner_actor",
    "plans_generate",
    "routine_add",
    "rule_dates",
    "validate_rrule",
]
