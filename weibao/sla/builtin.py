"""The default SLA policy, encoding the policy documents (SLA-1, SLA-2). Seeded by migration 0002.

Critical (system down): response 15 min, on site 4 h, resolved 6 h, all 7x24.
High (major fault affecting use): response 30 min, resolved 6 h, 7x24.
Normal (general fault): response 2 working hours, resolved by the end of the next working day.
Low (usage question): response 4 working hours, resolved within 3 working days (3 x 7.5 h).
Sites outside the city or beyond 200 km: on site within 48 h.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from weibao.calendars.builtin import ALWAYS
from weibao.customers.choices import DistanceClass
from weibao.sla.choices import EscalationTrigger, Priority, TargetKind, TargetMode

DEFAULT_POLICY = "default"

# (priority, kind, distance class or "", mode, amount, calendar slug or None = the ticket's calendar)
DEFAULT_TARGETS: list[tuple[int, str, str, str, int, str | None]] = [
    (Priority.CRITICAL, TargetKind.RESPONSE, "", TargetMode.MINUTES, 15, ALWAYS),
    (Priority.CRITICAL, TargetKind.ONSITE, "", TargetMode.MINUTES, 4 * 60, ALWAYS),
    (Priority.CRITICAL, TargetKind.RESOLUTION, "", TargetMode.MINUTES, 6 * 60, ALWAYS),
    (Priority.HIGH, TargetKind.RESPONSE, "", TargetMode.MINUTES, 30, ALWAYS),
    (Priority.HIGH, TargetKind.RESOLUTION, "", TargetMode.MINUTES, 6 * 60, ALWAYS),
    (Priority.NORMAL, TargetKind.RESPONSE, "", TargetMode.MINUTES, 2 * 60, None),
    (Priority.NORMAL, TargetKind.RESOLUTION, "", TargetMode.DAY_END, 1, None),
    (Priority.LOW, TargetKind.RESPONSE, "", TargetMode.MINUTES, 4 * 60, None),
    (Priority.LOW, TargetKind.RESOLUTION, "", TargetMode.MINUTES, 3 * 450, None),
    *[
        (priority, TargetKind.ONSITE, distance, TargetMode.MINUTES, 48 * 60, ALWAYS)
        for priority in (Priority.CRITICAL, Priority.HIGH, Priority.NORMAL, Priority.LOW)
        for distance in (DistanceClass.WITHIN_200KM, DistanceClass.REMOTE)
    ],
]

# (trigger, value, notify assignee, team, superior, role code or None)
DEFAULT_ESCALATIONS: list[tuple[str, int, bool, bool, bool, str | None]] = [
    (EscalationTrigger.PERCENT, 75, True, True, False, None),
    (EscalationTrigger.AFTER_BREACH, 0, True, False, False, "service_manager"),
    (EscalationTrigger.AFTER_BREACH, 30, False, False, True, "service_manager"),
]

DEFAULT_POLICY_NAME = _("Standard service levels")
DEFAULT_POLICY_DESCRIPTION = _(
    "The company policy: system down - on site in 4 hours; major fault - handled in 6 hours; general fault -"
    " completed the next working day; sites outside the city or beyond 200 km - on site in 48 hours."
)
