"""The participant's own pages: my week with "I can't come", my goals with a wish,
and activities that fit my goals."""

from __future__ import annotations

from datetime import time

import pytest

from service import clock
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
