"""Maintenance plans (PLN-1..4): approval, generation on working days across holidays and make-up
workdays (idempotent when run twice), visits as work orders, reminders, reschedules with history,
adjustments that apply only when approved, and the execution report."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from weibao.accounts.tests.factories import staff_user
from weibao.core.errors import Conflict, PermissionDenied, ValidationFailed
from weibao.customers.models import Customer
from weibao.customers.tests.factories import DeliveredSystemFactory
from weibao.fieldservice import services as field
from weibao.fieldservice.choices import OrderStatus
from weibao.maintenance import selectors, services
from weibao.maintenance.choices import AdjustmentStatus, OccurrenceStatus, PlanStatus, RoutineKind
from weibao.maintenance.models import MaintenancePlan, Occurrence, OccurrenceChange
from weibao.notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db


def active_plan(
    hospital: Customer, manager: Any, engineer: Any, *routines: services.RoutineFields
) -> MaintenancePlan:
    system = DeliveredSystemFactory.create(customer=hospital, name="HIS")
    plan = services.plan_create(
        actor=manager,
        fields=services.PlanFields(
            customer_id=hospital.pk,
            system_id=system.pk,
            year=2026,
            title="2026 年度 HIS 维保计划",
            responsible_id=manager.pk,
            goals="系统可用率 99.9%",
            budget="120000",
        ),
    )
    for routine in routines:
        services.routine_add(actor=manager, plan_id=plan.pk, fields=routine)
    services.plan_approve(actor=manager, plan_id=plan.pk)
    return services.plan_activate(actor=manager, plan_id=plan.pk)


def call_on_the_first(engineer: Any) -> services.RoutineFields:
    return services.RoutineFields(
        kind=RoutineKind.CALL, title="用户回访", assignee_ids=[engineer.pk], rrule="FREQ=MONTHLY;BYMONTHDAY=1"
    )


def dues(plan: MaintenancePlan) -> dict[date, date]:
    return dict(Occurrence.objects.filter(plan=plan).values_list("rule_date", "due_on"))


def test_generation_moves_off_holidays_and_keeps_make_up_workdays(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    custom = services.RoutineFields(
        kind=RoutineKind.CUSTOM,
        title="调休日检查",
        assignee_ids=[engineer.pk],
        rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=14",  # Saturday 14 Feb 2026 is a make-up workday
    )
    plan = active_plan(hospital, manager, engineer, call_on_the_first(engineer), custom)

    result = services.plans_generate(today=date(2026, 1, 1), horizon_days=365, plan_ids=[plan.pk])

    got = dues(plan)
    assert got[date(2026, 1, 1)] == date(2026, 1, 4)  # New Year holiday -> Sunday 4 Jan, a make-up workday
    assert got[date(2026, 2, 1)] == date(2026, 2, 2)  # a Sunday -> Monday
    assert got[date(2026, 5, 1)] == date(2026, 5, 6)  # Labour Day holidays 1-5 May
    assert got[date(2026, 10, 1)] == date(2026, 10, 8)  # National Day week
    assert got[date(2026, 2, 14)] == date(2026, 2, 14)  # a Saturday, but worked
    assert all(due >= rule for rule, due in got.items())  # only ever forward
    assert result.occurrences == 13 and result.work_orders == 0  # 12 calls + 1 custom, no visits


def test_generation_twice_creates_nothing_new(hospital: Customer, manager: Any, engineer: Any) -> None:
    inspection = services.RoutineFields(
        kind=RoutineKind.INSPECTION,
        title="季度巡检",
        assignee_ids=[engineer.pk],
        checklist=["检查服务器", "检查备份"],
    )
    plan = active_plan(hospital, manager, engineer, call_on_the_first(engineer), inspection)
    first = services.plans_generate(today=date(2026, 1, 1), horizon_days=120, plan_ids=[plan.pk])
    again = services.plans_generate(today=date(2026, 1, 1), horizon_days=120, plan_ids=[plan.pk])

    assert first.occurrences > 0 and again.occurrences == 0 and again.work_orders == 0
    assert Occurrence.objects.filter(plan=plan).count() == first.occurrences


def test_visits_become_planned_work_orders_on_their_working_day(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    inspection = services.RoutineFields(
        kind=RoutineKind.INSPECTION,
        title="季度巡检",
        assignee_ids=[engineer.pk],
        rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1",
        checklist=["检查服务器", "检查备份"],
    )
    plan = active_plan(hospital, manager, engineer, inspection)

    services.plans_generate(today=date(2026, 9, 1), horizon_days=60, plan_ids=[plan.pk])

    occurrence = Occurrence.objects.get(plan=plan, rule_date=date(2026, 10, 1))
    order = occurrence.work_order
    assert order is not None and occurrence.due_on == date(2026, 10, 8)
    assert timezone.localtime(order.planned_start).date() == date(2026, 10, 8)
    assert timezone.localtime(order.planned_start).hour == 9
    assert order.status == OrderStatus.PLANNED and order.customer == hospital
    assert [u.pk for u in order.engineers.all()] == [engineer.pk]
    assert [i.label for i in order.checklist.all()] == ["检查服务器", "检查备份"]
    assert order.created_by is not None and order.created_by.username == "weibao-planner"


def test_a_plan_needs_approval_before_it_runs(hospital: Customer, manager: Any, engineer: Any) -> None:
    planner = staff_user(role_codes=["project_manager"])
    plan = services.plan_create(
        actor=planner,
        fields=services.PlanFields(
            customer_id=hospital.pk, year=2026, title="计划", responsible_id=planner.pk
        ),
    )
    with pytest.raises(ValidationFailed):
        services.plan_approve(actor=manager, plan_id=plan.pk)  # no routine yet
    services.routine_add(actor=planner, plan_id=plan.pk, fields=call_on_the_first(engineer))
    with pytest.raises(PermissionDenied):
        services.plan_approve(actor=planner, plan_id=plan.pk)
    with pytest.raises(Conflict):
        services.plan_activate(actor=planner, plan_id=plan.pk)
    services.plan_approve(actor=manager, plan_id=plan.pk)
    with pytest.raises(Conflict):
        services.routine_add(actor=planner, plan_id=plan.pk, fields=call_on_the_first(engineer))
    assert services.plan_activate(actor=planner, plan_id=plan.pk).status == PlanStatus.ACTIVE


@pytest.mark.parametrize("rule", ["", "FREQ=SOMETIMES", "DTSTART:20260101T000000\nRRULE:FREQ=DAILY"])
def test_bad_recurrence_rules_are_refused(hospital: Customer, manager: Any, engineer: Any, rule: str) -> None:
    plan = services.plan_create(
        actor=manager,
        fields=services.PlanFields(
            customer_id=hospital.pk, year=2026, title="计划", responsible_id=manager.pk
        ),
    )
    fields = services.RoutineFields(
        kind=RoutineKind.CUSTOM, title="自定义", assignee_ids=[engineer.pk], rrule=rule or "X"
    )
    with pytest.raises(ValidationFailed) as refused:
        services.routine_add(actor=manager, plan_id=plan.pk, fields=fields)
    assert refused.value.field == "rrule"


def test_reminders_go_out_once_to_engineers_and_contacts(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    plan = active_plan(hospital, manager, engineer, call_on_the_first(engineer))
    services.plans_generate(today=date(2026, 1, 1), horizon_days=60, plan_ids=[plan.pk])

    assert services.occurrences_remind(today=date(2026, 1, 27)) == 0  # 2 Feb is 6 days away; 3 days' notice
    assert services.occurrences_remind(today=date(2026, 1, 30)) == 1
    assert services.occurrences_remind(today=date(2026, 1, 30)) == 0

    assert Notification.objects.filter(recipient=engineer, dedupe_key__startswith="plan-remind:").count() == 1
    assert set(Delivery.objects.values_list("to_address", flat=True)) == {
        "wang@weibao.test",
        "zhang@hosp.test",
    }


def test_reschedule_keeps_history_refuses_holidays_and_moves_the_work_order(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    inspection = services.RoutineFields(
        kind=RoutineKind.INSPECTION,
        title="季度巡检",
        assignee_ids=[engineer.pk],
        rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1",
    )
    plan = active_plan(hospital, manager, engineer, inspection)
    services.plans_generate(today=date(2026, 9, 1), horizon_days=60, plan_ids=[plan.pk])
    occurrence = Occurrence.objects.get(plan=plan, rule_date=date(2026, 10, 1))

    with pytest.raises(ValidationFailed) as holiday:
        services.occurrence_reschedule(
            actor=manager, occurrence_id=occurrence.pk, to_date=date(2026, 10, 5), reason="x"
        )
    assert holiday.value.code == "not_working_day"
    services.occurrence_reschedule(
        actor=manager, occurrence_id=occurrence.pk, to_date=date(2026, 10, 10), reason="客户要求"
    )

    occurrence.refresh_from_db()
    assert occurrence.due_on == date(2026, 10, 10)  # a Saturday, but a make-up workday
    change = OccurrenceChange.objects.get(occurrence=occurrence)
    assert (change.from_date, change.to_date, change.reason) == (
        date(2026, 10, 8),
        date(2026, 10, 10),
        "客户要求",
    )
    assert occurrence.work_order is not None
    assert timezone.localtime(occurrence.work_order.planned_start).date() == date(2026, 10, 10)


def test_calls_are_completed_and_visits_follow_their_work_order(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    plan = active_plan(hospital, manager, engineer, call_on_the_first(engineer))
    services.plans_generate(today=date(2026, 1, 1), horizon_days=40, plan_ids=[plan.pk])
    call = Occurrence.objects.filter(plan=plan).order_by("due_on").first()
    assert call is not None
    with pytest.raises(PermissionDenied):
        services.occurrence_complete(
            actor=staff_user(role_codes=["agent"]), occurrence_id=call.pk, outcome="x"
        )
    done = services.occurrence_complete(actor=engineer, occurrence_id=call.pk, outcome="用户反馈系统运行稳定")
    assert done.status == OccurrenceStatus.DONE


def test_an_adjustment_applies_only_when_approved_and_tells_those_affected(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    planner = staff_user(role_codes=["project_manager"])
    plan = active_plan(hospital, manager, engineer, call_on_the_first(engineer))
    routine = plan.routines.get()
    services.plans_generate(today=timezone.localdate(), horizon_days=90, plan_ids=[plan.pk])

    adjustment = services.adjustment_request(
        actor=planner,
        plan_id=plan.pk,
        changes={"budget": "150000", "routines": {str(routine.pk): {"rrule": "FREQ=MONTHLY;BYMONTHDAY=15"}}},
        reason="增加一台服务器",
    )
    plan.refresh_from_db()
    assert str(plan.budget) == "120000.00"  # not until approved

    with pytest.raises(PermissionDenied):
        services.adjustment_decide(actor=planner, adjustment_id=adjustment.pk, approve=True)
    services.adjustment_decide(actor=manager, adjustment_id=adjustment.pk, approve=True, note="同意")

    plan.refresh_from_db()
    routine.refresh_from_db()
    assert str(plan.budget) == "150000.00" and routine.rrule == "FREQ=MONTHLY;BYMONTHDAY=15"
    assert not Occurrence.objects.filter(
        plan=plan, due_on__gt=timezone.localdate()
    ).exists()  # regenerated later
    assert Notification.objects.filter(
        recipient=engineer, dedupe_key=f"plan-adjustment:{adjustment.pk}"
    ).exists()
    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.APPROVED
    with pytest.raises(Conflict):
        services.adjustment_decide(actor=manager, adjustment_id=adjustment.pk, approve=False)


def test_the_execution_report_counts_what_was_due_and_lists_replacements(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    inspection = services.RoutineFields(
        kind=RoutineKind.INSPECTION,
        title="季度巡检",
        assignee_ids=[engineer.pk],
        rrule="FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=1",
        checklist=["检查 UPS"],
    )
    plan = active_plan(hospital, manager, engineer, inspection)
    today = timezone.localdate()
    services.plans_generate(today=today - timedelta(days=70), horizon_days=120, plan_ids=[plan.pk])
    past = list(Occurrence.objects.filter(plan=plan, due_on__lt=today).order_by("due_on"))
    assert len(past) >= 2
    order = past[0].work_order
    assert order is not None
    field.work_order_check_in(actor=engineer, order_id=order.pk)
    item = order.checklist.get()
    field.work_order_record(
        actor=engineer,
        order_id=order.pk,
        work_done="巡检完成",
        findings="UPS 电池鼓包",
        results=[field.CheckResultInput(item_id=item.pk, result="issue", note="电池鼓包", replace=True)],
    )
    field.work_order_check_out(actor=engineer, order_id=order.pk)
    field.work_order_sign(actor=engineer, order_id=order.pk, signer_name="张主任", signature=_signature())
    assert services.occurrences_sync_done() >= 1

    report = selectors.plan_report(actor=manager, plan_id=plan.pk)

    assert report.done == 1 and report.due == len(past) and report.overdue == len(past) - 1
    assert report.completion == round(100 / len(past), 1)
    assert [i.label for i in report.replace] == ["检查 UPS"] and report.issues == 1
    assert report.findings[0][1] == "UPS 电池鼓包"


def _signature() -> str:
    from weibao.fieldservice.tests.test_services import signature_data_url

    return signature_data_url()
