"""Steps shared by the end-to-end tests: sign in through the real form, run a ticket action."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from django.utils import translation
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD


def zh(message: Any) -> str:
    """A message (or a lazy label such as ``Status.CLOSED.label``) as the Chinese UI shows it."""
    with translation.override("zh-hans"):
        return str(translation.gettext(message) if isinstance(message, str) else message)


def has_chinese(text: str) -> bool:
    return any(unicodedata.name(char, "").startswith("CJK UNIFIED") for char in text)


def sign_in(page: Page, base_url: str, user: Any) -> None:
    """Sign in through the login page; lands where the app sends this kind of user."""
    page.goto(f"{base_url}/accounts/login/")
    form = page.get_by_test_id("login-form")
    form.locator("[name=username]").fill(user.username)
    form.locator("[name=password]").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def assert_styled(page: Page) -> None:
    """Tabler's CSS and JavaScript (with Bootstrap's) and htmx were served and applied."""
    state = page.evaluate(
        """() => ({
            sheets: [...document.styleSheets].filter(sheet => {
                try { return sheet.cssRules.length > 0 } catch (e) { return false }
            }).length,
            navbarDisplay: getComputedStyle(document.querySelector('.navbar')).display,
            htmx: typeof window.htmx,
            tabler: typeof window.tabler,
        })"""
    )
    assert state["sheets"] >= 3, state  # tabler, tabler-icons, weibao.css
    assert state["navbarDisplay"] == "flex", state
    assert state["htmx"] == "object", state
    assert state["tabler"] == "object", state


def run_action(
    page: Page,
    action: str,
    fields: dict[str, str] | None = None,
    *,
    pick: str = "",
    screenshot: Path | None = None,
) -> None:
    """Open an action's dialog from the ticket page, fill it and submit; back on the ticket page.

    ``fields`` maps field names to values (a ``<select>`` gets the option with that value);
    ``pick`` is the data-testid of a radio or star label to click first; ``screenshot`` saves the
    filled dialog before it is sent.
    """
    url = page.url.split("#")[0]
    page.get_by_test_id(f"action-{action}").click()
    form = page.get_by_test_id(f"form-{action}")
    expect(form).to_be_visible()
    if pick:
        form.get_by_test_id(pick).click()
    for name, value in (fields or {}).items():
        control = form.locator(f"[name={name}]")
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    if screenshot is not None:
        page.screenshot(path=str(screenshot))
    with page.expect_navigation():
        form.get_by_test_id(f"submit-{action}").click()
    if page.url.split("#")[0] != url:
        errors = page.locator(
            ".invalid-feedback, [data-testid=form-errors], [data-testid=conflict-alert]"
        ).all_inner_texts()
        raise AssertionError(f"{action} was refused ({page.url}): {errors}")
    # A refusal re-renders the form on the action's own page; a success shows the flash message.
    expect(page.locator(".alert-success")).to_be_visible()
