"""Tools and test equipment (INV-2): registered to a keeper, checked out and returned, losses and
damages reported and decided (normal wear or compensation), fixed assets; purchase requests with
approval; pages, API and who may do what."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.json_api import JsonApi
from weibao.accounts.tests.conftest import _english  # noqa: F401
from weibao.accounts.tests.factories import staff_user
from weibao.core.errors import Conflict, PermissionDenied, ValidationFailed
from weibao.notifications.models import Notification
from weibao.tools.choices import Liability, PurchaseStatus, ToolStatus
from weibao.tools.models import Tool, ToolCheckout
from weibao.tools.services import (
    purchase_advance,
    purchase_request,
    tool_check_out,
    tool_decide_incident,
    tool_hand_over,
    tool_register,
    tool_report_incident,
    tool_return,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager() -> Any:
    return staff_user(role_codes=["service_manager"])


@pytest.fixture
def keeper() -> Any:
    return staff_user(role_codes=["ops_engineer"])


@pytest.fixture
def colleague() -> Any:
    return staff_user(role_codes=["support_engineer"])


@pytest.fixture
def meter(manager: Any, keeper: Any) -> Tool:
    return tool_register(
        actor=manager, code="YQ-01", name="网络测试仪", kind="test_equipment", keeper_id=keeper.pk,
        is_fixed_asset=True, asset_number="GZ-2024-015", value="18600.00",
    )  # fmt: skip


def test_register_needs_a_manager_and_a_fixed_asset_needs_its_number(manager: Any, keeper: Any) -> None:
    with pytest.raises(PermissionDenied):
        tool_register(actor=keeper, code="T-1", name="x", keeper_id=keeper.pk)
    with pytest.raises(ValidationFailed) as number:
        tool_register(actor=manager, code="T-1", name="x", keeper_id=keeper.pk, is_fixed_asset=True)
    assert number.value.field == "asset_number"
    with pytest.raises(ValidationFailed) as value:
        tool_register(actor=manager, code="T-1", name="x", keeper_id=keeper.pk, value="-3")
    assert value.value.field == "value"
    assert not Tool.objects.exists()


def test_the_keeper_lends_the_borrower_returns(meter: Tool, keeper: Any, colleague: Any) -> None:
    with pytest.raises(PermissionDenied):
        tool_check_out(actor=colleague, tool_id=meter.pk, borrower_id=colleague.pk)
    checkout = tool_check_out(
        actor=keeper,
        tool_id=meter.pk,
        borrower_id=colleague.pk,
        due_back=timezone.localdate() + timedelta(days=2),
    )
    meter.refresh_from_db()
    assert meter.status == ToolStatus.CHECKED_OUT
    with pytest.raises(Conflict):
        tool_check_out(actor=keeper, tool_id=meter.pk, borrower_id=colleague.pk)
    tool_return(actor=colleague, checkout_id=checkout.pk)
    meter.refresh_from_db()
    assert meter.status == ToolStatus.IN_SERVICE
    with pytest.raises(Conflict):
        tool_return(actor=colleague, checkout_id=checkout.pk)
    ToolCheckout.objects.create(tool=meter, borrower=colleague)
    with pytest.raises(IntegrityError):  # one open checkout per tool, whatever the code does
        ToolCheckout.objects.create(tool=meter, borrower=colleague)


def test_damage_is_decided_as_compensation_and_loss_retires_the_tool(
    meter: Tool, manager: Any, keeper: Any, colleague: Any, django_capture_on_commit_callbacks: Any
) -> None:
    tool_check_out(actor=keeper, tool_id=meter.pk, borrower_id=colleague.pk)
    with django_capture_on_commit_callbacks(execute=True):
        damage = tool_report_incident(
            actor=colleague, tool_id=meter.pk, kind="damage", description="跌落，屏幕碎裂"
        )
    meter.refresh_from_db()
    assert (
        meter.status == ToolStatus.DAMAGED and not meter.checkouts.filter(returned_at__isnull=True).exists()
    )
    with pytest.raises(ValidationFailed) as unnamed:
        tool_decide_incident(
            actor=manager, incident_id=damage.pk, liability="compensation", compensation="800"
        )
    assert unnamed.value.field == "responsible_id"
    with pytest.raises(PermissionDenied):
        tool_decide_incident(actor=keeper, incident_id=damage.pk, liability="normal_wear")
    decided = tool_decide_incident(
        actor=manager, incident_id=damage.pk, liability="compensation", responsible_id=colleague.pk,
        compensation="800", note="未按规定收纳", back_in_service=True,
    )  # fmt: skip
    assert decided.compensation == Decimal("800.00") and decided.liability == Liability.COMPENSATION
    meter.refresh_from_db()
    assert meter.status == ToolStatus.IN_SERVICE
    with pytest.raises(Conflict):
        tool_decide_incident(actor=manager, incident_id=damage.pk, liability="normal_wear")

    with django_capture_on_commit_callbacks(execute=True):
        loss = tool_report_incident(actor=keeper, tool_id=meter.pk, kind="loss", description="出差途中遗失")
    tool_decide_incident(actor=manager, incident_id=loss.pk, liability="normal_wear")
    meter.refresh_from_db()
    assert meter.status == ToolStatus.RETIRED
    assert Notification.objects.filter(recipient=manager, title__contains="YQ-01").count() == 2


def test_hand_over_waits_for_the_return(meter: Tool, manager: Any, keeper: Any, colleague: Any) -> None:
    checkout = tool_check_out(actor=keeper, tool_id=meter.pk, borrower_id=colleague.pk)
    with pytest.raises(Conflict):
        tool_hand_over(actor=manager, tool_id=meter.pk, keeper_id=colleague.pk)
    tool_return(actor=keeper, checkout_id=checkout.pk)
    assert tool_hand_over(actor=manager, tool_id=meter.pk, keeper_id=colleague.pk).keeper == colleague


def test_purchase_requests_need_approval_in_order(
    manager: Any, colleague: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request = purchase_request(
            actor=colleague, title="光功率计", quantity=2, unit_price="1200", reason="现有设备老化"
        )
    assert Notification.objects.filter(recipient=manager, title__contains="光功率计").exists()
    with pytest.raises(PermissionDenied):
        purchase_advance(actor=colleague, request_id=request.pk, status="approved")
    with pytest.raises(Conflict):
        purchase_advance(actor=manager, request_id=request.pk, status="ordered")
    with pytest.raises(ValidationFailed):
        purchase_advance(actor=manager, request_id=request.pk, status="rejected")
    with django_capture_on_commit_callbacks(execute=True):
        purchase_advance(actor=manager, request_id=request.pk, status="approved", note="同意")
        purchase_advance(actor=manager, request_id=request.pk, status="ordered")
        done = purchase_advance(actor=manager, request_id=request.pk, status="received")
    assert (
        done.status == PurchaseStatus.RECEIVED
        and done.decided_by == manager
        and done.total == Decimal("2400.00")
    )
    assert Notification.objects.filter(recipient=colleague).count() == 3
    with pytest.raises(ValidationFailed):
        purchase_request(actor=colleague, title="x", quantity=0, unit_price="1", reason="y")


def test_tools_on_the_pages(meter: Tool, manager: Any, keeper: Any, colleague: Any) -> None:
    client = Client()
    client.force_login(keeper)
    listing = client.get(reverse("tools:list"), {"mine": "on"}).content.decode()
    assert "YQ-01" in listing and "GZ-2024-015" in listing
    checked = client.post(reverse("tools:action", args=[meter.pk, "check-out"]), {"borrower": colleague.pk})
    assert checked.status_code == 302
    again = client.post(reverse("tools:action", args=[meter.pk, "check-out"]), {"borrower": colleague.pk})
    assert again.status_code == 400
    assert client.post(reverse("tools:action", args=[meter.pk, "return"])).status_code == 302
    meter.refresh_from_db()
    assert meter.status == ToolStatus.IN_SERVICE

    bad = client.post(
        reverse("tools:register"), {"code": "T", "name": "x", "kind": "tool", "keeper": keeper.pk}
    )
    assert bad.status_code == 403
    boss = Client()
    boss.force_login(manager)
    fixed = boss.post(
        reverse("tools:register"),
        {"code": "T-2", "name": "电钻", "kind": "tool", "keeper": keeper.pk, "is_fixed_asset": "on"},
    )
    assert fixed.status_code == 400 and 'data-testid="error-asset_number"' in fixed.content.decode()
    nonsense = boss.post(reverse("tools:action", args=[meter.pk, "decide"]), {"incident": "abc"})
    assert nonsense.status_code == 404
    request = client.post(
        reverse("tools:purchases"),
        {"title": "压线钳", "quantity": 1, "unit_price": "85", "reason": "旧的损坏"},
    )
    assert request.status_code == 302
    assert "压线钳" in boss.get(reverse("tools:purchases")).content.decode()
    assert "压线钳" not in Client().get(reverse("tools:purchases")).content.decode()


def test_tools_in_the_api_and_the_permission_matrix(
    meter: Tool, manager: Any, keeper: Any, colleague: Any
) -> None:
    api = JsonApi(keeper)
    out = api.post(f"/tools/{meter.pk}/check-out", {"borrower_id": colleague.pk})
    assert out.status_code == 201
    assert api.get("/tools", mine=True).json()[0]["open_checkout"]["borrower_id"] == colleague.pk
    assert JsonApi(colleague).post(f"/tool-checkouts/{out.json()['id']}/return").status_code == 200
    incident = JsonApi(colleague).post(
        f"/tools/{meter.pk}/incidents", {"kind": "damage", "description": "外壳裂"}
    )
    assert incident.status_code == 201
    decide = {"liability": "normal_wear", "back_in_service": True}
    assert api.post(f"/tool-incidents/{incident.json()['id']}/decide", decide).status_code == 403
    assert JsonApi(manager).post(f"/tool-incidents/{incident.json()['id']}/decide", decide).status_code == 200

    new_tool = {"code": "T-9", "name": "x", "keeper_id": keeper.pk}
    for role, may_manage, may_approve in [
        ("agent", False, False), ("support_engineer", False, False), ("ops_engineer", False, False),
        ("project_manager", False, False), ("finance", False, False), ("service_manager", True, True),
        ("admin", True, True),
    ]:  # fmt: skip
        user = staff_user(role_codes=[role])
        client = JsonApi(user)
        assert client.get("/tools").status_code == 200  # every staff member sees the register
        created = client.post("/tools", {**new_tool, "code": f"T-{role}"})
        assert created.status_code == (201 if may_manage else 403), role
        asked = client.post("/purchase-requests", {"title": "x", "unit_price": "1", "reason": "y"})
        assert asked.status_code == 201
        decided = client.post(f"/purchase-requests/{asked.json()['id']}/advance", {"status": "approved"})
        assert decided.status_code == (200 if may_approve else 403), role


def test_demo_tools_load_once() -> None:
    import io

    from django.core.management import call_command

    call_command("load_demo_data", stdout=io.StringIO())
    call_command("load_demo_tools", stdout=io.StringIO())
    again = io.StringIO()
    call_command("load_demo_tools", stdout=again)
    assert "0 created" in again.getvalue()
    assert Tool.objects.count() == 3 and Tool.objects.get(code="YQ-NET-01").status == ToolStatus.CHECKED_OUT
