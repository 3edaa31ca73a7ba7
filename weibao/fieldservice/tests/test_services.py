"""Work orders through their services (FLD-1..5): plan, check in (meeting the ticket's on-site target),
record, check out, sign, annotate; fees per part; equipment receipts; the service report PDF."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw

from weibao.accounts.tests.factories import staff_user
from weibao.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weibao.customers.models import Customer
from weibao.customers.tests.factories import (
    ContactFactory,
    CustomerFactory,
    DeliveredSystemFactory,
    SiteFactory,
    portal_user,
)
from weibao.fieldservice import selectors, services
from weibao.fieldservice.choices import FeeStatus, OrderEventKind, OrderKind, OrderStatus, ServiceType
from weibao.fieldservice.models import OrderEvent, WorkOrder
from weibao.notifications.models import Delivery
from weibao.sla.models import ServiceContract, SlaPolicy
from weibao.tickets.models import TicketAttachment
from weibao.tickets.tests.factories import Cast, make_ticket

pytestmark = pytest.mark.django_db


def signature_data_url() -> str:
    image = Image.new("RGBA", (400, 150), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(20, 120), (120, 30), (200, 110), (380, 40)], fill=(0, 0, 0, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def poppler(*args: str) -> str:
    """Run one of poppler-utils' tools (installed by `make test`) on a file this test wrote."""
    return subprocess.run(list(args), capture_output=True, text=True, check=True).stdout  # noqa: S603


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


def plan(**overrides: Any) -> services.OrderPlan:
    start = timezone.now() + timedelta(hours=1)
    fields: dict[str, Any] = {
        "title": "门诊打印机上门维修",
        "planned_start": start,
        "planned_end": start + timedelta(hours=2),
        "engineer_ids": [],
        "checklist": ["检查打印驱动", "打印测试页"],
    }
    fields.update(overrides)
    return services.OrderPlan(**fields)


def warranty_system(customer: Customer, *, ends: date | None = None) -> Any:
    return DeliveredSystemFactory.create(
        customer=customer, name="HIS", warranty_end=ends or timezone.localdate() + timedelta(days=100)
    )


def order_for_ticket(hospital: Customer, manager: Any, engineer: Any, **overrides: Any) -> WorkOrder:
    cast = Cast()
    cast._agent, cast._engineer = manager, engineer
    site = SiteFactory.create(customer=hospital)
    system = warranty_system(hospital)
    contact = ContactFactory.create(customer=hospital, name="张主任", email="zhang@hosp.test")
    ticket = make_ticket(
        customer=hospital,
        cast=cast,
        status="assigned",
        site_id=site.pk,
        system_id=system.pk,
        contact_id=contact.pk,
    )
    return services.work_order_create(
        actor=manager, plan=plan(ticket_id=ticket.pk, engineer_ids=[engineer.pk], **overrides)
    )


def finish(order: WorkOrder, engineer: Any) -> WorkOrder:
    """Check in, record everything, check out."""
    services.work_order_check_in(actor=engineer, order_id=order.pk, latitude="30.5123", longitude="117.0456")
    items = list(order.checklist.all())
    services.work_order_record(
        actor=engineer,
        order_id=order.pk,
        work_done="重装打印驱动，打印测试页正常。",
        findings="建议更换老化的硒鼓。",
        results=[services.CheckResultInput(item_id=i.pk, result="ok") for i in items],
        parts=[services.PartInput(name="硒鼓", quantity=1, serial="TN-2260")],
    )
    services.work_order_add_photo(
        actor=engineer, order_id=order.pk, data=jpeg(), filename="a.jpg", caption="更换后"
    )
    return services.work_order_check_out(actor=engineer, order_id=order.pk)


# --------------------------------------------------------------------------- planning


