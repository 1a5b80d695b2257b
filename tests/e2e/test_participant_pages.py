"""The participant's pages in Chromium at a phone's size: my week, "I can't come",
a wish of my own, and "I'm interested"."""

from __future__ import annotations

import pytest

from tests.e2e.test_foundation_pages import sign_in

pytestmark = pytest.mark.e2e


def test_participant_week_on_a_phone(phone):
    sign_in(phone, "participant1@demo.tupa")
    phone.wait_for_url("**/me")
    assert phone.get_by_role("heading", level=1).inner_text() == "My week"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.get_by_text("This week").first.is_visible()
    # Next week surely has sessions that have not started, whatever day it is today.
    phone.get_by_role("link", name="Next week").click()
    phone.wait_for_url("**/me?week=1")
    buttons = phone.get_by_role("link", name="I can't come")
    assert buttons.count() >= 1
    session = (
        phone.locator("article.me-session")
        .filter(has=phone.get_by_role("link", name="I can't come"))
        .last
    )
    session_id = session.get_attribute("id")
    target = session.get_by_role("link", name="I can't come")
    box = target.bounding_box()
    assert box["height"] >= 44
    target.click()
    phone.wait_for_url("**/absence")
    phone.get_by_label("Do you want to say something? (You don't have to.)").fill("Flu")
    phone.get_by_role("button", name="Yes, tell them I can't come").click()
    phone.wait_for_url(f"**/me?week=1#{session_id}")
    assert "Thank you for telling us." in phone.get_by_role("status").first.inner_text()
    marked = phone.locator(f"#{session_id}")
    assert marked.get_by_text("You told us you can't come.").count() == 1

    # Changed their mind: it can be taken back until the session starts.
    take_back = marked.get_by_role("button", name="I can come after all")
    assert take_back.bounding_box()["height"] >= 44
    take_back.click()
    phone.wait_for_url(f"**/me?week=1#{session_id}")
    assert "Good to hear!" in phone.get_by_role("status").first.inner_text()
    again = phone.locator(f"#{session_id}")
    assert again.get_by_text("You told us you can't come.").count() == 0
    assert again.get_by_role("link", name="I can't come").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_participant_adds_a_wish_and_shows_interest(phone):
    sign_in(phone, "participant2@demo.tupa")
    phone.wait_for_url("**/me")
    phone.get_by_role("link", name="My goals").click()
    phone.get_by_label("Add a wish in your own words").fill("I'd like to try the farm")
    phone.get_by_role("button", name="Save my wish").click()
    phone.wait_for_url("**/me/goals")
    assert phone.get_by_text("I'd like to try the farm").count() == 1
    phone.get_by_role("link", name="Activities").click()
    first = phone.locator("article.me-activity").first
    title = first.get_by_role("heading").inner_text()
    first.get_by_role("button", name="I'm interested").click()
    phone.wait_for_url("**/me/activities**")
    chosen = phone.locator("article.me-activity", has_text=title)
    assert chosen.get_by_text("You said you are interested.").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_participant_subscribes_to_their_calendar_on_a_phone(phone, server):
    """The calendar link and its QR code fit a phone; the feed it points to is a
    calendar, and its "I can't come" link asks before it records anything."""
    sign_in(phone, "participant3@demo.tupa")
    phone.wait_for_url("**/me")
    phone.get_by_role("link", name="My activities in my phone's calendar").click()
    phone.wait_for_url("**/me/calendar")
    phone.get_by_role("button", name="Make my calendar link").click()
    phone.wait_for_url("**/me/calendar")
    subscribe = phone.get_by_role("link", name="Add to my phone's calendar")
    webcal = subscribe.get_attribute("href")
    assert webcal.startswith("webcal://")
    assert phone.locator(".feed-qr svg").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    feed = phone.request.get("http://" + webcal.removeprefix("webcal://"))
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    body = feed.body()
    assert body.startswith(b"BEGIN:VCALENDAR\r\n")
    if b"/feeds/absence/" in body:
        unfolded = body.replace(b"\r\n ", b"").decode()
        link = next(line for line in unfolded.split("\r\n") if line.startswith("URL:"))[4:]
        phone.goto(link)
        assert phone.get_by_role("heading", level=1).inner_text() == "I can't come"
        assert phone.get_by_role("button", name="Yes, tell them I can't come").count() == 1


def test_a_printed_login_card_signs_the_participant_in(page, phone):
    """The card's Print button works without inline script, and the card's link shows
    nobody's name until it is used."""
    sign_in(page, "coordinator@demo.tupa")
    page.wait_for_url("**/dashboard")
    page.goto("/participants")
    profiles = page.locator("main a[href^='/participants/']").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    profile = [href for href in profiles if href.rstrip("/").split("/")[-1].isdigit()][-1]
    page.goto(profile)
    name = page.get_by_role("heading", level=1).inner_text()
    page.add_init_script("window.print = () => { window.printAsked = true; };")
    page.get_by_role("button", name="Print a login card").click()
    page.wait_for_url("**/card")
    page.get_by_role("button", name="Print").click()
    page.wait_for_function("() => window.printAsked === true")
    code = page.locator(".card-code code").inner_text()

    phone.goto(f"/card/{code}")
    assert phone.get_by_role("heading", level=1).inner_text() == "Login card"
    assert name.split(" ")[0] not in phone.content()
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_url("**/me")
