"""The on-site visit on a phone-sized Chromium (issue 5, "Tests"): the engineer opens today's work,
checks in (the browser gives the location), records the work and the checklist, adds a photo, checks
out, the customer draws a signature on the canvas, and the engineer downloads the service report PDF,
which carries an embedded CJK font and the signature image. The signed order then refuses edits.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from config.celery import app as celery_app
from tests.e2e.conftest import PHONE, NewPage, PageProblems
from tests.e2e.helpers import assert_styled, sign_in, zh
from weibao.accounts.tests.factories import staff_user
from weibao.customers.tests.factories import (
    ContactFactory,
    CustomerFactory,
    DeliveredSystemFactory,
    SiteFactory,
)
from weibao.fieldservice import services
from weibao.fieldservice.choices import OrderStatus
from weibao.fieldservice.models import WorkOrder
from weibao.tickets.models import Ticket
from weibao.tickets.tests.factories import Cast, make_ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def photo_file(tmp_path: Path) -> Path:
    path = tmp_path / "现场照片.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 120, 200)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.skipif(
    shutil.which("pdffonts") is None, reason="poppler-utils not installed (`make test` installs it)"
)
def test_the_whole_visit_on_a_phone(
    live_server: LiveServer,
    new_page: tuple[NewPage, PageProblems],
    screenshot_dir: Path,
    tmp_path: Path,
    settings: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The report is produced by a Celery task after the signature; run tasks in-process here.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    monkeypatch.setattr(settings, "MEDIA_ROOT", tmp_path / "media")
    monkeypatch.setattr(
        settings, "ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024
    )  # the default, whatever ran before
    hospital = CustomerFactory.create(name="安庆市第一人民医院")
    site = SiteFactory.create(customer=hospital, name="门诊楼", address="安庆市迎江区人民路 1 号")
    system = DeliveredSystemFactory.create(
        customer=hospital, name="HIS", warranty_end=timezone.localdate() + timedelta(days=90)
    )
    contact = ContactFactory.create(customer=hospital, name="张主任", email="zhang@hosp.test")
    agent = staff_user(role_codes=["agent"], username="li.kefu", display_name="李客服")
    engineer = staff_user(role_codes=["support_engineer"], username="wang.gcs", display_name="王工程师")
    cast = Cast()
    cast._agent, cast._engineer = agent, engineer
    ticket = make_ticket(
        customer=hospital,
        cast=cast,
        status="assigned",
        site_id=site.pk,
        system_id=system.pk,
        contact_id=contact.pk,
        title="门诊收费处打印机卡纸",
        needs_onsite=True,
    )
    start = timezone.now() - timedelta(minutes=10)
    order = services.work_order_create(
        actor=agent,
        plan=services.OrderPlan(
            ticket_id=ticket.pk,
            title="门诊收费处打印机上门维修",
            planned_start=start,
            planned_end=start + timedelta(hours=2),
            engineer_ids=[engineer.pk],
            checklist=["检查打印驱动", "清洁进纸器", "打印测试页"],
        ),
    )

    make_page, problems = new_page
    base = live_server.url
    phone = make_page(viewport=PHONE, is_mobile=True, has_touch=True)
    # Granted for the live server's origin explicitly, and the position set on the context.
    phone.context.grant_permissions(["geolocation"], origin=base)
    phone.context.set_geolocation({"latitude": 30.5130, "longitude": 117.0470, "accuracy": 12})
    sign_in(phone, base, engineer)

    # 1. Today's work, on the phone.
    phone.goto(f"{base}/workorders/today/")
    assert_styled(phone)
    card = phone.get_by_test_id("today-order")
    expect(card).to_contain_text("门诊收费处打印机上门维修")
    expect(card).to_contain_text("门诊楼")
    card.click()
    expect(phone).to_have_url(re.compile(rf"/workorders/{order.number}/$"))

    # 2. Check in: the location comes from the browser.
    where = (
        "() => new Promise(ok => navigator.geolocation.getCurrentPosition("
        "p => ok(p.coords.latitude), e => ok('error ' + e.code), {timeout: 15000}))"
    )
    assert phone.evaluate(where) == 30.513  # the browser has the position before the form asks for it
    phone.get_by_test_id("check-in").click()
    expect(phone.get_by_test_id("checked-in-at")).to_contain_text("30.513000")
    expect(phone.get_by_test_id("order-status")).to_have_text(zh(OrderStatus.IN_PROGRESS.label))

    # 3. The work, the checklist and the parts; a photo.
    form = phone.get_by_test_id("record-form")
    form.locator("[name=work_done]").fill("清理卡纸，更换老化搓纸轮，重装打印驱动后打印测试页正常。")
    results = form.get_by_test_id("check-result")
    expect(results).to_have_count(3)
    for index in range(3):
        results.nth(index).select_option("ok")
    form.locator("[name=parts]").fill("搓纸轮, 1, RL1-1442")
    form.get_by_test_id("save-record").click()
    expect(phone.get_by_test_id("record-form").locator("[name=work_done]")).to_have_value(
        re.compile("搓纸轮")
    )
    phone.get_by_test_id("photo-form").locator("[name=photo]").set_input_files(str(photo_file(tmp_path)))
    phone.get_by_test_id("add-photo").click()
    expect(phone.get_by_test_id("photo")).to_have_count(1)
    phone.screenshot(path=str(screenshot_dir / "work-order-phone.png"), full_page=True)

    # 4. Check out.
    phone.get_by_test_id("check-out").click()
    expect(phone.get_by_test_id("order-status")).to_have_text(zh(OrderStatus.COMPLETED.label))

    # 5. The customer signs on the engineer's screen.
    phone.get_by_test_id("go-sign").click()
    sign = phone.get_by_test_id("sign-form")
    sign.locator("[name=signer_name]").fill("张主任")
    box = phone.get_by_test_id("signature-canvas").bounding_box()
    assert box is not None
    phone.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.7)
    phone.mouse.down()
    for step in range(1, 12):
        phone.mouse.move(
            box["x"] + 30 + step * 25, box["y"] + box["height"] * (0.7 - 0.4 * (step % 2)), steps=4
        )
    phone.mouse.up()
    phone.screenshot(path=str(screenshot_dir / "work-order-signature.png"))
    sign.get_by_test_id("submit-signature").click()
    expect(phone.get_by_test_id("signed-by")).to_contain_text("张主任")
    expect(phone.get_by_test_id("record-form")).to_have_count(0)  # signed: no more editing

    # 6. The service report.
    with phone.expect_download() as download:
        phone.get_by_test_id("download-report").click()
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYi" in fonts and all(" yes " in line for line in fonts.splitlines()[2:])
    images = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert len(images.splitlines()) - 2 >= 2  # the photo and the signature
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "服务报告单" in text and "搓纸轮" in text and "张主任" in text

    order = WorkOrder.objects.get(pk=order.pk)
    assert order.status == OrderStatus.SIGNED and order.check_in_latitude is not None
    assert Ticket.objects.get(pk=ticket.pk).onsite_arrived_at == order.checked_in_at
    assert problems.failed == [] and problems.js_errors == []