def test_a_visit_planned_from_a_ticket_takes_its_customer_site_system_and_warranty(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    order = order_for_ticket(hospital, manager, engineer)

    ticket = order.ticket
    assert ticket is not None
    assert order.customer == hospital and order.site == ticket.site and order.system == ticket.system
    assert order.status == OrderStatus.PLANNED and order.number >= 1
    assert order.service_type == ServiceType.WARRANTY and "HIS" in order.service_reason
    assert [i.label for i in order.checklist.all()] == ["检查打印驱动", "打印测试页"]
    assert OrderEvent.objects.filter(order=order, kind=OrderEventKind.CREATED).exists()


def test_the_service_type_follows_warranty_then_contract_then_paid(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    expired = warranty_system(hospital, ends=timezone.localdate() - timedelta(days=1))
    paid = services.work_order_create(
        actor=manager, plan=plan(customer_id=hospital.pk, system_id=expired.pk, engineer_ids=[engineer.pk])
    )
    assert paid.service_type == ServiceType.PAID and "no active contract" in paid.service_reason

    ServiceContract.objects.create(
        customer=hospital,
        policy=SlaPolicy.objects.get(is_default=True),
        number="HT-2026-01",
        name="年度维保",
        starts_on=timezone.localdate() - timedelta(days=30),
    )
    contract = services.work_order_create(
        actor=manager, plan=plan(customer_id=hospital.pk, system_id=expired.pk, engineer_ids=[engineer.pk])
    )
    assert contract.service_type == ServiceType.CONTRACT and "HT-2026-01" in contract.service_reason


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"engineer_ids": []}, "engineer_ids"),
        ({"customer_id": None}, "customer_id"),
        ({"kind": "teleport"}, "kind"),
    ],
)
def test_bad_plans_are_refused_and_write_nothing(
    hospital: Customer, manager: Any, engineer: Any, overrides: dict[str, Any], field: str
) -> None:
    fields = {"customer_id": hospital.pk, "engineer_ids": [engineer.pk], **overrides}
    with pytest.raises(ValidationFailed) as refused:
        services.work_order_create(actor=manager, plan=plan(**fields))
    assert refused.value.field == field
    assert not WorkOrder.objects.exists()


