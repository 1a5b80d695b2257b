"""Attendance at the API: marks stored once whatever the network does, the later mark
wins, every refusal, the partner's limits, follow-ups, pages and live events."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import msgspec
import pytest
from litestar.channels import ChannelsPlugin

from service import clock
from service.app import create_app
from service.attendance.tables import AttendanceMark, FollowUp
from service.audit.tables import AuditEvent
from service.auth.tables import Role
from service.people.schemas import ParticipantIn
from service.people.services import save_participant
from service.people.tables import ParticipantStatus, ReachableSite
from service.placements.services import PlacementIn, place
from service.placements.tables import AbsenceNotice
from service.schedule.services import cancel_session
from service.schedule.tables import Session
from tests import schedule_helpers as h
from tests.conftest import make_client, running
from tests.helpers import api_login, make_user, post_form

TODAY = clock.today()


async def participant(name: str, contact_staff: int | None = None) -> int:
    data = ParticipantIn(
        display_name=name, status=ParticipantStatus.active, contact_staff_id=contact_staff
    )
    return (await save_participant(h.ACTOR, data)).id


@pytest.fixture
async def place_(db):
    """A woodwork slot every day for the last two weeks and the coming ones, with two
    participants placed, one more who can reach the site, and a farm elsewhere."""
    site = await h.site("Pajatalo")
    farm = await h.site("Kotiranta farm")
    activity = await h.activity(site, max_participants=5)
    farm_activity = await h.activity(farm, title="Animal care")
    since = TODAY - timedelta(days=14)
    slots = [
        await h.slot(
            activity,
            weekday=day,
            start=time(0, 0),
            end=time(0, 30),
            valid_from=since,
            today=since,
        )
        for day in range(7)
    ]
    farm_slot = await h.slot(farm_activity, weekday=TODAY.weekday(), valid_from=since, today=since)
    staff = await make_user(Role.staff, "olli@example.org", site_ids=[site])
    aino = await participant("Aino Aaltonen", contact_staff=staff.id)
    eero = await participant("Eero Eskola")
    # Ville can reach the site and is Olli's to follow: a walk-in Olli may add (someone
    # outside Olli's participants is never offered, tests/integration/test_privacy.py).
    walk_in = await participant("Ville Virta", contact_staff=staff.id)
    await ReachableSite(participant=walk_in, site=site).save()
    for pid in (aino, eero):
        for slot in slots:
            await place(h.ACTOR, PlacementIn(participant_id=pid, slot_id=slot, start_date=since))
    return {
        "site": site,
        "farm": farm,
        "farm_slot": farm_slot,
        "slots": slots,
        "staff": staff,
        "aino": aino,
        "eero": eero,
        "walk_in": walk_in,
    }


async def session_on(day: date, slot: int | None = None) -> int:
    query = Session.select(Session.id).where(Session.date == day)
    if slot is not None:
        query = query.where(Session.slot == slot)
    row = await query.first()
    assert row is not None, day
    return row["id"]


async def today_session(place_) -> int:
    return await session_on(TODAY, place_["slots"][TODAY.weekday()])


def mark(session_id: int, participant_id: int, status: str = "present", **extra) -> dict:
    return {
        "uuid": str(uuid.uuid4()),
        "session_id": session_id,
        "participant_id": participant_id,
        "status": status,
        "marked_at": extra.pop("marked_at", datetime.now(UTC).isoformat()),
        **extra,
    }


async def post_marks(client, *marks: dict):
    return await client.post("/api/v1/attendance", json={"marks": list(marks), "device": "t1"})


async def test_a_batch_sent_twice_is_stored_once(client, place_):
    await api_login(client, place_["staff"].email)
    session = await today_session(place_)
    marks = [
        mark(session, place_["aino"], arrived_at=datetime.now(UTC).isoformat()),
        mark(session, place_["eero"], "late"),
    ]
    first = await post_marks(client, *marks)
    assert first.status_code == 200
    assert [r["result"] for r in first.json()["results"]] == ["stored", "stored"]
    again = await post_marks(client, *marks, marks[0])
    assert [r["result"] for r in again.json()["results"]] == ["duplicate"] * 3
    assert again.json()["results"][0]["mark_id"] == first.json()["results"][0]["mark_id"]
    assert await AttendanceMark.count() == 2
    sheet = (await client.get(f"/api/v1/sessions/{session}/attendance")).json()
    statuses = {row["participant_id"]: row["mark"]["status"] for row in sheet["rows"]}
    assert statuses == {place_["aino"]: "present", place_["eero"]: "late"}


async def test_concurrent_resends_store_each_uuid_once(client, place_):
    await api_login(client, place_["staff"].email)
    session = await today_session(place_)
    marks = [mark(session, place_["aino"]), mark(session, place_["eero"], "excused")]
    answers = await asyncio.gather(*(post_marks(client, *marks) for _ in range(5)))
    assert all(a.status_code == 200 for a in answers)
    results = [r["result"] for a in answers for r in a.json()["results"]]
    assert results.count("stored") == 2
    assert results.count("duplicate") == 8
    assert await AttendanceMark.count() == 2


async def test_the_later_mark_wins_and_both_stay_in_the_log(client, place_):
    await api_login(client, place_["staff"].email)
    session = await today_session(place_)
    now = datetime.now(UTC)
    later = mark(session, place_["aino"], "absent_no_notice", marked_at=now.isoformat())
    earlier = mark(
        session, place_["aino"], "present", marked_at=(now - timedelta(minutes=2)).isoformat()
    )
    # The later mark reaches the server first; the earlier one, from a tablet that was
    # offline, arrives after it and must not overwrite it.
    await post_marks(client, later)
    await post_marks(client, earlier)
    sheet = (await client.get(f"/api/v1/sessions/{session}/attendance")).json()
    row = next(r for r in sheet["rows"] if r["participant_id"] == place_["aino"])
    assert row["mark"]["status"] == "absent_no_notice"
    assert row["mark"]["uuid"] == later["uuid"]
    history = (await client.get(f"/api/v1/sessions/{session}/attendance/marks")).json()
    assert {h["uuid"] for h in history} == {later["uuid"], earlier["uuid"]}
    logged = await AuditEvent.select().where(AuditEvent.action == "attendance.mark")
    assert len(logged) == 2


async def test_a_tablet_clock_ahead_is_held_to_the_time_received(client, place_):
    await api_login(client, place_["staff"].email)
    session = await today_session(place_)
    ahead = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    await post_marks(client, mark(session, place_["aino"], "late", marked_at=ahead))
    row = await AttendanceMark.select().first()
    assert row["marked_at"] <= row["received_at"]


async def test_refusals(client, place_):
    await api_login(client, place_["staff"].email)
    session = await today_session(place_)
    cancelled = await session_on(
        TODAY - timedelta(days=1), place_["slots"][(TODAY.weekday() - 1) % 7]
    )
    await cancel_session(h.ACTOR, cancelled, "Flu")
    old = await session_on(TODAY - timedelta(days=9), place_["slots"][(TODAY.weekday() - 9) % 7])
    farm_session = await session_on(TODAY, place_["farm_slot"])

    answer = await post_marks(client, mark(cancelled, place_["aino"]))
    assert answer.status_code == 409
    assert answer.json()["errors"][0]["field"] == "marks[0].session_id"

    answer = await post_marks(client, mark(999_999, place_["aino"]))
    assert answer.status_code == 404

    answer = await post_marks(client, mark(farm_session, place_["aino"]))
    assert answer.status_code == 404  # another site's session does not exist for staff

    answer = await post_marks(client, mark(session, 999_999))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "marks[0].participant_id"

    answer = await post_marks(client, mark(old, place_["aino"]))
    assert answer.status_code == 403
    assert "coordinator" in answer.json()["detail"]

    bad_time = mark(session, place_["aino"])
    bad_time["left_at"] = "2026-01-01T10:00:00+00:00"
    bad_time["arrived_at"] = "2026-01-01T11:00:00+00:00"
    answer = await post_marks(client, bad_time)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "marks[0].left_at"

    for broken, field in (
        ({**mark(session, place_["aino"]), "uuid": "not-a-uuid"}, "uuid"),
        ({**mark(session, place_["aino"]), "status": "asleep"}, "status"),
        ({**mark(session, place_["aino"]), "colour": "red"}, "colour"),
    ):
        answer = await post_marks(client, broken)
        assert answer.status_code in (400, 422)
        assert field in answer.text
    assert (await client.post("/api/v1/attendance", json={"marks": []})).status_code in (400, 422)

    # One good mark among refused ones: 200, each mark with its own result.
    mixed = await post_marks(client, mark(session, place_["aino"]), mark(cancelled, place_["eero"]))
    assert mixed.status_code == 200
    assert [r["status"] for r in mixed.json()["results"]] == [201, 409]
    assert await AttendanceMark.count() == 1

    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    assert (await post_marks(client, mark(old, place_["aino"]))).status_code == 200


async def test_a_mark_made_in_time_but_sent_late_is_kept(client, place_):
    """A tablet that was offline for a week and a half still delivers its marks, and a
    mark resent after its session was cancelled is a duplicate, not a refusal."""
    await api_login(client, place_["staff"].email)
    day = TODAY - timedelta(days=9)
    old = await session_on(day, place_["slots"][day.weekday()])
    made_then = datetime.combine(day, time(0, 10), tzinfo=UTC).isoformat()
    answer = await post_marks(client, mark(old, place_["aino"], marked_at=made_then))
    assert answer.status_code == 200
    assert answer.json()["results"][0]["result"] == "stored"

    session = await today_session(place_)
    sent = mark(session, place_["eero"])
    await post_marks(client, sent)
    await cancel_session(h.ACTOR, session, "Storm")
    again = await post_marks(client, sent)
    assert again.status_code == 200
    assert again.json()["results"][0]["result"] == "duplicate"
    assert (await post_marks(client, mark(session, place_["aino"]))).status_code == 409


async def test_who_may_mark(client, place_):
    session = await today_session(place_)
    assert (await post_marks(client, mark(session, place_["aino"]))).status_code == 401
    person = await make_user(Role.participant, "aino@example.org")
    await api_login(client, person.email)
    assert (await post_marks(client, mark(session, place_["aino"]))).status_code == 403
    assert (await client.get(f"/api/v1/sessions/{session}/attendance")).status_code == 403
    assert (await client.get("/api/v1/follow-ups")).status_code == 403
    assert (await client.get("/today")).status_code == 403
    assert (await client.get(f"/attendance/{session}")).status_code == 403
    events = await client.get(f"/api/v1/sessions/{session}/attendance/events")
    assert events.status_code == 403


async def test_walk_ins_from_the_site(client, place_):
    await api_login(client, place_["staff"].email)
    session = await today_session(place_)
    sheet = (await client.get(f"/api/v1/sessions/{session}/attendance")).json()
    assert [c["id"] for c in sheet["walk_ins"]] == [place_["walk_in"]]
    assert (await post_marks(client, mark(session, place_["walk_in"]))).status_code == 200
    sheet = (await client.get(f"/api/v1/sessions/{session}/attendance")).json()
    walk_in = next(r for r in sheet["rows"] if r["participant_id"] == place_["walk_in"])
    assert walk_in["expected"] is False
    assert walk_in["mark"]["status"] == "present"
    assert sheet["walk_ins"] == []


async def test_partner_limits(client, place_):
    session = await today_session(place_)
    farm_session = await session_on(TODAY, place_["farm_slot"])
    farmer_participant = await participant("Saara Salo")
    since = TODAY - timedelta(days=14)
    await place(
        h.ACTOR,
        PlacementIn(
            participant_id=farmer_participant, slot_id=place_["farm_slot"], start_date=since
        ),
    )
    partner = await make_user(Role.partner, "heikki@example.org", site_ids=[place_["farm"]])
    await api_login(client, partner.email)
    assert (await post_marks(client, mark(session, place_["aino"]))).status_code == 404
    assert (await client.get(f"/api/v1/sessions/{session}/attendance")).status_code == 404
    assert (await client.get(f"/api/v1/sessions/{session}/attendance/events")).status_code == 404
    assert (await client.get(f"/attendance/{session}")).status_code == 404
    # Only those expected at the partner's session, not the site's others.
    assert (await post_marks(client, mark(farm_session, place_["walk_in"]))).status_code == 422
    assert (await post_marks(client, mark(farm_session, farmer_participant))).status_code == 200
    sheet = (await client.get(f"/api/v1/sessions/{farm_session}/attendance")).json()
    assert [r["name"] for r in sheet["rows"]] == ["Saara"]
    assert sheet["walk_ins"] == []
    assert (
        await client.get(f"/api/v1/sessions/{farm_session}/attendance/marks")
    ).status_code == 403


async def test_absence_notice_shows_on_the_sheet(client, place_):
    await api_login(client, place_["staff"].email)
    session = await today_session(place_)
    await AbsenceNotice(participant=place_["eero"], session=session, note="Doctor").save()
    sheet = (await client.get(f"/api/v1/sessions/{session}/attendance")).json()
    eero = next(r for r in sheet["rows"] if r["participant_id"] == place_["eero"])
    assert eero["absence_given_at"] is not None
    assert eero["mark"] is None
    page = await client.get(f"/attendance/{session}")
    assert page.status_code == 200
    assert "Absent with notice" in page.text


async def test_two_absences_in_a_row_make_a_follow_up(client, place_):
    staff = place_["staff"]
    await api_login(client, staff.email)
    yesterday = await session_on(
        TODAY - timedelta(days=1), place_["slots"][(TODAY.weekday() - 1) % 7]
    )
    session = await today_session(place_)
    await post_marks(client, mark(yesterday, place_["aino"], "absent_no_notice"))
    await post_marks(client, mark(yesterday, place_["eero"], "absent_no_notice"))
    await post_marks(client, mark(session, place_["eero"], "absent_notice"))
    assert await FollowUp.count() == 0
    second = mark(session, place_["aino"], "absent_no_notice")
    await post_marks(client, second)
    await post_marks(client, second)  # resent: still one item
    await post_marks(client, mark(session, place_["aino"], "absent_no_notice"))
    items = (await client.get("/api/v1/follow-ups")).json()
    assert [(i["participant_id"], i["session_id"], i["staff_id"]) for i in items] == [
        (place_["aino"], session, staff.id)
    ]
    dashboard = await client.get("/dashboard")
    assert "Aino Aaltonen" in dashboard.text

    other = await make_user(Role.staff, "other@example.org", site_ids=[place_["site"]])
    await api_login(client, other.email)
    assert (await client.get("/api/v1/follow-ups")).json() == []
    assert (
        await client.post(f"/api/v1/follow-ups/{items[0]['id']}/done", json={})
    ).status_code == 404
    assert (await post_form(client, f"/follow-ups/{items[0]['id']}/done", {})).status_code == 404
    assert (await client.get("/api/v1/sessions/999999/attendance/marks")).status_code == 404
    partner = await make_user(Role.partner, "p@example.org", site_ids=[place_["site"]])
    await api_login(client, partner.email)
    assert (
        await client.post(f"/api/v1/follow-ups/{items[0]['id']}/done", json={})
    ).status_code == 403

    await api_login(client, staff.email)
    done = await post_form(client, f"/follow-ups/{items[0]['id']}/done", {})
    assert done.status_code == 200
    assert (await client.get("/api/v1/follow-ups")).json() == []
    assert "Aino Aaltonen" not in (await client.get("/dashboard")).text


async def test_today_page_counts(client, place_):
    await api_login(client, place_["staff"].email)
    session = await today_session(place_)
    await post_marks(client, mark(session, place_["aino"]))
    page = await client.get("/today")
    assert page.status_code == 200
    assert f'href="/attendance/{session}"' in page.text
    assert "1 marked of 2 expected" in page.text
    await AbsenceNotice(participant=place_["eero"], session=session).save()
    assert "2 marked of 2 expected" in (await client.get("/today")).text
    assert "Animal care" not in page.text  # another site
    other_day = await client.get("/today", params={"date": (TODAY + timedelta(days=1)).isoformat()})
    assert other_day.status_code == 200
    bad = await client.get("/today", params={"date": "tomorrow"})
    assert bad.status_code == 422
    assert (await client.get("/attendance/999999")).status_code == 404


async def test_installable_and_offline_parts(client):
    worker = await client.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["service-worker-allowed"] == "/"
    assert "javascript" in worker.headers["content-type"]
    manifest = await client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["start_url"] == "/today"
    for icon in body["icons"]:
        assert (await client.get(icon["src"])).status_code == 200


async def _one_event(app, session_id: int, send) -> dict:
    channels = app.plugins.get(ChannelsPlugin)
    async with channels.start_subscription([f"session-{session_id}"]) as subscriber:
        await send()
        async for event in subscriber.iter_events():
            return msgspec.json.decode(event)
    raise AssertionError("no event")


async def test_a_mark_is_published_to_the_session_channel(app, client, place_):
    await api_login(client, place_["staff"].email)
    session = await today_session(place_)
    sent = mark(session, place_["aino"], "late")

    async def send():
        assert (await post_marks(client, sent)).status_code == 200

    event = await asyncio.wait_for(_one_event(app, session, send), 10)
    assert event["marks"][0]["uuid"] == sent["uuid"]
    assert "name" not in event["marks"][0]


async def test_live_events_go_through_redis_when_it_is_set(settings, db, redis, place_):
    app = create_app(replace(settings, redis_url=redis), engine=db.engine)
    async with running(app), make_client(app) as client:
        await api_login(client, place_["staff"].email)
        session = await today_session(place_)
        sent = mark(session, place_["eero"], "present")

        async def send():
            assert (await post_marks(client, sent)).status_code == 200

        event = await asyncio.wait_for(_one_event(app, session, send), 10)
    assert event["marks"][0]["uuid"] == sent["uuid"]
