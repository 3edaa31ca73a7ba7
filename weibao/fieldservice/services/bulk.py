"""Planning many work orders at once (maintenance plans generate thousands for a year ahead).

The same rules as :func:`work_order_create` - engineers must carry out work orders, the service type
follows warranty then contract (AST-2) - with a constant number of queries per batch: numbers come
from one ``nextval`` series, entitlements from one read of the systems and one of the contracts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.choices import Perm
from weibao.accounts.models import User
from weibao.accounts.permissions import has_perm, is_staff_user
from weibao.assets.services import Entitlement, decide_entitlement
from weibao.core.counters import counter_next_many
from weibao.core.errors import PermissionDenied, ValidationFailed
from weibao.customers.models import DeliveredSystem
from weibao.fieldservice.choices import OrderEventKind
from weibao.fieldservice.models import ChecklistItem, OrderEvent, WorkOrder
from weibao.fieldservice.permissions import can_manage_orders
from weibao.fieldservice.services.orders import OrderPlan
from weibao.sla.models import ServiceContract


def _entitlements(*, plans: Sequence[OrderPlan]) -> list[Entitlement]:
    """The service type of each plan, with one query for the systems and one for the contracts."""
    system_ids = {p.system_id for p in plans if p.system_id}
    systems = {
        s.pk: s for s in DeliveredSystem.objects.filter(pk__in=system_ids).only("pk", "name", "warranty_end")
    }
    contracts: dict[int, list[ServiceContract]] = defaultdict(list)
    for found in ServiceContract.objects.filter(
        customer_id__in={p.customer_id for p in plans}, is_active=True
    ):
        contracts[found.customer_id].append(found)
    return [
        decide_entitlement(
            on=timezone.localdate(plan.planned_start),
            system=systems.get(plan.system_id or 0),
            contracts=contracts.get(plan.customer_id or 0, []),
        )
        for plan in plans
    ]


def work_orders_plan_many(*, actor: Any, plans: Sequence[OrderPlan]) -> list[WorkOrder]:
    """Plan many work orders (customer ids given, no tickets) in one transaction; returns them in order."""
    if not can_manage_orders(user=actor):
        raise PermissionDenied(_("You may not plan work orders."), code="permission_denied")
    if not plans:
        return []
    engineer_ids = {pk for p in plans for pk in p.engineer_ids}
    engineers = {
        u.pk: u for u in User.objects.filter(pk__in=engineer_ids, is_active=True).prefetch_related("roles")
    }
    for user in engineers.values():
        if not (is_staff_user(user=user) and has_perm(user=user, perm=Perm.WORKORDER_WORK)):
            raise ValidationFailed(
                _("Every engineer must be an active staff member who carries out work orders."),
                code="invalid_reference",
                field="engineer_ids",
            )
    for plan in plans:
        if plan.customer_id is None or plan.ticket_id is not None or not plan.engineer_ids:
            raise ValidationFailed(
                _("Name the customer and at least one engineer."), code="required", field="engineer_ids"
            )
        if any(pk not in engineers for pk in plan.engineer_ids):
            raise ValidationFailed(
                _("Every engineer must be an active staff member who carries out work orders."),
                code="invalid_reference",
                field="engineer_ids",
            )
    entitlements = _entitlements(plans=plans)
    now = timezone.now()
    with transaction.atomic():
        numbers = counter_next_many(name="work_order", count=len(plans))
        orders = WorkOrder.objects.bulk_create(
            [
                WorkOrder(
                    number=number,
                    kind=plan.kind,
                    customer_id=cast(int, plan.customer_id),  # checked above
                    site_id=plan.site_id,
                    system_id=plan.system_id,
                    title=plan.title[:200],
                    instructions=plan.instructions,
                    tools=plan.tools,
                    parts_needed=plan.parts_needed,
                    planned_start=plan.planned_start,
                    planned_end=plan.planned_end,
                    service_type=entitlement.service_type,
                    service_reason=entitlement.reason[:300],
                    created_by=actor,
                    created_at=now,
                )
                for number, plan, entitlement in zip(numbers, plans, entitlements, strict=True)
            ]
        )
        through = WorkOrder.engineers.through
        through.objects.bulk_create(
            [
                through(workorder_id=order.pk, user_id=pk)
                for order, plan in zip(orders, plans, strict=True)
                for pk in plan.engineer_ids
            ]
        )
        ChecklistItem.objects.bulk_create(
            [
                ChecklistItem(order=order, position=i, label=label[:300])
                for order, plan in zip(orders, plans, strict=True)
                for i, label in enumerate(plan.checklist)
            ]
        )
        OrderEvent.objects.bulk_create(
            [
                OrderEvent(
                    order=order,
                    actor=actor,
                    at=now,
                    kind=OrderEventKind.CREATED,
                    changes={"service_type": [None, order.service_type]},
                )
                for order in orders
            ]
        )
    return orders
