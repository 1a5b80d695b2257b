"""Every language at 360 px, the narrowest phone: the longest translations (Russian and
Finnish run long) make no page scroll sideways and cut no button's label."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DEMO_PASSWORD, refuse_policy_violations

pytestmark = pytest.mark.e2e

WIDTH = 360
#: (who signs in, the pages they see); None: signed out.
VISITS = [
    (None, ["/login"]),
    ("participant1@demo.tupa", ["/me", "/me/goals", "/me/activities"]),
    ("staff@demo.tupa", ["/today", "/dashboard"]),
    ("coordinator@demo.tupa", ["/dashboard", "/participants", "/catalog/activities"]),
]
#: Buttons and links styled as buttons whose text is wider than the button shows.
CUT_LABELS = """() => [...document.querySelectorAll('button, .button, select')]
  .filter(el => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
  .map(el => el.textContent.trim().slice(0, 40))"""


def sign_in(tab, email: str) -> None:
    tab.goto("/login")
    tab.locator("input[name=email]").fill(email)
    tab.locator("input[name=password]").fill(DEMO_PASSWORD)
    tab.locator("form[action='/login'] button[type=submit]").click()
    tab.wait_for_url(lambda url: "/login" not in url)


def choose_language(tab, language: str) -> None:
    """A choice saved with the account wins over the browser's language (other tests
    save one), so the account chooses this run's language with the switcher."""
    if tab.locator("html").get_attribute("lang") != language:
        with tab.expect_navigation():
            tab.locator("#language-select").select_option(language)


@pytest.mark.parametrize("language", ["ru", "fi", "lv", "da", "sv"])
def test_no_sideways_scroll_and_no_cut_button_at_360_px(browser, server, language):
    context = browser.new_context(
        base_url=server,
        viewport={"width": WIDTH, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale=language,
    )
    tab = context.new_page()
    violations = refuse_policy_violations(tab)
    problems: list[str] = []
    try:
        for who, paths in VISITS:
            context.clear_cookies()
            if who:
                sign_in(tab, who)
                choose_language(tab, language)
            for path in paths:
                tab.goto(path)
                assert tab.locator("html").get_attribute("lang") == language, path
                width = tab.evaluate("document.documentElement.scrollWidth")
                if width > WIDTH:
                    problems.append(f"{path} as {who}: {width} px wide")
                if cut := tab.evaluate(CUT_LABELS):
                    problems.append(f"{path} as {who}: cut labels {cut}")
            if who:  # the saved choice goes back to English, as the other tests expect
                choose_language(tab, "en")
    finally:
        context.close()
    assert problems == []
    assert violations == []