def test_an_agent_cannot_be_sent_and_an_engineer_cannot_plan(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    with pytest.raises(ValidationFailed):
        services.work_order_create(
            actor=manager, plan=plan(customer_id=hospital.pk, engineer_ids=[manager.pk])
        )
    with pytest.raises(PermissionDenied):
        services.work_order_create(
            actor=engineer, plan=plan(customer_id=hospital.pk, engineer_ids=[engineer.pk])
        )


def test_reschedule_keeps_the_reason(hospital: Customer, manager: Any, engineer: Any) -> None:
    order = order_for_ticket(hospital, manager, engineer)
    later = order.planned_start + timedelta(days=1)
    services.work_order_reschedule(
        actor=manager,
        order_id=order.pk,
        planned_start=later,
        planned_end=later + timedelta(hours=1),
        reason="客户要求改期",
    )
    order.refresh_from_db()
    assert order.planned_start == later
    assert OrderEvent.objects.filter(order=order, kind=OrderEventKind.UPDATED, note="客户要求改期").exists()


# --------------------------------------------------------------------------- on site


def test_check_in_meets_the_tickets_on_site_target(hospital: Customer, manager: Any, engineer: Any) -> None:
    order = order_for_ticket(hospital, manager, engineer)

    services.work_order_check_in(
        actor=engineer, order_id=order.pk, latitude="30.5", longitude="117.04", accuracy_m=12
    )

    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PROGRESS and order.check_in_latitude == Decimal("30.500000")
    ticket = order.ticket
    assert ticket is not None
    ticket.refresh_from_db()
    assert ticket.onsite_arrived_at == order.checked_in_at


def test_only_the_engineers_on_the_order_check_in(hospital: Customer, manager: Any, engineer: Any) -> None:
    order = order_for_ticket(hospital, manager, engineer)
    other = staff_user(role_codes=["support_engineer"])
    with pytest.raises(PermissionDenied):
        services.work_order_check_in(actor=other, order_id=order.pk)
    with pytest.raises(ValidationFailed):
        services.work_order_check_in(actor=engineer, order_id=order.pk, latitude="91", longitude="0")
    order.refresh_from_db()
    assert order.status == OrderStatus.PLANNED and order.checked_in_at is None


def test_a_remote_session_needs_the_customers_consent(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    system = warranty_system(hospital)
    order = services.work_order_create(
        actor=manager,
        plan=plan(
            customer_id=hospital.pk, system_id=system.pk, engineer_ids=[engineer.pk], kind=OrderKind.REMOTE
        ),
    )
    with pytest.raises(ValidationFailed) as refused:
        services.work_order_check_in(actor=engineer, order_id=order.pk)
    assert refused.value.field == "remote_consent_by"
    services.work_order_check_in(
        actor=engineer, order_id=order.pk, remote_consent_by="信息科李科长", remote_tool="向日葵"
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PROGRESS and order.remote_consent_by == "信息科李科长"


def test_check_out_needs_the_work_and_every_checklist_result(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    order = order_for_ticket(hospital, manager, engineer)
    services.work_order_check_in(actor=engineer, order_id=order.pk)
    with pytest.raises(ValidationFailed) as no_work:
        services.work_order_check_out(actor=engineer, order_id=order.pk)
    assert no_work.value.field == "work_done"
    services.work_order_record(actor=engineer, order_id=order.pk, work_done="重装驱动")
    with pytest.raises(ValidationFailed) as incomplete:
        services.work_order_check_out(actor=engineer, order_id=order.pk)
    assert incomplete.value.code == "checklist_incomplete"

    items = list(order.checklist.all())
    services.work_order_record(
        actor=engineer,
        order_id=order.pk,
        results=[services.CheckResultInput(item_id=i.pk, result="na") for i in items],
    )
    order = services.work_order_check_out(actor=engineer, order_id=order.pk)
    assert order.status == OrderStatus.COMPLETED and order.time_spent_minutes is not None


def test_photos_are_checked_by_their_content(hospital: Customer, manager: Any, engineer: Any) -> None:
    order = order_for_ticket(hospital, manager, engineer)
    services.work_order_check_in(actor=engineer, order_id=order.pk)
    with pytest.raises(ValidationFailed) as refused:
        services.work_order_add_photo(
            actor=engineer, order_id=order.pk, data=b"MZ\x90\x00evil", filename="x.jpg"
        )
    assert refused.value.code == "invalid_type"
    photo = services.work_order_add_photo(actor=engineer, order_id=order.pk, data=jpeg(), filename="x.jpg")
    assert photo.content_type == "image/jpeg" and photo.size > 0


# --------------------------------------------------------------------------- signature


def test_a_signed_order_refuses_edits_but_takes_annotations(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    order = finish(order_for_ticket(hospital, manager, engineer), engineer)
    with pytest.raises(ValidationFailed) as no_drawing:
        services.work_order_sign(
            actor=engineer, order_id=order.pk, signer_name="张主任", signature="data:image/png;base64,AAAA"
        )
    assert no_drawing.value.field == "signature"

    signed = services.work_order_sign(
        actor=engineer, order_id=order.pk, signer_name="张主任", signature=signature_data_url()
    )
    assert signed.status == OrderStatus.SIGNED and signed.signed_at is not None and signed.signature

    for attempt in (
        lambda: services.work_order_record(actor=engineer, order_id=order.pk, work_done="改写"),
        lambda: services.work_order_cancel(actor=manager, order_id=order.pk, reason="x"),
        lambda: services.work_order_sign(
            actor=engineer, order_id=order.pk, signer_name="x", signature=signature_data_url()
        ),
    ):
        with pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.code == "signed"
    order.refresh_from_db()
    assert order.work_done == "重装打印驱动，打印测试页正常。"

    note = services.work_order_annotate(actor=engineer, order_id=order.pk, text="次日回访：打印正常。")
    assert note.order_id == order.pk


def test_a_stale_version_is_refused(hospital: Customer, manager: Any, engineer: Any) -> None:
    order = order_for_ticket(hospital, manager, engineer)
    with pytest.raises(Conflict) as stale:
        services.work_order_check_in(actor=engineer, order_id=order.pk, version=order.version + 5)
    assert stale.value.code == "stale_version"


# --------------------------------------------------------------------------- fees


def test_paid_work_needs_an_accepted_quote_and_parts_under_warranty_are_free(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    expired = warranty_system(hospital, ends=timezone.localdate() - timedelta(days=10))
    order = services.work_order_create(
        actor=manager,
        plan=plan(customer_id=hospital.pk, system_id=expired.pk, engineer_ids=[engineer.pk], checklist=[]),
    )
    assert order.service_type == ServiceType.PAID
    with pytest.raises(Conflict) as no_quote:
        services.work_order_check_in(actor=engineer, order_id=order.pk)
    assert no_quote.value.code == "quote_not_accepted"

    services.work_order_set_charges(
        actor=manager,
        order_id=order.pk,
        lines=[
            services.ChargeInput(description="上门服务费", unit_price="300"),
            services.ChargeInput(
                description="主板更换", component="服务器主板", unit_price="1800",
                warranty_end=timezone.localdate() + timedelta(days=200),
            ),
            services.ChargeInput(description="电源更换", component="电源", unit_price="450", quantity=2,
                                 warranty_end=timezone.localdate() - timedelta(days=1)),
        ],
    )  # fmt: skip
    order.refresh_from_db()
    assert order.fee_status == FeeStatus.QUOTED
    assert services.order_total(order=order) == Decimal("1200.00")  # 300 + 2 x 450; the board is covered
    services.work_order_accept_quote(actor=engineer, order_id=order.pk, accepted_by="信息科李科长")
    services.work_order_check_in(actor=engineer, order_id=order.pk)
    services.work_order_record(actor=engineer, order_id=order.pk, work_done="更换电源两只")
    services.work_order_check_out(actor=engineer, order_id=order.pk)

    with pytest.raises(PermissionDenied):
        services.work_order_settle(actor=engineer, order_id=order.pk)
    finance = staff_user(role_codes=["finance"])
    services.work_order_settle(actor=finance, order_id=order.pk)
    order = services.work_order_settle(actor=finance, order_id=order.pk, invoice_number="FP-20261121-001")
    assert order.fee_status == FeeStatus.INVOICED and order.settled_at and order.invoiced_at


def test_charges_belong_to_paid_orders_only(hospital: Customer, manager: Any, engineer: Any) -> None:
    order = order_for_ticket(hospital, manager, engineer)  # under warranty
    with pytest.raises(Conflict) as refused:
        services.work_order_set_charges(
            actor=manager, order_id=order.pk, lines=[services.ChargeInput(description="x", unit_price=1)]
        )
    assert refused.value.code == "not_paid"


# --------------------------------------------------------------------------- receipts


def test_equipment_taken_back_is_returned_against_its_receipt(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    order = order_for_ticket(hospital, manager, engineer)
    services.work_order_check_in(actor=engineer, order_id=order.pk)
    receipt = services.receipt_issue(
        actor=engineer,
        order_id=order.pk,
        description="HP M404 打印机",
        serial="CNB1234",
        handed_over_by="张主任",
    )
    assert receipt.number >= 1 and receipt.returned_at is None
    assert list(selectors.receipts_open(actor=manager)) == [receipt]

    services.receipt_return(actor=engineer, receipt_id=receipt.pk, returned_to="张主任", note="已修复")
    with pytest.raises(Conflict):
        services.receipt_return(actor=engineer, receipt_id=receipt.pk, returned_to="张主任")
    assert list(selectors.receipts_open(actor=manager)) == []


# --------------------------------------------------------------------------- scope


def test_portal_users_see_only_their_customers_orders(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    ours = order_for_ticket(hospital, manager, engineer)
    other = CustomerFactory.create()
    theirs = services.work_order_create(
        actor=manager, plan=plan(customer_id=other.pk, engineer_ids=[engineer.pk])
    )
    user = portal_user(customer=hospital)

    assert list(selectors.work_order_list(actor=user)) == [ours]
    with pytest.raises(NotFound):
        selectors.work_order_get(actor=user, order_id=theirs.pk)


def test_my_work_today_lists_the_engineers_orders(hospital: Customer, manager: Any, engineer: Any) -> None:
    mine = order_for_ticket(hospital, manager, engineer)
    tomorrow = timezone.now() + timedelta(days=2)
    services.work_order_create(
        actor=manager,
        plan=plan(
            customer_id=hospital.pk,
            engineer_ids=[engineer.pk],
            planned_start=tomorrow,
            planned_end=tomorrow + timedelta(hours=1),
        ),
    )
    colleague = staff_user(role_codes=["support_engineer"])
    services.work_order_create(actor=manager, plan=plan(customer_id=hospital.pk, engineer_ids=[colleague.pk]))

    assert [
        o.pk for o in selectors.my_work_today(actor=engineer, day=timezone.localdate(mine.planned_start))
    ] == [mine.pk]


# --------------------------------------------------------------------------- the report


@pytest.mark.skipif(
    shutil.which("pdffonts") is None, reason="poppler-utils not installed (`make test` installs it)"
)
def test_the_service_report_is_a_chinese_pdf_with_font_and_signature_attached_and_emailed(
    hospital: Customer, manager: Any, engineer: Any, tmp_path: Any
) -> None:
    order = finish(order_for_ticket(hospital, manager, engineer), engineer)
    services.work_order_sign(
        actor=engineer, order_id=order.pk, signer_name="张主任", signature=signature_data_url()
    )

    produced = services.work_order_produce_report(order_id=order.pk)

    assert produced is not None and produced.report
    pdf = tmp_path / "report.pdf"
    with produced.report.open("rb") as handle:
        pdf.write_bytes(handle.read())
    fonts = poppler("pdffonts", str(pdf))
    assert "WenQuanYi" in fonts and " yes " in fonts.splitlines()[2]  # embedded
    images = poppler("pdfimages", "-list", str(pdf))
    assert len(images.splitlines()) >= 4  # header lines + the photo + the signature
    text = poppler("pdftotext", str(pdf), "-")
    assert (
        "服务报告单" in text and "安庆市第一人民医院" in text and "重装打印驱动" in text and "张主任" in text
    )

    ticket = produced.ticket
    assert ticket is not None
    attachment = TicketAttachment.objects.get(ticket=ticket)
    assert attachment.content_type == "application/pdf" and not attachment.is_internal
    mail = Delivery.objects.get(contact__email="zhang@hosp.test", dedupe_key__startswith="report:")
    assert mail.attachments[0]["content_type"] == "application/pdf"

    again = services.work_order_produce_report(order_id=order.pk)  # idempotent
    assert again is not None and again.report.name == produced.report.name
    assert TicketAttachment.objects.filter(ticket=ticket).count() == 1
    assert Delivery.objects.filter(dedupe_key__startswith="report:").count() == 1


def test_the_beat_job_produces_reports_whose_message_was_lost(
    hospital: Customer, manager: Any, engineer: Any
) -> None:
    from weibao.fieldservice.tasks import produce_missing_reports

    order = finish(order_for_ticket(hospital, manager, engineer), engineer)
    services.work_order_sign(
        actor=engineer, order_id=order.pk, signer_name="张主任", signature=signature_data_url()
    )
    assert not WorkOrder.objects.get(pk=order.pk).report  # the task was queued, never run

    assert produce_missing_reports() == 1
    assert WorkOrder.objects.get(pk=order.pk).report
    assert produce_missing_reports() == 0
