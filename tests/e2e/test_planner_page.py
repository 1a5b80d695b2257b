"""The planner in Chromium: create, move and cancel a session from the week grid."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from service import clock
from tests.e2e.test_foundation_pages import sign_in

pytestmark = pytest.mark.e2e


def this_weeks(weekday: int) -> date:
    today = clock.today()
    return today - timedelta(days=today.weekday()) + timedelta(days=weekday)


def open_meijeri_week(page) -> None:
    page.goto("/planner")
    page.get_by_label("Site").select_option(label="Meijeri day centre")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/planner?**")


def test_create_move_and_cancel_a_session_from_the_grid(page):
    sign_in(page, "coordinator@demo.tupa")
    page.wait_for_url("**/dashboard")
    open_meijeri_week(page)
    tuesday = this_weeks(1)
    cards = page.locator("article.session-card", has_text="Yhteinen ruoanlaitto")
    before = cards.count()

    page.get_by_role("button", name="New session").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Activity").select_option(label="Yhteinen ruoanlaitto")
    dialog.get_by_label("Date").fill(tuesday.isoformat())
    dialog.get_by_label("Start").fill("14:00")
    dialog.get_by_label("End").fill("15:30")
    dialog.get_by_label("Sanna Saarinen").check()
    dialog.get_by_role("button", name="Create session").click()
    page.wait_for_function("() => !document.getElementById('session-dialog').open")
    new_card = page.locator("article.session-card", has_text="14:00–15:30")
    new_card.wait_for()
    assert cards.count() == before + 1
    rows = page.locator("table.week-grid tbody th[scope=row]").all_inner_texts()
    assert rows == ["Meijeri day centre"]  # the grid kept its filter
    assert "Sanna Saarinen" in new_card.inner_text()
    assert "Day activity" in new_card.inner_text()  # the kind in words, not colour alone

    new_card.get_by_role("button", name="Edit or move").click()
    dialog.get_by_label("Start").fill("15:00")
    dialog.get_by_label("End").fill("14:00")
    dialog.get_by_role("button", name="Save").click()
    assert (
        "The end must be after the start."
        in dialog.get_by_role("alert").inner_text() + dialog.inner_text()
    )
    dialog.get_by_label("End").fill("16:00")
    dialog.get_by_role("button", name="Save").click()
    page.wait_for_function("() => !document.getElementById('session-dialog').open")
    moved = page.locator("article.session-card", has_text="15:00–16:00")
    moved.wait_for()
    assert "Moved" in moved.inner_text()

    moved.get_by_role("button", name="Edit or move").click()
    dialog.get_by_label("Reason (participants see it)").fill("Kitchen being repaired")
    dialog.get_by_role("button", name="Cancel session").click()
    page.wait_for_function("() => !document.getElementById('session-dialog').open")
    cancelled = page.locator(
        "article.session-card.status-cancelled", has_text="Kitchen being repaired"
    )
    cancelled.wait_for()
    assert "Cancelled" in cancelled.inner_text()


def test_a_room_booked_twice_is_refused_in_the_dialog(page):
    sign_in(page, "coordinator@demo.tupa")
    page.wait_for_url("**/dashboard")
    open_meijeri_week(page)
    page.get_by_role("button", name="New session").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Activity").select_option(label="Pelejä ja juttutuokio")
    dialog.get_by_label("Date").fill(this_weeks(0).isoformat())  # Luova iltapäivä, Hall
    dialog.get_by_label("Start").fill("14:00")
    dialog.get_by_label("End").fill("15:00")
    dialog.get_by_label("Room").select_option(label="Meijeri day centre: Hall")
    dialog.get_by_role("button", name="Create session").click()
    alert = dialog.get_by_role("alert")
    alert.wait_for()
    assert "already booked" in alert.inner_text()
    assert "Luova iltapäivä" in alert.inner_text()


def test_staff_see_their_sites_without_editing(page):
    sign_in(page, "staff2@demo.tupa")
    page.wait_for_url("**/dashboard")
    page.get_by_role("link", name="Planner").click()
    rows = page.locator("table.week-grid tbody th[scope=row]").all_inner_texts()
    assert rows == ["Meijeri day centre"]
    assert page.get_by_role("button", name="New session").count() == 0
    assert page.get_by_role("button", name="Edit or move").count() == 0


def test_print_view_is_one_landscape_page(page):
    sign_in(page, "coordinator@demo.tupa")
    page.wait_for_url("**/dashboard")
    # The page opens the print dialog on load; the test prints to PDF itself, and two
    # prints at once fail ("Page is already being printed"), so it records the call.
    page.add_init_script("window.print = () => { window.printAsked = true; };")
    page.goto("/planner?print_view=true")
    page.wait_for_function("() => window.printAsked === true")
    assert page.locator("link[href='/static/css/print.css']").count() == 1
    assert page.get_by_role("button", name="Edit or move").count() == 0
    pdf = page.pdf(landscape=True, format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
