"""The morning sheet in Chromium: every site's day prints on one A4 page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from service import clock
from tests.e2e.test_foundation_pages import sign_in

pytestmark = pytest.mark.e2e

#: A page object of a PDF (not the /Pages tree).
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![s\w])")


def test_each_sites_morning_sheet_prints_on_one_a4_page(page):
    sign_in(page, "coordinator@demo.tupa")
    page.wait_for_url("**/dashboard")
    # a Tuesday to come, when the demo provider holds sessions (real time: the server's)
    today = clock.today()
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    page.goto(f"/today/sheet?date={tuesday.isoformat()}")
    links = page.locator("main a[href^='/today/sheet?site=']")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert targets
    sessions = 0
    for target in targets:
        page.goto(target)
        assert page.locator("link[href='/static/css/print.css']").count() == 1
        assert page.locator("table.sheet-sessions").count() == 1
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        assert pdf.startswith(b"%PDF")
        assert len(PDF_PAGE.findall(pdf)) == 1, target
        sessions += page.locator("table.sheet-sessions tbody tr:not(:has(td[colspan]))").count()
    assert sessions > 0
