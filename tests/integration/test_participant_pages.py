"""The participant's own pages: my week with "I can't come", my goals with a wish,
and activities that fit my goals."""

from __future__ import annotations

import uuid
from datetime import time, timedelta

import pytest

from service import clock
from service.attendance.tables import AttendanceMark
from service.auth.tables import Role
from service.people.schemas import GoalIn, ParticipantIn
from service.people.services import link_account, save_goal, save_participant
from service.people.tables import Goal, Interest, ParticipantStatus
from service.placements.services import PlacementIn, place
from service.placements.tables import AbsenceNotice
from service.schedule.tables import Session
from tests import schedule_helpers as h
from tests.helpers import api_login, make_user, post_form


@pytest.fixture
async def aino(client, db):
    """Aino, signed in, placed in a late-evening slot every day of the week."""
    site = await h.site(address="Verstaankatu 4")
    cafe = await h.activity(
        site, "Morning cafe", kind="day_activity", domains=[{"key": "interaction", "strength": 3}]
    )
    await h.activity(site, "Woodwork", domains=[{"key": "everyday_living", "strength": 1}])
    today = clock.today()
    slot = await h.slot(
        cafe,
        weekday=today.weekday(),
        start=time(23, 15),
        end=time(23, 45),
        valid_from=today,
        today=today,
    )
    account = await make_user(Role.participant, "aino@example.org", display_name="Aino")
    record = await save_participant(
        h.ACTOR, ParticipantIn(display_name="Aino K.", status=ParticipantStatus.active)
    )
    await link_account(h.ACTOR, record.id, account.id)
    await place(h.ACTOR, PlacementIn(participant_id=record.id, slot_id=slot, start_date=today))
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    from service.auth.services import load_current_user

    await save_goal(
        h.ACTOR,
        await load_current_user(coordinator.id),
        record.id,
        GoalIn(text="Meet people", domains=["interaction"]),
    )
    await api_login(client, account.email)
    return {"id": record.id, "slot": slot, "today": today}


async def test_my_week_and_i_cannot_come(client, aino):
    week = await client.get("/me")
    assert week.status_code == 200
    assert "Morning cafe" in week.text
    next_week = (await Session.select().where(Session.slot == aino["slot"]).order_by(Session.date))[
        1
    ]
    confirm = await client.get(f"/me/sessions/{next_week['id']}/absence")
    assert confirm.status_code == 200
    assert await AbsenceNotice.count() == 0  # opening the link records nothing
    done = await post_form(
        client, f"/me/sessions/{next_week['id']}/absence", {"note": "At the dentist"}
    )
    assert done.url.path == "/me"
    assert "Thank you for telling us." in done.text
    notice = await AbsenceNotice.select().first()
    assert notice["note"] == "At the dentist"
    assert (await client.get("/me/sessions/999999/absence")).status_code == 404


async def test_my_goals_and_a_wish(client, aino):
    page = await client.get("/me/goals")
    assert "Meet people" in page.text
    empty = await post_form(client, "/me/goals", {"wish": "  "})
    assert empty.status_code == 422
    assert 'id="wish-error"' in empty.text
    saved = await post_form(client, "/me/goals", {"wish": "I'd like to learn to bake bread"})
    assert saved.url.path == "/me/goals"
    assert "bake bread" in saved.text
    assert await Goal.count() == 2


async def test_activities_that_fit_my_goals_first(client, aino):
    page = await client.get("/me/activities")
    assert page.text.index("Morning cafe") < page.text.index("Woodwork")
    activity = int(page.text.split('id="activity-')[1].split('"')[0])
    await post_form(client, f"/me/activities/{activity}/interest", {})
    assert await Interest.count() == 1
    await post_form(client, f"/me/activities/{activity}/interest", {})
    assert await Interest.count() == 0


async def test_only_participants_have_these_pages(client, db):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    for url in ("/me", "/me/goals", "/me/activities"):
        assert (await client.get(url)).status_code == 403


async def test_a_participant_without_a_plan_is_told_kindly(client, db):
    await make_user(Role.participant, "new@example.org")
    await api_login(client, "new@example.org")
    page = await client.get("/me")
    assert "Your plan is not ready yet." in page.text
    assert (await client.get("/", follow_redirects=False)).headers["location"] == "/me"


async def sessions_of(slot: int) -> list[dict]:
    return await Session.select().where(Session.slot == slot).order_by(Session.date)


