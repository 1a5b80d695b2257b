"""Attendance on a tablet in Chromium: mark everyone, keep marking without a network
(and through a reload), and see another tablet's marks live."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from service import clock
from tests.e2e.test_foundation_pages import sign_in

pytestmark = pytest.mark.e2e

LANDSCAPE = {"width": 1024, "height": 768}
PORTRAIT = {"width": 768, "height": 1024}
STAFF = "staff@demo.tupa"


@pytest.fixture
def tablet(browser, server):
    context = browser.new_context(
        base_url=server, viewport=LANDSCAPE, has_touch=True, device_scale_factor=2
    )
    yield context
    context.close()


def sessions_to_mark(page) -> list[dict]:
    """Planned sessions of the last few days at the staff member's sites, most
    participants first; each test takes its own so that they do not meet."""
    today = clock.today()
    answer = page.request.get(
        "/api/v1/sessions",
        params={"start": (today - timedelta(days=5)).isoformat(), "end": today.isoformat()},
    )
    assert answer.ok, answer.text()
    found = [s for s in answer.json() if s["status"] == "planned" and s["placed"] >= 2]
    return sorted(found, key=lambda s: (-s["placed"], s["id"]))


def open_roster(page, session_id: int) -> None:
    page.goto(f"/attendance/{session_id}")
    page.locator("#att-rows li.att-row").first.wait_for()


def rows(page):
    return page.locator("#att-rows li.att-row")


def server_sheet(page, session_id: int) -> dict:
    answer = page.request.get(f"/api/v1/sessions/{session_id}/attendance")
    assert answer.ok
    return answer.json()


def assert_targets_are_large(page) -> None:
    targets = page.locator(
        "#att-rows button, #att-rows summary, #att-walkin-form button, #att-walkin-form select"
    )
    assert targets.count() > 0
    for index in range(targets.count()):
        box = targets.nth(index).bounding_box()
        assert box is not None
        assert box["height"] >= 44 and box["width"] >= 44, (index, box)


def test_mark_everyone_on_a_tablet_in_both_orientations(tablet):
    page = tablet.new_page()
    sign_in(page, STAFF)
    page.wait_for_url("**/dashboard")
    page.get_by_role("link", name="Today", exact=True).first.click()
    page.wait_for_url("**/today")
    session = sessions_to_mark(page)[0]
    open_roster(page, session["id"])
    assert_targets_are_large(page)
    assert page.locator("#att-summary").is_hidden()
    count = rows(page).count()
    for index in range(count):
        row = rows(page).nth(index)
        name = row.locator(".att-name").inner_text()
        # Screen readers: the buttons are a group named by the participant.
        group = page.get_by_role("group", name=name)
        group.get_by_role("button", name="Present").click()
        assert group.get_by_role("button", name="Present").get_attribute("aria-pressed") == "true"
    rows(page).first.get_by_role("button", name="Arrived now").click()
    page.locator("#att-summary").wait_for(state="visible")
    assert f"Present: {count}" in page.locator("#att-summary").inner_text()
    page.wait_for_function(
        "() => !document.body.innerText.includes('saved on this tablet')", timeout=15000
    )
    sheet = server_sheet(page, session["id"])
    assert {row["mark"]["status"] for row in sheet["rows"]} == {"present"}
    assert sheet["rows"][0]["mark"]["arrived_at"] or any(
        r["mark"]["arrived_at"] for r in sheet["rows"]
    )

    page.set_viewport_size(PORTRAIT)
    assert_targets_are_large(page)


def test_marks_made_offline_survive_a_reload_and_reach_the_server_once(tablet):
    page = tablet.new_page()
    sign_in(page, STAFF)
    page.wait_for_url("**/dashboard")
    session = sessions_to_mark(page)[1]
    open_roster(page, session["id"])
    # The service worker controls the page and has kept it for offline use.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    page.wait_for_function(
        "() => caches.open('tupa-pages-v1').then(c => c.match(location.href)).then(Boolean)",
        timeout=15000,
    )
    first = rows(page).first
    first.get_by_role("button", name="Late").click()
    first.locator(".att-state", has_text="saved").wait_for()

    tablet.set_offline(True)
    page.locator("#att-offline").wait_for(state="visible")
    names = []
    for index in range(rows(page).count()):
        row = rows(page).nth(index)
        names.append(row.locator(".att-name").inner_text())
        row.get_by_role("button", name="Excused").click()
        assert "saved on this tablet" in row.locator(".att-state").inner_text()

    page.reload()  # still offline: the service worker answers from its cache
    page.locator("#att-rows li.att-row").first.wait_for()
    for index in range(rows(page).count()):
        row = rows(page).nth(index)
        row.locator(".att-state", has_text="saved on this tablet").wait_for()
        assert row.get_by_role("button", name="Excused").get_attribute("aria-pressed") == "true"

    tablet.set_offline(False)
    page.wait_for_function(
        "() => !document.body.innerText.includes('saved on this tablet')", timeout=30000
    )
    made = page.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open('tupa-attendance');
            open.onsuccess = () => {
                const read = open.result.transaction('marks').objectStore('marks').getAll();
                read.onsuccess = () => resolve(read.result.map((m) => m.uuid));
            };
        })"""
    )
    history = page.request.get(f"/api/v1/sessions/{session['id']}/attendance/marks").json()
    stored = Counter(mark["uuid"] for mark in history)
    assert set(made) <= set(stored)
    assert all(n == 1 for n in stored.values())
    sheet = server_sheet(page, session["id"])
    assert {row["mark"]["status"] for row in sheet["rows"]} == {"excused"}


