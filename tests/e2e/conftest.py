"""End-to-end fixtures: Playwright for Python driving the Debian ``chromium`` (DESIGN.md, Testing).

Each test gets its own Playwright and browser (``browser``), and opens as many browser contexts as it
has people (``new_page``), each a separate "device" in Chinese (zh-CN) on Shanghai time. Screenshots go
to ``var/e2e/`` (gitignored), kept by CI as an artefact; a failing test leaves one per open page there.

Why the browser is not session-scoped: Playwright's sync API keeps an asyncio loop running in this
thread for as long as it is started, and while a loop runs Django hands out *different* database
connection objects (asgiref's thread-critical ``Local`` switches to context-variable storage). A
session-wide Playwright would so leak into every later test of the worker: their connections would
lack the serialised seed data (roles, categories) that ``serialized_rollback`` restores, and they
would run with the async-safety check switched off. So Playwright starts after the test database is
set up (and the seed data restored) and stops before it is flushed; starting chromium costs ~1 s.

Never ``playwright install``: the browser is the distribution's ``/usr/bin/chromium``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Browser, Page, Request, Response, sync_playwright
from pytest_django.live_server_helper import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = ROOT / "var" / "e2e"
PASSWORD = "pw-Weibao-123"  # UserFactory's password
TIMEOUT_MS = 15_000
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser(
    live_server: LiveServer, transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Browser]:
    """The Debian chromium, headless, for one test; after the database is ready, before its flush."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is not installed (`make test` installs it: apt-get install chromium)")
    # The test's own ORM calls run beside Playwright's loop (never at the same time): allow them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # Close the connections opened while the loop ran (else PostgreSQL cannot drop the test
            # database at the end of the session).
            connections.close_all()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


@dataclass
class PageProblems:
    """What went wrong loading pages: HTTP errors of static files and requests that failed."""

    failed: list[str] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)

    def on_response(self, response: Response) -> None:
        if response.status >= 400 and "/static/" in response.url:
            self.failed.append(f"{response.status} {response.url}")

    def on_request_failed(self, request: Request) -> None:
        # A request the page itself cancelled by navigating on (e.g. the console's queue counts, fetched
        # after load) is not a failure of the server.
        if request.failure and "ERR_ABORTED" in request.failure:
            return
        self.failed.append(f"{request.failure} {request.url}")


NewPage = Callable[..., Page]


@pytest.fixture
def new_page(
    browser: Browser, request: pytest.FixtureRequest, screenshot_dir: Path
) -> Iterator[tuple[NewPage, PageProblems]]:
    """``make(viewport=...)`` opens a page in a fresh context (its own cookies): one per person.

    Yields the factory and the problems seen on every page it opened (static files that did not
    load, uncaught JavaScript errors), which the tests assert are none.
    """
    problems = PageProblems()
    pages: list[Page] = []

    def make(*, viewport: dict[str, int] | None = None, **options: Any) -> Page:
        context = browser.new_context(
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport=viewport or DESKTOP,  # type: ignore[arg-type]
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.on("response", problems.on_response)
        page.on("requestfailed", problems.on_request_failed)
        page.on("pageerror", lambda exc: problems.js_errors.append(str(exc)))
        pages.append(page)
        return page

    yield make, problems

    failed = getattr(request.node, "rep_call", None)
    for index, page in enumerate(pages):
        if failed is not None and failed.failed:
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            page.screenshot(path=str(screenshot_dir / f"failed-{name}-{index}.png"), full_page=True)
        page.context.close()


@pytest.fixture
def page(new_page: tuple[NewPage, PageProblems]) -> Page:
    """A single desktop page (zh-CN, Asia/Shanghai) for tests with one person."""
    make, _problems = new_page
    return make()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
