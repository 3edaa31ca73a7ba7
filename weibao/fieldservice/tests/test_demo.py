"""The demo work orders ``make run`` loads: a visit today, a signed one with its report, a paid quote."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from weibao.fieldservice.choices import FeeStatus, OrderStatus, ServiceType
from weibao.fieldservice.models import WorkOrder


@pytest.mark.django_db
def test_demo_work_orders_load_once() -> None:
    call_command("load_demo_data", stdout=io.StringIO())
    call_command("load_demo_work_orders", stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo_work_orders", stdout=out)

    assert "0 created" in out.getvalue()
    orders = {o.title: o for o in WorkOrder.objects.all()}
    assert len(orders) == 3
    signed = orders["住院部护士站工作站例行检查"]
    assert signed.status == OrderStatus.SIGNED and signed.report
    paid = orders["过保服务器电源更换"]
    assert paid.service_type == ServiceType.PAID and paid.fee_status == FeeStatus.QUOTED
    assert orders["门诊收费处打印机上门检修"].status == OrderStatus.PLANNED
