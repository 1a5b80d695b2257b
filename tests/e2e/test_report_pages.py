"""The reports page in Chromium: the charts are drawn by Chart.js under the strict
Content-Security-Policy (the `page` fixture fails on any violation), each with its
table, they are still drawn for printing, and the download button gives a workbook."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.e2e.test_foundation_pages import sign_in

pytestmark = pytest.mark.e2e


def test_a_coordinator_sees_drawn_charts_with_tables_and_downloads_the_workbook(page):
    sign_in(page, "coordinator@demo.tupa")
    page.wait_for_url("**/dashboard")
    page.get_by_role("link", name="Reports").first.click()
    page.wait_for_url("**/reports")
    page.get_by_label("Period", exact=True).select_option("year")
    page.get_by_label("Group by").select_option("activity")
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_url("**/reports?*group_by=activity*")
    charts = page.locator("canvas[data-chart]")
    assert charts.count() == 5  # three of attendance, destinations and goal progress
    page.wait_for_function("document.querySelectorAll('canvas[data-drawn=\"true\"]').length === 5")
    for title in ("Attendance rate by week", "Absences without notice by weekday"):
        figure = page.locator("figure.chart", has_text=title)
        assert figure.get_by_role("img").get_attribute("aria-label").startswith(title)
        assert figure.locator("table").is_visible()
    page.emulate_media(media="print")
    assert page.locator("canvas[data-drawn='true']").first.bounding_box()["height"] > 0
    assert not page.get_by_role("button", name="Show", exact=True).is_visible()
    page.emulate_media(media="screen")

    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download XLSX").click()
    book = load_workbook(io.BytesIO(waiting.value.path().read_bytes()))
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[1]][:2] == ["Activity", "Sessions held"]
    assert sheet.cell(row=sheet.max_row, column=1).value == "Total"


def test_a_participant_has_no_reports_in_the_menu(page):
    sign_in(page, "participant1@demo.tupa")
    page.wait_for_url("**/me")
    assert page.get_by_role("link", name="Reports").count() == 0
