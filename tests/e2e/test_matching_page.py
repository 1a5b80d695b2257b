"""Matching in Chromium: start a run from the planner, watch it finish, review the
proposal by participant and by slot, see a hand change refused with its rule, and set
the proposal aside (so the shared demo keeps its placements for the other tests)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_foundation_pages import sign_in

pytestmark = pytest.mark.e2e


def test_a_coordinator_runs_reviews_and_sets_aside_a_proposal(page):
    sign_in(page, "coordinator@demo.tupa")
    page.wait_for_url("**/dashboard")
    page.goto("/planner")
    page.get_by_role("link", name="Match participants to this week").click()
    page.wait_for_url("**/matching?first_day=*")
    page.get_by_role("button", name="Find placements").click()
    page.wait_for_url(re.compile(r".*/matching/runs/\d+$"))
    # The progress bar polls until the run is done, then the review replaces it.
    page.get_by_role("heading", name="Summary").wait_for(timeout=60_000)
    assert page.locator("progress").count() == 0
    assert page.get_by_text("This is the best plan under the rules").is_visible()

    first = page.locator("article.proposal").first
    assert first.locator("ul.reasons li").count() >= 1
    assert re.search(r"Uses [\d.]+ of [\d.]+ weekly hours", first.inner_text())

    row = (
        first.locator("li[id^=proposal-]")
        .filter(
            has=page.get_by_role(
                "button", name=re.compile(r"^(Set aside|End this placement|Keep it instead)\b")
            )
        )
        .first
    )
    row_id = row.get_attribute("id")
    row.get_by_role(
        "button", name=re.compile(r"^(Set aside|End this placement|Keep it instead)\b")
    ).click()
    page.locator(f"#{row_id}").get_by_role(
        "button", name=re.compile(r"^(Accept|Keep|End it)\b")
    ).wait_for()

    page.get_by_role("link", name="By slot").click()
    page.wait_for_url("**view=slots*")
    assert page.locator("article.proposal h3").count() > 1

    # Someone the run could not place, put by hand into a slot outside their times.
    page.get_by_role("link", name="By participant").click()
    unplaced = page.locator("#unplaced-title + table tbody tr").first
    name = unplaced.locator("td").first.inner_text()
    page.get_by_label("Participant", exact=True).select_option(label=name)
    page.get_by_label("Weekly slot").select_option(index=0)
    page.get_by_role("button", name="Check and add").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "This change would break a rule." in alert.inner_text()

    page.get_by_role("button", name="Discard this proposal").click()
    page.wait_for_url("**/matching")
    assert page.get_by_text("Set aside").first.is_visible()


def test_ending_a_place_swaps_its_row_flags_the_loss_and_publishing_asks_first(page):
    sign_in(page, "coordinator@demo.tupa")
    page.wait_for_url("**/dashboard")
    page.goto("/matching")
    page.get_by_role("button", name="Find placements").click()
    page.wait_for_url(re.compile(r".*/matching/runs/\d+$"))
    page.get_by_role("heading", name="Summary").wait_for(timeout=60_000)

    end_button = re.compile(r"^(End this placement|End it)\b")
    row = (
        page.locator("li[id^=proposal-]")
        .filter(has=page.get_by_role("button", name=end_button))
        .first
    )
    row_id = row.get_attribute("id")
    ending = row.get_by_role("button", name=end_button)
    name = page.locator(f"article.proposal:has(#{row_id}) h3").inner_text()
    row.scroll_into_view_if_needed()
    page.evaluate("window.stillTheSamePage = true")
    scrolled = page.evaluate("window.scrollY")
    ending.click()
    page.locator(f"#{row_id}").get_by_role(
        "button", name=re.compile(r"^(Keep|Keep it instead)\b")
    ).wait_for()
    assert page.evaluate("window.stillTheSamePage") is True  # one row swapped, no reload
    assert page.evaluate("window.scrollY") == scrolled

    page.reload()
    flagged = page.locator("section.flagged")
    assert re.search(r"\d+ (person|people) would lose a place", flagged.inner_text())
    assert name in flagged.inner_text()

    page.get_by_role("link", name="Publish accepted changes").click()
    page.wait_for_url(re.compile(r".*/matching/runs/\d+/publish$"))
    counts = page.locator("ul.publish-counts").inner_text()
    assert re.search(r"[1-9]\d* (ending|moved)", counts)  # a move when they gain one
    for label in ("new placement", "moved", "without a place"):
        assert label in counts
    assert name in page.locator("ul.losses").inner_text()
    page.get_by_role("link", name="Back to the review").click()
    page.get_by_role("button", name="Discard this proposal").click()
    page.wait_for_url("**/matching")
