"""The whole service-desk flow in the browser, in Chinese (issue #2, "Tests that must exist").

A customer reports from the portal -> an agent triages and dispatches from the console -> the engineer
starts, pends for the customer, resumes and resolves -> the agent verifies -> the customer confirms
and rates. Each person signs in through the login form in their own browser context. Screenshots of
the key pages go to ``var/e2e/`` (``service-desk-flow.png`` is the final customer view).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.e2e.conftest import PHONE, NewPage, PageProblems
from tests.e2e.helpers import assert_styled, has_chinese, run_action, sign_in, zh
from weibao.accounts.models import User
from weibao.accounts.tests.factories import staff_user
from weibao.customers.models import Customer, DeliveredSystem, SystemModule
from weibao.customers.tests.factories import (
    CustomerFactory,
    DeliveredSystemFactory,
    SystemModuleFactory,
    portal_user,
)
from weibao.tickets.choices import CloseKind, EventKind, Level, PendingReason, Status
from weibao.tickets.models import Category, Ticket, TicketEvent
from weibao.tickets.tests.factories import make_ticket

# serialized_rollback: the flush after a transactional test drops the roles, categories and priority
# matrix seeded by migrations; this restores them for the test (and the tests after it).
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "门诊收费处无法打印发票"
DESCRIPTION = "今天上午起，门诊收费处三号窗口点击“打印发票”后没有反应，也没有错误提示。"


@dataclass
class Cast:
    customer: Customer
    system: DeliveredSystem
    module: SystemModule
    reporter: User
    agent: User
    engineer: User


@pytest.fixture
def cast() -> Cast:
    customer = CustomerFactory.create(name="示范市第一人民医院", code="sfsy")
    system = DeliveredSystemFactory.create(customer=customer, name="HIS", version="5.2")
    module = SystemModuleFactory.create(system=system, name="门诊收费")
    return Cast(
        customer=customer,
        system=system,
        module=module,
        reporter=portal_user(customer=customer, username="zhang.hushi", display_name="张护士"),
        agent=staff_user(role_codes=["agent"], username="li.kefu", display_name="李客服"),
        engineer=staff_user(role_codes=["support_engineer"], username="wang.gcs", display_name="王工程师"),
    )


def ticket_number(page: Page) -> int:
    match = re.search(r"/tickets/(\d+)/", page.url)
    assert match, page.url
    return int(match.group(1))


def expect_status(page: Page, status: Status) -> None:
    expect(page.get_by_test_id("ticket-badges")).to_contain_text(zh(status.label))


def test_service_desk_flow_in_chinese(
    live_server: LiveServer, new_page: tuple[NewPage, PageProblems], cast: Cast, screenshot_dir: Path
) -> None:
    make_page, problems = new_page
    base = live_server.url

    # 1. The customer reports the problem from the portal.
    customer = make_page()
    sign_in(customer, base, cast.reporter)
    expect(customer).to_have_url(f"{base}/portal/")
    customer.get_by_test_id("portal-new").click()
    expect(customer).to_have_url(f"{base}/portal/new/")
    assert_styled(customer)
    report = customer.get_by_test_id("portal-report-form")
    report.locator("[name=title]").fill(TITLE)
    report.locator("[name=description]").fill(DESCRIPTION)
    report.locator("[name=system]").select_option(str(cast.system.pk))
    # Choosing the system reloads the module select (htmx); select_option waits for the option.
    report.locator("[name=module]").select_option(str(cast.module.pk))
    report.get_by_test_id("urgency-1").click()
    report.get_by_test_id("impact-2").click()
    customer.screenshot(path=str(screenshot_dir / "portal-report.png"), full_page=True)
    with customer.expect_navigation():
        report.get_by_test_id("submit-ticket").click()
    number = ticket_number(customer)
    ticket_url = f"{base}/tickets/{number}/"
    expect(customer.get_by_test_id("ticket-title")).to_have_text(TITLE)
    expect_status(customer, Status.NEW)
    ticket = Ticket.objects.get(number=number)
    assert (ticket.customer_id, ticket.system_id, ticket.module_id) == (
        cast.customer.pk,
        cast.system.pk,
        cast.module.pk,
    )
    assert (ticket.urgency, ticket.impact, ticket.channel) == (Level.HIGH, Level.MEDIUM, "portal")

    # 2. The agent finds it in the console's unassigned queue, triages and dispatches it.
    agent = make_page()
    sign_in(agent, base, cast.agent)
    expect(agent).to_have_url(re.compile(r"/console/"))
    agent.get_by_test_id("queue-unassigned").click()
    expect(agent).to_have_url(re.compile(r"queue=unassigned"))
    row = agent.locator(f"[data-testid=ticket-row][data-number='{number}']")
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text(cast.customer.name)
    assert_styled(agent)
    agent.screenshot(path=str(screenshot_dir / "console.png"), full_page=True)
    agent.get_by_test_id(f"ticket-link-{number}").click()
    expect(agent).to_have_url(ticket_url)
    category = Category.objects.get(code="technical-software")
    run_action(agent, "edit", {"category": str(category.pk), "urgency": "1", "impact": "1"})
    run_action(
        agent,
        "assign",
        {"assignee": str(cast.engineer.pk), "requirements": "请今天内远程排查打印问题。"},
        screenshot=screenshot_dir / "assign-dialog.png",
    )
    expect(agent.get_by_test_id("ticket-assignee")).to_contain_text(cast.engineer.display_name)
    expect_status(agent, Status.ASSIGNED)

    # 3. The engineer starts, waits for the customer, resumes and resolves.
    engineer = make_page()
    sign_in(engineer, base, cast.engineer)
    engineer.get_by_test_id("queue-mine").click()
    engineer.get_by_test_id(f"ticket-link-{number}").click()
    expect(engineer).to_have_url(ticket_url)
    run_action(engineer, "start")
    expect_status(engineer, Status.IN_PROGRESS)
    run_action(engineer, "pend", {"note": "请客户提供打印机型号和驱动版本。"}, pick="reason-customer")
    expect_status(engineer, Status.PENDING)
    run_action(engineer, "resume", {"note": "客户已提供打印机型号。"})
    expect_status(engineer, Status.IN_PROGRESS)
    run_action(
        engineer,
        "resolve",
        {
            "analysis": "收费处电脑的打印驱动在系统更新后损坏。",
            "solution": "远程重装打印驱动并测试打印发票成功。",
        },
    )
    expect_status(engineer, Status.RESOLVED)
    expect(engineer.get_by_test_id("resolution")).to_contain_text("远程重装打印驱动")
    engineer.screenshot(path=str(screenshot_dir / "ticket-resolved.png"), full_page=True)

    # 4. The agent verifies with the customer; the note is sent to the customer.
    agent.goto(ticket_url)
    run_action(agent, "verify", {"note": "已电话联系张护士，确认可以正常打印发票。"})
    expect_status(agent, Status.VERIFIED)

    # 5. The customer confirms and rates.
    customer.goto(ticket_url)
    expect_status(customer, Status.VERIFIED)
    expect(customer.get_by_test_id("resolution")).to_contain_text("远程重装打印驱动")
    run_action(
        customer,
        "close",
        {"comment": "处理很及时，谢谢！"},
        pick="rate-5",
        screenshot=screenshot_dir / "confirm-and-rate-dialog.png",
    )
    expect_status(customer, Status.CLOSED)
    expect(customer.get_by_test_id("rating")).to_contain_text("处理很及时，谢谢！")
    customer.screenshot(path=str(screenshot_dir / "service-desk-flow.png"), full_page=True)

    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.close_kind == CloseKind.CONFIRMED
    assert ticket.satisfaction == 5
    assert ticket.satisfaction_comment == "处理很及时，谢谢！"
    assert ticket.assignee_id == cast.engineer.pk
    assert ticket.category_id == category.pk
    assert (ticket.urgency, ticket.impact) == (Level.HIGH, Level.HIGH)
    assert "打印驱动" in ticket.analysis
    assert ticket.verification_note.startswith("已电话联系")
    # The timeline recorded every step, in order, with the pending reason.
    statuses = [
        event.changes["status"][1]
        for event in TicketEvent.objects.filter(ticket=ticket).order_by("id")
        if "status" in (event.changes or {})
    ]
    assert statuses == [
        Status.NEW,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.PENDING,
        Status.IN_PROGRESS,
        Status.RESOLVED,
        Status.VERIFIED,
        Status.CLOSED,
    ], statuses
    pended = TicketEvent.objects.get(ticket=ticket, changes__pending_reason__1=PendingReason.CUSTOMER)
    assert pended.kind == EventKind.TRANSITION

    # The pages were in Chinese and fully styled.
    assert customer.locator("html").get_attribute("lang") == "zh-hans"
    badges = customer.get_by_test_id("ticket-badges").inner_text()
    assert has_chinese(badges), f"the status badge is not in Chinese: {badges!r} (locale/zh_Hans)"
    assert problems.failed == [], problems.failed
    assert problems.js_errors == [], problems.js_errors


def test_engineer_ticket_page_on_a_phone(
    live_server: LiveServer, new_page: tuple[NewPage, PageProblems], cast: Cast, screenshot_dir: Path
) -> None:
    """On a 390 px wide phone the engineer sees every action button without scrolling sideways."""
    make_page, problems = new_page
    ticket = make_ticket(
        status=Status.IN_PROGRESS,
        customer=cast.customer,
        agent=cast.agent,
        engineer=cast.engineer,
        system_id=cast.system.pk,
        module_id=cast.module.pk,
        title=TITLE,
        description=DESCRIPTION,
    )
    phone = make_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    sign_in(phone, live_server.url, cast.engineer)
    phone.goto(f"{live_server.url}/tickets/{ticket.number}/")
    expect_status(phone, Status.IN_PROGRESS)
    assert_styled(phone)
    buttons = phone.get_by_test_id("ticket-actions").locator("button")
    assert buttons.count() >= 2  # at least pend and resolve
    for index in range(buttons.count()):
        button = buttons.nth(index)
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box is not None
        assert box["x"] >= 0, (button.inner_text(), box)
        assert box["x"] + box["width"] <= PHONE["width"], (button.inner_text(), box)
    scroll_width = phone.evaluate("document.documentElement.scrollWidth")
    phone.screenshot(path=str(screenshot_dir / "ticket-phone.png"), full_page=True)
    assert scroll_width <= PHONE["width"] + 2, f"the page scrolls sideways: {scroll_width}px wide"
    # The dialogs work on the phone too: pend for the customer.
    run_action(phone, "pend", {"note": "等待客户回复。"}, pick="reason-customer")
    expect_status(phone, Status.PENDING)
    assert problems.failed == [], problems.failed
    assert problems.js_errors == [], problems.js_errors
