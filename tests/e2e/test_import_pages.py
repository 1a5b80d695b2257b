"""Importing a spreadsheet in Chromium: choose the kind and the file, read the preview
(what would be new, and a refused row with its column and reason), import."""

from __future__ import annotations

import pytest

from tests.e2e.test_foundation_pages import sign_in

pytestmark = pytest.mark.e2e

HEADINGS = "Your own number,Name,Contact,Hours a week,Sites they can reach"


def test_a_coordinator_previews_and_imports_participants(page, tmp_path):
    good = tmp_path / "people.csv"
    good.write_text(f"{HEADINGS}\nE2E-1,Ilmari Esikatselu,,5,\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADINGS}\nE2E-2,Kaarina Korjaus,,many,\n", encoding="utf-8")
    sign_in(page, "coordinator@demo.tupa")
    page.wait_for_url("**/dashboard")
    page.get_by_role("link", name="Import from a spreadsheet").click()
    page.wait_for_url("**/admin/imports")

    page.get_by_label("What the file holds").select_option("participants")
    page.get_by_label("File", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="Show what the import would do").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Import preview")
    row = page.locator("#import-rows tr.import-refuse")
    assert "many is not a number." in row.inner_text()
    assert page.get_by_role("button", name="Import these rows").count() == 0

    page.goto("/admin/imports")
    page.get_by_label("What the file holds").select_option("participants")
    page.get_by_label("File", exact=True).set_input_files(str(good))
    page.get_by_role("button", name="Show what the import would do").click()
    assert "Ilmari Esikatselu" in page.locator("#import-rows tr.import-create").inner_text()
    page.get_by_role("button", name="Import these rows").click()
    page.wait_for_url("**/admin/imports")
    assert "Imported: 1 new record" in page.get_by_role("status").first.inner_text()
    page.goto("/participants?q=Esikatselu")
    assert page.get_by_role("link", name="Ilmari Esikatselu").count() == 1