def test_two_tablets_see_each_others_marks_live(browser, server):
    contexts = [
        browser.new_context(base_url=server, viewport=vp, has_touch=True)
        for vp in (LANDSCAPE, PORTRAIT)
    ]
    try:
        first, second = (context.new_page() for context in contexts)
        sign_in(first, STAFF)
        first.wait_for_url("**/dashboard")
        sign_in(second, "coordinator@demo.tupa")
        second.wait_for_url("**/dashboard")
        session = sessions_to_mark(first)[2]
        for page in (first, second):
            open_roster(page, session["id"])
            page.wait_for_selector("#roster[data-live='on']")
        target = rows(first).nth(0)
        name = target.locator(".att-name").inner_text()
        target.get_by_role("button", name="Absent without notice").click()
        mirrored = second.get_by_role("group", name=name).get_by_role(
            "button", name="Absent without notice"
        )
        second.wait_for_function(
            "(el) => el.getAttribute('aria-pressed') === 'true'",
            arg=mirrored.element_handle(),
            timeout=10000,
        )
        back = rows(second).nth(1)
        other = back.locator(".att-name").inner_text()
        back.get_by_role("button", name="Left early").click()
        first.wait_for_function(
            "(el) => el.getAttribute('aria-pressed') === 'true'",
            arg=first.get_by_role("group", name=other)
            .get_by_role("button", name="Left early")
            .element_handle(),
            timeout=10000,
        )

        # A walk-in added on one tablet appears, with its name, on the other.
        choices = first.locator("#walkin option:not([value=''])")
        assert choices.count() > 0
        walk_in = choices.first.inner_text()
        first.get_by_label("Participant at this site").select_option(label=walk_in)
        first.get_by_role("button", name="Add as present").click()
        second.get_by_role("group", name=f"{walk_in} (walk-in)").get_by_role(
            "button", name="Present"
        ).wait_for()
        second.wait_for_function(
            "(el) => el.getAttribute('aria-pressed') === 'true'",
            arg=second.get_by_role("group", name=f"{walk_in} (walk-in)")
            .get_by_role("button", name="Present")
            .element_handle(),
            timeout=10000,
        )
    finally:
        for context in contexts:
            context.close()


