"""Weekly slots become sessions: idempotent generation, daylight saving, holidays,
closures, slot changes, hand edits, moves, cancellations, conflicts and roles."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from service import clock
from service.audit.tables import AuditEvent
from service.auth.tables import Role
from service.jobs import InProcessQueue
from service.schedule import services as schedule
from service.schedule.schemas import ClosureIn, SessionChange, SlotIn
from service.schedule.tables import Session, SessionStatus, WeeklySlot
from tests import schedule_helpers as h
from tests.helpers import api_login, make_user, post_form

MONDAY = date(2026, 3, 16)  # two weeks before the spring DST change in Finland


async def sessions_of(slot_id: int) -> list[dict]:
    return await Session.select().where(Session.slot == slot_id).order_by(Session.origin_date)


async def test_generation_is_idempotent(db):
    activity = await h.activity(await h.site())
    slot_id = await h.slot(activity, today=MONDAY)
    assert len(await sessions_of(slot_id)) == 12
    again = await schedule.generate_sessions(today=MONDAY)
    assert (again.created, again.updated, again.cancelled) == (0, 0, 0)
    later = await schedule.generate_sessions(today=MONDAY + timedelta(days=7))
    assert later.created == 1  # the horizon rolled a week on
    assert len(await sessions_of(slot_id)) == 13


async def test_nine_oclock_stays_nine_oclock_across_daylight_saving(db):
    activity = await h.activity(await h.site(time_zone="Europe/Helsinki"))
    slot_id = await h.slot(activity, weekday=0, start=time(9), end=time(11), today=MONDAY)
    by_date = {row["date"]: row for row in await sessions_of(slot_id)}
    winter, summer = by_date[date(2026, 3, 23)], by_date[date(2026, 3, 30)]
    assert winter["starts_at"] == datetime(2026, 3, 23, 7, 0, tzinfo=UTC)
    assert summer["starts_at"] == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
    assert winter["start"] == summer["start"] == time(9)


async def test_public_holiday_cancels_the_session_it_hits(db):
    activity = await h.activity(await h.site(country="FI"))
    friday = await h.slot(activity, weekday=4, today=MONDAY)  # Good Friday is 2026-04-03
    rows = {row["date"]: row for row in await sessions_of(friday)}
    good_friday = rows[date(2026, 4, 3)]
    assert good_friday["status"] == SessionStatus.cancelled
    assert good_friday["cancel_reason"]
    assert rows[date(2026, 3, 27)]["status"] == SessionStatus.planned


@pytest.mark.parametrize(
    ("country", "time_zone", "whit_monday", "midsummer_eve"),
    [
        ("DK", "Europe/Copenhagen", "cancelled", "planned"),
        ("FI", "Europe/Helsinki", "planned", "cancelled"),
    ],
)
async def test_each_country_keeps_its_own_holidays(
    db, country, time_zone, whit_monday, midsummer_eve
):
    site = await h.site("Aktivitetshuset", time_zone=time_zone, country=country)
    monday = await h.slot(await h.activity(site), weekday=0, today=date(2026, 5, 18))
    friday = await h.slot(await h.activity(site, "Cafe"), weekday=4, today=date(2026, 5, 18))
    mondays = {row["date"]: row for row in await sessions_of(monday)}
    fridays = {row["date"]: row for row in await sessions_of(friday)}
    assert mondays[date(2026, 5, 25)]["status"] == whit_monday
    assert fridays[date(2026, 6, 19)]["status"] == midsummer_eve


async def test_closure_cancels_and_its_removal_restores(db):
    site = await h.site()
    slot_id = await h.slot(await h.activity(site), weekday=2, today=MONDAY)
    closure = await schedule.add_closure(
        h.ACTOR,
        ClosureIn(
            start_date=date(2026, 3, 23),
            end_date=date(2026, 3, 27),
            reason="Staff training day",
            site_id=site,
        ),
        today=MONDAY,
    )
    wednesday = next(r for r in await sessions_of(slot_id) if r["date"] == date(2026, 3, 25))
    assert (wednesday["status"], wednesday["cancel_reason"]) == ("cancelled", "Staff training day")
    assert wednesday["sequence"] == 1
    await schedule.remove_closure(h.ACTOR, closure.id, today=MONDAY)
    restored = await Session.select().where(Session.id == wednesday["id"]).first()
    assert (restored["status"], restored["cancel_reason"], restored["sequence"]) == (
        "planned",
        "",
        2,
    )


async def test_closure_for_every_site(client, db):
    one, two = await h.site("One"), await h.site("Two")
    first = await h.slot(await h.activity(one), weekday=0, today=MONDAY)
    second = await h.slot(await h.activity(two, "Cafe"), weekday=0, today=MONDAY)
    await schedule.add_closure(
        h.ACTOR,
        ClosureIn(
            start_date=date(2026, 3, 23),
            end_date=date(2026, 3, 23),
            reason="Association's summer party",
        ),
        today=MONDAY,
    )
    for slot_id in (first, second):
        day = next(r for r in await sessions_of(slot_id) if r["date"] == date(2026, 3, 23))
        assert day["status"] == "cancelled"


async def test_slot_change_updates_coming_sessions_but_keeps_hand_edits(db):
    site = await h.site()
    slot_id = await h.slot(await h.activity(site), weekday=0, today=MONDAY)
    first, second = (await sessions_of(slot_id))[:2]
    await schedule.change_session(h.ACTOR, second["id"], SessionChange(note="Bring gloves"))
    slot = await schedule.get_slot(slot_id)
    await schedule.save_slot(
        h.ACTOR,
        SlotIn(
            activity_id=slot.activity_id,
            weekday=0,
            start=time(10),
            end=time(13),
            valid_from=slot.valid_from,
        ),
        slot_id,
        today=MONDAY,
    )
    moved = await Session.select().where(Session.id == first["id"]).first()
    assert (moved["start"], moved["sequence"]) == (time(10), 1)
    kept = await Session.select().where(Session.id == second["id"]).first()
    assert kept["start"] == time(9)
    assert kept["slot_changed_since_edit"] is True
    assert kept["note"] == "Bring gloves"


async def test_changing_the_weekday_cancels_the_old_days(db):
    site = await h.site()
    slot_id = await h.slot(await h.activity(site), weekday=0, today=MONDAY)
    slot = await schedule.get_slot(slot_id)
    await schedule.save_slot(
        h.ACTOR,
        SlotIn(
            activity_id=slot.activity_id,
            weekday=1,
            start=time(9),
            end=time(12),
            valid_from=slot.valid_from,
        ),
        slot_id,
        today=MONDAY,
    )
    rows = await sessions_of(slot_id)
    mondays = [r for r in rows if r["date"].weekday() == 0]
    tuesdays = [r for r in rows if r["date"].weekday() == 1]
    assert len(mondays) == len(tuesdays) == 12
    assert all(r["status"] == "cancelled" for r in mondays)
    # Easter Monday was cancelled from the start; the others changed once.
    assert [r["sequence"] for r in mondays].count(1) == 11
    assert all(r["status"] == "planned" for r in tuesdays)


async def test_moving_a_session_raises_its_sequence_and_is_not_undone(db):
    slot_id = await h.slot(await h.activity(await h.site()), weekday=0, today=MONDAY)
    first = (await sessions_of(slot_id))[0]
    moved = await schedule.change_session(
        h.ACTOR, first["id"], SessionChange(date=date(2026, 3, 17), start=time(13), end=time(15))
    )
    assert (moved.status, moved.sequence, moved.edited_by_hand) == ("moved", 1, True)
    assert moved.starts_at == datetime(2026, 3, 17, 11, 0, tzinfo=UTC)
    result = await schedule.generate_sessions(today=MONDAY)
    assert result.created == 0
    assert len(await sessions_of(slot_id)) == 12


async def test_cancelling_needs_a_reason_and_happens_once(client, db):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    slot_id = await h.slot(await h.activity(await h.site()), today=clock.today())
    session_id = (await sessions_of(slot_id))[0]["id"]
    url = f"/api/v1/sessions/{session_id}/cancel"
    assert (await client.post(url, json={"reason": ""})).status_code == 422
    cancelled = await client.post(url, json={"reason": "Instructor ill"})
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["sequence"]) == ("cancelled", 1)
    assert (await client.post(url, json={"reason": "again"})).status_code == 409
    change = await client.patch(f"/api/v1/sessions/{session_id}", json={"note": "x"})
    assert change.status_code == 409


async def test_a_cancelled_session_is_planned_again_unless_a_closure_cancelled_it(client, db):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    site = await h.site()
    slot_id = await h.slot(await h.activity(site), weekday=2, today=clock.today())
    # Held sessions only: at some moments the first one falls on a public holiday.
    first, second = [s for s in await sessions_of(slot_id) if s["status"] == "planned"][:2]
    url = f"/api/v1/sessions/{first['id']}"
    assert (await client.post(f"{url}/restore", json={})).status_code == 409  # not cancelled
    await client.post(f"{url}/cancel", json={"reason": "Instructor ill"})
    restored = await post_form(client, f"/planner/sessions/{first['id']}/restore", {})
    assert restored.status_code == 200
    assert "is planned again." in restored.text
    row = await Session.select().where(Session.id == first["id"]).first()
    assert (row["status"], row["cancel_reason"], row["sequence"]) == ("planned", "", 2)
    assert (await client.post(f"{url}/restore", json={})).status_code == 409  # once
    await schedule.add_closure(
        h.ACTOR,
        ClosureIn(start_date=second["date"], end_date=second["date"], reason="Move", site_id=site),
    )
    closed = await client.post(f"/api/v1/sessions/{second['id']}/restore", json={})
    assert closed.status_code == 409 and "closure" in closed.json()["detail"]
    staff = await make_user(Role.staff, "sanna@example.org")
    await client.post("/api/v1/auth/logout", json={})
    await api_login(client, staff.email)
    assert (await client.post(f"{url}/restore", json={})).status_code == 403


async def test_the_planner_hides_days_with_nothing_unless_asked(client, db):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    await h.slot(await h.activity(await h.site()), weekday=2, today=MONDAY)
    week = {"week": (MONDAY + timedelta(days=7)).isoformat()}
    planner = await client.get("/planner", params=week)
    header = planner.text.split("<thead>")[1].split("</thead>")[0]
    assert header.count('scope="col"') == 2  # the site, and Wednesday
    assert "6 days with nothing planned are hidden." in planner.text
    every = await client.get("/planner", params={**week, "every_day": "true"})
    assert every.text.split("<thead>")[1].split("</thead>")[0].count('scope="col"') == 8


async def test_the_new_session_form_offers_the_sites_rooms_only(client, db):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    here, there = await h.site("Pajatalo"), await h.site("Koivula farm")
    await h.room(here, "Workshop hall")
    await h.room(there, "Barn")
    form = await client.get("/planner/sessions/new", params={"site": here})
    assert "Workshop hall" in form.text and "Barn" not in form.text


async def test_room_booked_twice_is_a_conflict_naming_the_other(client, db):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    site = await h.site()
    room = await h.room(site)
    woodwork, kitchen = await h.activity(site), await h.activity(site, "Kitchen")
    day = (clock.today() + timedelta(days=3)).isoformat()
    first = await client.post(
        "/api/v1/sessions",
        json={
            "activity_id": woodwork,
            "date": day,
            "start": "09:00:00",
            "end": "12:00:00",
            "room_id": room,
        },
    )
    assert first.status_code == 201
    clash = await client.post(
        "/api/v1/sessions",
        json={
            "activity_id": kitchen,
            "date": day,
            "start": "11:00:00",
            "end": "13:00:00",
            "room_id": room,
        },
    )
    assert clash.status_code == 409
    assert "Woodwork" in clash.json()["detail"]
    assert f"session {first.json()['id']}" not in clash.json()["detail"]  # no internal ids
    assert day not in clash.json()["detail"]  # a date for people, not 2026-03-19
    touching = await client.post(
        "/api/v1/sessions",
        json={
            "activity_id": kitchen,
            "date": day,
            "start": "12:00:00",
            "end": "13:00:00",
            "room_id": room,
        },
    )
    assert touching.status_code == 201
    move_into = await client.patch(
        f"/api/v1/sessions/{touching.json()['id']}", json={"start": "10:00:00"}
    )
    assert move_into.status_code == 409
    assert await Session.count() == 2


async def test_weekly_slots_in_one_room_cannot_overlap(db):
    site = await h.site()
    room = await h.room(site)
    await h.slot(await h.activity(site), weekday=2, room_id=room, today=MONDAY)
    with pytest.raises(Exception) as caught:
        await h.slot(
            await h.activity(site, "Kitchen"),
            weekday=2,
            start=time(11),
            end=time(14),
            room_id=room,
            today=MONDAY,
        )
    assert caught.value.status_code == 409  # type: ignore[attr-defined]
    assert "weekly slot" in str(caught.value)
    await h.slot(await h.activity(site, "Textile"), weekday=3, room_id=room, today=MONDAY)
    assert await WeeklySlot.count() == 2


async def test_warnings_for_staff_skills_availability_and_size(client, db):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    site = await h.site()
    olli = await make_user(Role.staff, "olli@example.org", display_name="Olli")
    await client.put(
        f"/api/v1/staff/{olli.id}",
        json={
            "skills": ["kitchen_hygiene"],
            "site_ids": [site],
            "availability": [{"weekday": 0, "start": "08:00:00", "end": "10:00:00"}],
        },
    )
    barn = await h.activity(
        site, "Animal care", kind="green_care", required_skills=["animals"], min_participants=3
    )
    cafe = await h.activity(site, "Morning cafe", kind="day_activity", min_participants=0)
    monday = MONDAY.isoformat()
    for activity_id in (barn, cafe):
        response = await client.post(
            "/api/v1/sessions",
            json={
                "activity_id": activity_id,
                "date": monday,
                "start": "09:00:00",
                "end": "11:00:00",
                "staff_ids": [olli.id],
            },
        )
        assert response.status_code == 201
    listed = await client.get("/api/v1/sessions", params={"start": monday, "end": monday})
    by_title = {s["title"]: {w["code"] for w in s["warnings"]} for s in listed.json()}
    assert by_title["Animal care"] == {
        "staff_double_booked",
        "staff_unavailable",
        "missing_skill",
        "below_minimum",
    }
    assert by_title["Morning cafe"] == {"staff_double_booked", "staff_unavailable"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": "12:00:00", "end": "09:00:00"}, "end"),
        ({"valid_from": "2026-06-01", "valid_until": "2026-05-01"}, "valid_until"),
        ({"weekday": 7}, "weekday"),
        ({"activity_id": 9999}, "activity_id"),
        ({"room_id": "OTHER_ROOM"}, "room_id"),
        ({"staff_ids": ["NOT_STAFF"]}, "staff_ids"),
        ({"start": "9 o'clock"}, "start"),
    ],
)
async def test_slot_refuses_nonsense(client, db, change, field):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    site, other = await h.site(), await h.site("Other")
    other_room = await h.room(other)
    activity = await h.activity(site)
    body = {
        "activity_id": activity,
        "weekday": 0,
        "start": "09:00:00",
        "end": "12:00:00",
        "valid_from": "2026-01-05",
        **change,
    }
    body = {key: other_room if value == "OTHER_ROOM" else value for key, value in body.items()}
    if body.get("staff_ids") == ["NOT_STAFF"]:
        body["staff_ids"] = [coordinator.id]
    response = await client.post("/api/v1/slots", json=body)
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]
    assert await WeeklySlot.count() == 0
    assert await Session.count() == 0


async def test_session_listing_refuses_bad_ranges(client, db):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    backwards = await client.get(
        "/api/v1/sessions", params={"start": "2026-02-01", "end": "2026-01-01"}
    )
    assert backwards.status_code == 422
    too_long = await client.get(
        "/api/v1/sessions", params={"start": "2026-01-01", "end": "2026-06-01"}
    )
    assert too_long.status_code == 422
    assert (
        await client.get("/api/v1/sessions", params={"start": "x", "end": "y"})
    ).status_code == 422
    assert (await client.get("/api/v1/sessions/12345")).status_code == 404


async def test_ending_a_slot_cancels_its_coming_sessions(client, db):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    slot_id = await h.slot(
        await h.activity(await h.site()),
        today=clock.today(),
        valid_from=clock.today() - timedelta(days=30),
    )
    assert (await client.delete(f"/api/v1/slots/{slot_id}")).status_code == 204
    rows = await sessions_of(slot_id)
    assert rows and all(row["status"] == "cancelled" for row in rows)
    fresh = await h.slot(
        await h.activity(await h.site("Other"), "Cafe"),
        today=clock.today(),
        valid_from=clock.today() + timedelta(days=400),
    )
    assert (await client.delete(f"/api/v1/slots/{fresh}")).status_code == 204
    assert (await client.get(f"/api/v1/slots/{fresh}")).status_code == 404


async def test_roles_on_the_schedule(client, db):
    own, other = await h.site("Own"), await h.site("Other")
    today = clock.today()
    await h.slot(await h.activity(own), weekday=today.weekday(), today=today)
    await h.slot(await h.activity(other, "Cafe"), weekday=today.weekday(), today=today)
    week = {"start": today.isoformat(), "end": (today + timedelta(days=6)).isoformat()}
    staff = await make_user(Role.staff, "olli@example.org", site_ids=[own])
    await api_login(client, staff.email)
    seen = (await client.get("/api/v1/sessions", params=week)).json()
    assert {s["site_id"] for s in seen} == {own}
    assert (await client.post("/api/v1/sessions", json={})).status_code == 403
    assert (await client.post("/api/v1/closures", json={})).status_code == 403
    assert (await client.post("/api/v1/slots", json={})).status_code == 403
    await client.post("/api/v1/auth/logout", json={})
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    assert len((await client.get("/api/v1/sessions", params=week)).json()) == 2
    closure = {"start_date": today.isoformat(), "end_date": today.isoformat(), "reason": "x"}
    assert (await client.post("/api/v1/closures", json=closure)).status_code == 201
    await client.post("/api/v1/auth/logout", json={})
    admin = await make_user(Role.admin, "admin@example.org")
    await api_login(client, admin.email)
    assert (await client.post("/api/v1/closures", json=closure)).status_code == 201
    bad = {**closure, "end_date": (today - timedelta(days=1)).isoformat()}
    assert (await client.post("/api/v1/closures", json=bad)).status_code == 422


async def test_generation_runs_as_a_job(client, app, db):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    activity = await h.activity(await h.site())
    await WeeklySlot.insert(
        WeeklySlot(
            activity=activity, weekday=1, start=time(9), end=time(12), valid_from=date(2026, 1, 1)
        )
    )
    assert await Session.count() == 0
    response = await client.post("/api/v1/sessions/generate", json={})
    assert response.status_code == 202
    assert response.json()["queued"] is True
    queue: InProcessQueue = app.state.queue
    await queue.drain()
    assert await Session.count() == 12
    # who asked, and what the job made, are both in the audit log
    actions = {row["action"] for row in await AuditEvent.select(AuditEvent.action)}
    assert {"sessions.generate_requested", "sessions.generate"} <= actions


async def test_the_planner_dialog_creates_moves_and_cancels(client, db):
    """The session dialog posts a form: what it cannot read comes back at its field with
    what was typed; what it can becomes the same session the API would make."""
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    staff = await make_user(Role.staff, "ville@example.org")
    await api_login(client, coordinator.email)
    site = await h.site()
    room = await h.room(site)
    activity = await h.activity(site)
    day = clock.today() + timedelta(days=3)
    form = {
        "activity_id": str(activity),
        "date": day.isoformat(),
        "start": "9.30",
        "end": "11:00",
        "room_id": str(room),
        "staff_ids": [str(staff.id)],
        "note": "Bring aprons",
        "filter_site": str(site),
        "filter_kind": "",
    }
    bad = await post_form(client, "/planner/sessions", form)
    assert bad.status_code == 422
    assert 'id="f-start-error">Give a time such as 09:30.' in bad.text
    assert 'value="9.30"' in bad.text and "Bring aprons" in bad.text
    assert f'value="{staff.id}" checked' in bad.text
    created = await post_form(client, "/planner/sessions", {**form, "start": "09:30"})
    assert created.status_code == 200
    assert created.url.params["site"] == str(site)
    session = await Session.select().first()
    assert (session["start"], session["room"], session["note"]) == (
        time(9, 30),
        room,
        "Bring aprons",
    )
    url = f"/planner/sessions/{session['id']}"
    edit = await client.get(f"{url}/edit")
    assert 'value="09:30"' in edit.text and f'value="{staff.id}" checked' in edit.text
    moved = await post_form(client, url, {**form, "start": "10:00", "room_id": ""})
    assert moved.status_code == 200
    changed = await schedule.get_session(session["id"])
    assert (changed.start, changed.room_id, changed.status) == (time(10), None, "moved")
    refused = await post_form(client, f"{url}/cancel", {"reason": " "})
    assert refused.status_code == 422
    assert "Say why the session is cancelled." in refused.text
    await post_form(client, f"{url}/cancel", {"reason": "Instructor ill"})
    assert (await schedule.get_session(session["id"])).cancel_reason == "Instructor ill"
