"""Fault injection: every check-then-write raced from several connections at once.

Each race sends the same (or competing) writes at the same moment with
`asyncio.gather`. On PostgreSQL every task runs on a pool connection of its own; on
SQLite every task opens a connection of its own to the one database file. Each race
asserts that nothing was stored twice, nothing went over capacity, and that every
answer is one a user can read (2xx, 404 or 409), never a 500."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import time, timedelta
from typing import Any

import pytest

from service import clock
from service.auth.tables import Role
from service.errors import DomainError
from service.people.schemas import ParticipantIn
from service.people.services import link_account, save_participant
from service.people.tables import ParticipantStatus
from service.placements.schemas import PlacementIn
from service.placements.services import place
from service.placements.tables import AbsenceNotice, Placement
from service.schedule.tables import Session
from tests import schedule_helpers as h
from tests.helpers import api_login, make_user

RACERS = 14


async def race(*calls: Callable[[], Awaitable[Any]]) -> list[Any]:
    """Run the calls at the same moment; each result or the domain error it raised."""

    async def one(call: Callable[[], Awaitable[Any]]) -> Any:
        try:
            return await call()
        except DomainError as error:
            return error

    return await asyncio.gather(*(one(call) for call in calls))


def statuses(responses: list[Any]) -> list[int]:
    return sorted(response.status_code for response in responses)


def refused(results: list[Any]) -> list[DomainError]:
    return [r for r in results if isinstance(r, DomainError)]


@pytest.fixture
async def slot_week(db) -> dict[str, Any]:
    """A daily late-evening slot of capacity 10 from a week ago (so today's session is
    still to come), its sessions made."""
    site = await h.site()
    activity = await h.activity(site, max_participants=10, min_participants=1)
    today = clock.today()
    slot = await h.slot(
        activity,
        weekday=today.weekday(),
        start=time(23, 0),
        end=time(23, 30),
        valid_from=today - timedelta(days=7),
        today=today,
    )
    return {"site": site, "activity": activity, "slot": slot, "today": today}


async def participants(count: int) -> list[int]:
    return [
        (
            await save_participant(
                h.ACTOR, ParticipantIn(display_name=f"P{n}", status=ParticipantStatus.active)
            )
        ).id
        for n in range(count)
    ]


# --- placements: capacity and double placement ----------------------------------------


async def test_concurrent_placements_never_overbook_a_slot(client, slot_week):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    people = await participants(RACERS)
    start = slot_week["today"].isoformat()
    responses = await asyncio.gather(
        *(
            client.post(
                "/api/v1/placements",
                json={"participant_id": p, "slot_id": slot_week["slot"], "start_date": start},
            )
            for p in people
        )
    )
    assert statuses(responses) == [201] * 10 + [409] * (RACERS - 10)
    assert await Placement.count().where(Placement.slot == slot_week["slot"]) == 10


async def test_the_same_placement_sent_at_once_is_stored_once(client, slot_week):
    coordinator = await make_user(Role.coordinator, "kaisa@example.org")
    await api_login(client, coordinator.email)
    (person,) = await participants(1)
    body = {
        "participant_id": person,
        "slot_id": slot_week["slot"],
        "start_date": slot_week["today"].isoformat(),
    }
    responses = await asyncio.gather(
        *(client.post("/api/v1/placements", json=body) for _ in range(6))
    )
    assert statuses(responses) == [201] + [409] * 5
    assert await Placement.count().where(Placement.participant == person) == 1


# --- absence notices --------------------------------------------------------------------


async def test_the_same_absence_notice_sent_at_once_answers_like_a_repeat(client, slot_week):
    (person,) = await participants(1)
    account = await make_user(Role.participant, "aino@example.org")
    await link_account(h.ACTOR, person, account.id)
    await place(
        h.ACTOR,
        PlacementIn(
            participant_id=person, slot_id=slot_week["slot"], start_date=slot_week["today"]
        ),
    )
    session = (
        await Session.select(Session.id)
        .where((Session.slot == slot_week["slot"]) & (Session.date == slot_week["today"]))
        .first()
    )
    await api_login(client, account.email)
    responses = await asyncio.gather(
        *(
            client.post("/api/v1/absences", json={"session_id": session["id"], "note": f"{n}"})
            for n in range(6)
        )
    )
    assert statuses(responses) == [201] * 6
    assert len({r.json()["id"] for r in responses}) == 1
    assert await AbsenceNotice.count() == 1