def test_a_partner_marks_only_at_their_place(browser, server):
    context = browser.new_context(base_url=server, viewport=PORTRAIT, has_touch=True)
    try:
        page = context.new_page()
        sign_in(page, "partner@demo.tupa")
        page.wait_for_url("**/dashboard")
        today = clock.today()
        answer = page.request.get(
            "/api/v1/sessions",
            params={"start": (today - timedelta(days=6)).isoformat(), "end": today.isoformat()},
        ).json()
        session = next(s for s in answer if s["status"] == "planned" and s["placed"] >= 1)
        page.goto(f"/today?date={session['date']}")
        sites = {
            text.strip()
            for text in page.locator(".att-session span:nth-child(3)").all_inner_texts()
        }
        assert sites == {"Kotiranta farm"}
        open_roster(page, session["id"])
        assert page.locator("#att-walkin-form").count() == 0
        for name in page.locator(".att-name").all_inner_texts():
            assert " " not in name.strip()  # first names only
        first = rows(page).first
        first.get_by_role("button", name="Present").click()
        first.locator(".att-state", has_text="saved").wait_for()
        page.wait_for_function(
            "() => !document.body.innerText.includes('saved on this tablet')", timeout=15000
        )
        assert_targets_are_large(page)
    finally:
        context.close()


STORED_MARKS = """() => new Promise((resolve) => {
    const open = indexedDB.open('tupa-attendance');
    open.onsuccess = () => {
        const read = open.result.transaction('marks').objectStore('marks').getAll();
        read.onsuccess = () => resolve(read.result);
    };
})"""

PUT_MARKS = """(marks) => new Promise((resolve) => {
    const open = indexedDB.open('tupa-attendance');
    open.onsuccess = () => {
        const t = open.result.transaction('marks', 'readwrite');
        marks.forEach((m) => t.objectStore('marks').put(m));
        t.oncomplete = () => resolve(true);
    };
})"""


def test_a_refused_mark_is_set_aside_and_shown_and_the_others_arrive(tablet):
    """A poisoned mark on the tablet (a NUL in its note) is refused alone: the tablet
    stops sending it and says so in words, the good mark beside it arrives, and a mark
    resent with other content shows that the saved one stands."""
    page = tablet.new_page()
    sign_in(page, STAFF)
    page.wait_for_url("**/dashboard")
    session = sessions_to_mark(page)[3]["id"]
    open_roster(page, session)
    first, second = rows(page).nth(0), rows(page).nth(1)
    first_name = first.locator(".att-name").inner_text()
    second_name = second.locator(".att-name").inner_text()
    first.get_by_role("button", name="Present").click()
    page.wait_for_function(
        "() => !document.body.innerText.includes('saved on this tablet')", timeout=15000
    )
    sheet = server_sheet(page, session)
    kept = next(r for r in sheet["rows"] if r["mark"] is not None)
    assert kept["mark"]["status"] == "present"

    now = page.evaluate("() => new Date().toISOString()")
    made = {"session_id": session, "marked_at": now, "arrived_at": None, "left_at": None, "sent": 0}
    poisoned = {
        **made,
        "uuid": "00000000-0000-4000-8000-000000000001",
        "participant_id": rows(page).nth(1).evaluate("(el) => Number(el.dataset.participant)"),
        "status": "late",
        "note": "bus\u0000late",
    }
    good = {**poisoned, "uuid": "00000000-0000-4000-8000-000000000002", "note": "by bus"}
    changed = {**made, "uuid": kept["mark"]["uuid"], "participant_id": kept["participant_id"]}
    changed |= {"status": "excused", "note": ""}
    page.evaluate(PUT_MARKS, [poisoned, good, changed])
    page.evaluate("() => window.dispatchEvent(new Event('online'))")

    problems = page.locator("#att-problems")
    problems.wait_for(state="visible", timeout=20000)
    page.wait_for_function(
        "() => document.querySelectorAll('#att-problems-list li').length === 2", timeout=20000
    )
    words = problems.inner_text()
    assert f"Not saved: {second_name}, Late" in words
    assert "a note that cannot be saved" in words
    assert f"{first_name}, Excused" in words and "the saved one stands" in words
    page.wait_for_function(
        f"() => ({STORED_MARKS})().then((ms) => ms.every((m) => m.sent || m.refused))",
        timeout=20000,
    )
    history = page.request.get(f"/api/v1/sessions/{session}/attendance/marks").json()
    uuids = {m["uuid"] for m in history}
    assert good["uuid"] in uuids and poisoned["uuid"] not in uuids
    first.locator(".att-state", has_text="Present").wait_for()
    second.locator(".att-state", has_text="Late").wait_for()

    page.get_by_role("button", name="I have seen these").click()
    assert problems.is_hidden()
    left = page.evaluate(STORED_MARKS)
    assert poisoned["uuid"] not in {m["uuid"] for m in left}
    page.reload()
    page.locator("#att-rows li.att-row").first.wait_for()
    assert problems.is_hidden()