async def test_i_can_come_after_all_until_the_session_starts(client, aino):
    next_week = (await sessions_of(aino["slot"]))[1]
    url = f"/me/sessions/{next_week['id']}/absence"
    await post_form(client, url, {})
    week = await client.get("/me", params={"week": 1})
    assert "You told us you can't come." in week.text
    assert f'action="{url}/take-back"' in week.text

    back = await post_form(client, f"{url}/take-back", {})
    assert back.status_code == 200
    assert back.url.path == "/me" and back.url.params["week"] == "1"
    assert "Good to hear! We will see you there." in back.text
    assert await AbsenceNotice.count() == 0
    assert f'href="{url}"' in back.text  # "I can't come" is offered again
    again = await post_form(client, f"{url}/take-back", {})
    assert again.status_code == 404  # nothing left to take back

    # Through the API too, and not once the session has started.
    api = "/api/v1/absences"
    assert (await client.post(api, json={"session_id": next_week["id"]})).status_code == 201
    taken = await client.post(f"{api}/take-back", json={"session_id": next_week["id"]})
    assert (taken.status_code, taken.json()) == (
        200,
        {"participant_id": aino["id"], "session_id": next_week["id"]},
    )
    assert (await client.post(api, json={"session_id": next_week["id"]})).status_code == 201
    await Session.update({Session.starts_at: clock.utcnow() - timedelta(minutes=1)}).where(
        Session.id == next_week["id"]
    )  # it has started
    late = await client.post(f"{api}/take-back", json={"session_id": next_week["id"]})
    assert late.status_code == 422, late.text
    assert "session_id" in late.text
    assert await AbsenceNotice.count() == 1
    bad = await client.post(f"{api}/take-back", json={"session_id": 0})
    assert bad.status_code in (400, 422)


async def test_taking_back_is_refused_to_those_who_may_not_give_notice(client, aino):
    partner = await make_user(Role.partner, "farm@example.org")
    await api_login(client, partner.email)
    session = (await sessions_of(aino["slot"]))[1]
    refused = await client.post("/api/v1/absences/take-back", json={"session_id": session["id"]})
    assert refused.status_code == 403


async def test_my_week_steps_to_the_next_and_marks_moves_and_overlaps(client, aino):
    this_week = await client.get("/me")
    assert "This week" in this_week.text and 'href="/me?week=1"' in this_week.text
    sessions = await sessions_of(aino["slot"])
    following = sessions[1]
    moved_to = following["date"] + timedelta(days=1)
    await Session.update(
        {Session.status: "moved", Session.date: moved_to, Session.origin_date: following["date"]}
    ).where(Session.id == following["id"])
    # Another session of hers at the same time on that day: a second place.
    other = await h.activity(await h.site("Pajatalo"), "Pottery")
    slot = await h.slot(
        other,
        weekday=moved_to.weekday(),
        start=time(23, 0),
        end=time(23, 30),
        valid_from=aino["today"],
        today=aino["today"],
    )
    await place(
        h.ACTOR, PlacementIn(participant_id=aino["id"], slot_id=slot, start_date=aino["today"])
    )
    this_monday = aino["today"] - timedelta(days=aino["today"].weekday())
    week = await client.get("/me", params={"week": (moved_to - this_monday).days // 7})
    assert week.status_code == 200
    assert "Moved" in week.text
    assert "At the same time as Pottery." in week.text
    assert (await client.get("/me", params={"week": 99})).status_code in (400, 422)


async def test_a_wish_waits_for_a_talk_and_attended_activities_ask_nothing(client, aino):
    await post_form(client, "/me/goals", {"wish": "I'd like to learn to bake bread"})
    goals = await client.get("/me/goals")
    bread = goals.text.split("bake bread")[1].split("</article>")[0]
    assert "Waiting for a talk with your instructor" in bread
    meet = goals.text.split("Meet people")[1].split("</article>")[0]
    assert "Waiting for a talk" not in meet  # staff set it up with its domain
    session = (await sessions_of(aino["slot"]))[0]
    await AttendanceMark.insert(
        AttendanceMark(
            client_uuid=str(uuid.uuid4()),
            session=session["id"],
            participant=aino["id"],
            status="present",
            marked_at=clock.utcnow(),
        )
    )
    page = await client.get("/me/activities")
    cafe = page.text.split("<h2>Morning cafe</h2>")[1].split("</article>")[0]
    assert "You have taken part in this." in cafe and "I'm interested" not in cafe
    woodwork = page.text.split("<h2>Woodwork</h2>")[1].split("</article>")[0]
    assert "I'm interested" in woodwork
