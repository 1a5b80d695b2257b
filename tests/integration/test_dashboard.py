"""The coordinator's dashboard: today's sessions with their attendance, this week's
sessions under their minimum or short of staff, reviews due and who is waiting for a
place, each linking to where it is handled; other roles see only their part."""

from __future__ import annotations

from datetime import time, timedelta

from service import clock
from service.auth.tables import Role
from service.people.schemas import ParticipantIn
from service.people.services import save_participant
from service.people.tables import ParticipantStatus
from service.placements.services import PlacementIn, place
from service.schedule.tables import Session
from tests import schedule_helpers as h
from tests.helpers import api_login, make_user


async def test_the_dashboard_shows_what_to_handle_next(client, db):
    today = clock.today()
    site = await h.site()
    woodwork = await h.activity(site, "Woodwork", min_participants=2, participants_per_staff=4)
    slot = await h.slot(
        woodwork, weekday=today.weekday(), start=time(23, 0), end=time(23, 30), today=today
    )
    aino = await save_participant(
        h.ACTOR,
        ParticipantIn(
            display_name="Aino K.",
            status=ParticipantStatus.active,
            next_review=today + timedelta(days=3),
        ),
    )
    await place(h.ACTOR, PlacementIn(participant_id=aino.id, slot_id=slot, start_date=today))
    await save_participant(
        h.ACTOR, ParticipantIn(display_name="Eero N.", status=ParticipantStatus.waiting)
    )
    session = await Session.select().where((Session.slot == slot) & (Session.date == today)).first()
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    page = (await client.get("/dashboard")).text

    today_part = page.split('id="today-title"')[1].split("</section>")[0]
    assert f'href="/attendance/{session["id"]}"' in today_part
    assert "0 of 1 marked" in today_part
    problems = page.split('id="problems-title"')[1].split("</section>")[0]
    assert "Woodwork" in problems and "1 placed, at least 2 needed" in problems
    assert "short of staff" in problems and 'href="/planner?week=' in problems
    reviews = page.split('id="reviews-title"')[1].split("</section>")[0]
    assert f'href="/participants/{aino.id}"' in reviews
    waiting = page.split('id="waiting-title"')[1].split("</section>")[0]
    assert "Eero N." in waiting  # waiting, before any matching run
    assert "Aino K." not in waiting


async def test_staff_see_today_but_not_the_planning_parts(client, db):
    staff = await make_user(Role.staff, "sanna@example.org")
    await api_login(client, staff.email)
    page = (await client.get("/dashboard")).text
    assert 'id="today-title"' in page
    assert 'id="problems-title"' not in page and 'id="waiting-title"' not in page