def test_a_walk_in_keeps_its_name_offline_and_the_count_says_so(tablet):
    page = tablet.new_page()
    sign_in(page, STAFF)
    page.wait_for_url("**/dashboard")
    session = sessions_to_mark(page)[4]
    open_roster(page, session["id"])
    expected = rows(page).count()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    page.wait_for_function(
        "() => caches.open('tupa-pages-v1').then(c => c.match(location.href)).then(Boolean)",
        timeout=15000,
    )
    back = page.get_by_role("link", name="Sessions of the day")
    assert back.bounding_box()["height"] >= 44

    tablet.set_offline(True)
    page.locator("#att-offline").wait_for(state="visible")
    # The picker's search narrows the names; the first that fits is chosen.
    choices = page.locator("#walkin option:not([value=''])")
    walk_in = choices.first.inner_text()
    page.get_by_label("Search by name").fill(walk_in[:4])
    assert page.get_by_label("Participant at this site").input_value() != ""
    page.get_by_label("Participant at this site").select_option(label=walk_in)
    page.get_by_role("button", name="Add as present").click()
    group = page.get_by_role("group", name=f"{walk_in} (walk-in)")
    group.wait_for()
    assert page.locator("#att-progress").inner_text() == f"0 of {expected} marked + 1 walk-in"
    row = page.locator("li.att-row", has=group)
    assert row.get_by_role("button", name="Arrived now").count() == 0  # arrived at a time
    arrived = row.locator(".att-arrived").inner_text()
    assert arrived.startswith("Arrived ") and ":" in arrived
    assert "M" not in arrived.removeprefix("Arrived ")  # 24-hour time, no AM or PM

    page.reload()  # still offline: the name comes from this tablet
    page.get_by_role("group", name=f"{walk_in} (walk-in)").wait_for()
    row = page.locator("li.att-row", has=page.get_by_role("group", name=f"{walk_in} (walk-in)"))
    # Marked absent after all: the arrival time goes.
    row.get_by_role("button", name="Excused").click()
    assert row.get_by_role("button", name="Arrived now").count() == 1

    # Everyone else present at once.
    page.get_by_role("button", name="Mark everyone not yet marked present").click()
    page.locator("#att-summary").wait_for(state="visible")
    assert page.locator("#att-progress").inner_text() == (
        f"{expected} of {expected} marked + 1 walk-in"
    )
    tablet.set_offline(False)
    page.wait_for_function(
        "() => !document.body.innerText.includes('saved on this tablet')", timeout=30000
    )
    sheet = server_sheet(page, session["id"])
    walked = next(r for r in sheet["rows"] if not r["expected"])
    assert (walked["mark"]["status"], walked["mark"]["arrived_at"]) == ("excused", None)
