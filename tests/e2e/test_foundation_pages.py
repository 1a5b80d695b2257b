"""Signing in, the dashboard, the language switch and user administration in Chromium."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_admin_signs_in_and_sees_the_dashboard(page):
    sign_in(page, "admin@demo.tupa")
    page.wait_for_url("**/dashboard")
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Aino Admin"
    assert page.get_by_role("link", name="Audit log").first.is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    assert page.get_by_role("status").inner_text() == "You have signed out."


def test_a_wrong_password_is_announced(page):
    sign_in(page, "admin@demo.tupa", "not the password")
    alert = page.get_by_role("alert")
    assert "wrong" in alert.inner_text()
    assert page.get_by_label("Email").get_attribute("aria-invalid") == "true"


def test_language_switch_to_finnish(page):
    sign_in(page, "coordinator@demo.tupa")
    page.wait_for_url("**/dashboard")
    # The menu applies the language on choice: no button to press.
    assert not page.get_by_role("button", name="Change language").is_visible()
    with page.expect_navigation():
        page.get_by_label("Language").select_option("fi")
    page.wait_for_url("**/dashboard")
    assert page.locator("html").get_attribute("lang") == "fi"
    assert page.get_by_role("button", name="Kirjaudu ulos").is_visible()
    # The choice is saved with the account: it survives signing out and in.
    page.get_by_role("button", name="Kirjaudu ulos").click()
    page.goto("/login")
    page.get_by_label("Sähköposti").fill("coordinator@demo.tupa")
    page.get_by_label("Salasana").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään", exact=True).click()
    page.wait_for_url("**/dashboard")
    assert page.locator("html").get_attribute("lang") == "fi"
    with page.expect_navigation():
        page.get_by_label("Kieli").select_option("en")
    assert page.locator("html").get_attribute("lang") == "en"


def test_admin_creates_a_staff_member_with_a_temporary_password(page, browser, server):
    sign_in(page, "admin@demo.tupa")
    page.goto("/admin/users/new")
    page.get_by_label("Email").fill("new.instructor@demo.tupa")
    page.get_by_label("Name").fill("Nea Uusi")
    page.get_by_label("Role").select_option("staff")
    page.get_by_label("Meijeri day centre").check()
    page.get_by_role("button", name="Create user").click()
    temporary = page.locator(".secret code").inner_text()
    assert re.fullmatch(r"[a-z0-9]{4}(-[a-z0-9]{4}){3}", temporary)

    context = browser.new_context(base_url=server)
    newcomer = context.new_page()
    sign_in(newcomer, "new.instructor@demo.tupa", temporary)
    newcomer.wait_for_url("**/account/password")
    newcomer.get_by_label("Current password").fill(temporary)
    newcomer.get_by_label("New password (at least 8 characters)").fill("my own secret")
    newcomer.get_by_label("New password again").fill("my own secret")
    newcomer.get_by_role("button", name="Save password").click()
    newcomer.wait_for_url("**/dashboard")
    assert "Nea Uusi" in newcomer.get_by_role("heading", level=1).inner_text()
    context.close()


def test_sign_in_page_fits_a_phone(phone):
    phone.goto("/login")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    button = phone.get_by_role("button", name="Sign in", exact=True).bounding_box()
    assert button["height"] >= 44
    sign_in(phone, "participant1@demo.tupa")
    phone.wait_for_url("**/me")  # a participant starts at their own week
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
