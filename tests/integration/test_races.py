"""Fault injection: every check-then-write raced from several connections at once.

Each race sends the same (or competing) writes at the same moment with
`asyncio.gather`. On PostgreSQL every task runs on a pool connection of its own; on
SQLite every task opens a connection of its own to the one database file. Each race
asserts that nothing was stored twice, nothing went over capacity, and that every
answer is one a user can read (2xx, 404 or 409), never a 500."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, time, timedelta
from typing import Any

import msgspec
import pytest
from litestar import Request

from service import clock
from service.audit.tables import AuditEvent
from service.auth.schemas import CurrentUser
from service.auth.services import load_current_user
from service.auth.tables import Role, User, UserSite
from service.bounds import DB_INT_MAX
from service.calendars import services as calendars
from service.calendars.schemas import FeedIn
from service.calendars.tables import FeedKind, FeedToken
from service.catalog import services as catalog
from service.catalog.schemas import ActivityIn, GoalDomainIn, RoomIn
from service.catalog.tables import Activity, GoalDomain, Room
from service.db import lock, row_lock, transaction
from service.errors import ConcurrentChange, Conflict, DomainError
from service.people import cards
from service.people import services as people
from service.people.schemas import InterestsIn, ParticipantIn
from service.people.services import link_account, save_participant
from service.people.tables import Interest, LoginCard, Participant, ParticipantStatus, Strength
from service.placements import queries
from service.placements.schemas import PlacementIn
from service.placements.services import place
from service.placements.tables import AbsenceNotice, Placement
from service.schedule import services as schedule
from service.schedule.schemas import ClosureIn, SessionIn
from service.schedule.tables import Session, SessionStatus
from service.staff.schemas import StaffProfileIn, WindowIn
from service.staff.services import save_staff
from service.staff.tables import StaffAvailability
from tests import schedule_helpers as h
from tests.helpers import api_login, make_user
from tests.integration import test_matching as matching
from tests.integration.test_matching import (
    scene as matching_scene,  # noqa: F401 (the fixture `scene`)
)

RACERS = 14
scene = matching.scene  # the matching tests' fixture: two weeks of slots and four people
SECRET = "a-secret-key-for-the-races-of-at-least-32-chars"


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


async def held_in(slot_id: int, day: date) -> list[int]:
    """The participants holding a place in the slot on the day."""
    return [held.participant_id for held in await queries.holders(slot_id, day, day)]


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


# --- the schedule: generation, closures, rooms, cancellations ---------------------------


async def test_generation_run_at_once_makes_each_session_once(slot_week):
    later = slot_week["today"] + timedelta(weeks=3)
    before = await Session.count()
    results = await race(
        *[lambda: schedule.generate_sessions(today=later, slot_ids=None)] * 4,
        *[lambda: schedule.generate_sessions(today=later, slot_ids=[slot_week["slot"]])] * 2,
    )
    assert not refused(results)
    assert sum(r.created for r in results) == 3  # three new weeks at the end, made once
    assert await Session.count() == before + 3


async def test_a_closure_added_during_generation_cancels_its_session(slot_week):
    day = slot_week["today"] + timedelta(weeks=2)
    closure = ClosureIn(site_id=slot_week["site"], start_date=day, end_date=day, reason="Strike")
    results = await race(
        lambda: schedule.generate_sessions(today=slot_week["today"]),
        lambda: schedule.add_closure(h.ACTOR, closure, today=slot_week["today"]),
        lambda: schedule.generate_sessions(today=slot_week["today"]),
    )
    assert not refused(results)
    session = (
        await Session.select(Session.status)
        .where((Session.slot == slot_week["slot"]) & (Session.date == day))
        .first()
    )
    assert session["status"] == SessionStatus.cancelled


async def test_one_room_booked_at_once_by_several_sessions_is_booked_once(slot_week):
    room = await h.room(slot_week["site"])
    day = slot_week["today"] + timedelta(days=1)
    booking = SessionIn(
        activity_id=slot_week["activity"], date=day, start=time(10), end=time(11), room_id=room
    )
    results = await race(*[lambda: schedule.create_session(h.ACTOR, booking)] * 6)
    assert len(refused(results)) == 5
    assert all(isinstance(r, Conflict) for r in refused(results))
    assert await Session.count().where(Session.room == room) == 1


async def test_a_session_cancelled_twice_at_once_is_cancelled_once(slot_week):
    session = (
        await Session.select(Session.id, Session.sequence)
        .where(Session.slot == slot_week["slot"])
        .first()
    )
    results = await race(*[lambda: schedule.cancel_session(h.ACTOR, session["id"], "Ill")] * 4)
    assert len(refused(results)) == 3
    after = await Session.select().where(Session.id == session["id"]).first()
    assert after["sequence"] == session["sequence"] + 1
    assert await AuditEvent.count().where(AuditEvent.action == "session.cancel") == 1


# --- people, accounts, cards, feeds, the catalogue --------------------------------------


async def coordinator() -> CurrentUser:
    user = await make_user(Role.coordinator, "kaisa@example.org")
    current = await load_current_user(user.id)
    assert current is not None
    return current


async def test_cards_issued_at_once_leave_one_account_and_one_live_card(db):
    (person,) = await participants(1)
    staff = await coordinator()
    results = await race(*[lambda: cards.issue(h.ACTOR, staff, person)] * 5)
    assert not refused(results)
    assert await User.count().where(User.role == Role.participant.value) == 1
    live = LoginCard.revoked_at.is_null() & LoginCard.used_at.is_null()
    assert await LoginCard.count().where(live) == 1
    assert await LoginCard.count() == 5


async def test_feeds_created_or_rotated_at_once_leave_one_live_feed(db):
    staff = await coordinator()
    feed = FeedIn(kind=FeedKind.staff, owner_id=staff.id)
    results = await race(*[lambda: calendars.create_feed(h.ACTOR, staff, feed, SECRET)] * 5)
    assert len(refused(results)) == 4
    (made,) = [r for r in results if not isinstance(r, DomainError)]
    rotations = await race(*[lambda: calendars.rotate_feed(h.ACTOR, staff, made.id, SECRET)] * 5)
    assert len(refused(rotations)) == 4
    assert await FeedToken.count().where(FeedToken.revoked_at.is_null()) == 1


async def test_one_email_registered_at_once_makes_one_user(client):
    admin = await make_user(Role.admin, "admin@example.org")
    await api_login(client, admin.email)
    body = {
        "email": "new@example.org",
        "role": "staff",
        "display_name": "New",
        "password": "correct horse battery",
    }
    responses = await asyncio.gather(*(client.post("/api/v1/users", json=body) for _ in range(4)))
    assert statuses(responses) == [201] + [409] * 3
    assert await User.count().where(User.email == "new@example.org") == 1


async def test_lists_saved_at_once_are_replaced_not_added_to(slot_week):
    (person,) = await participants(1)
    staff = await coordinator()
    interests = InterestsIn(wanted_activity_ids=[slot_week["activity"]], strengths=["wood"])
    window = WindowIn(weekday=0, start=time(9), end=time(12))
    profile = StaffProfileIn(site_ids=[slot_week["site"]], availability=[window])
    sanna = await make_user(Role.staff, "sanna@example.org")
    results = await race(
        *[lambda: people.save_interests(h.ACTOR, staff, person, interests)] * 4,
        *[lambda: save_staff(h.ACTOR, sanna.id, profile)] * 4,
    )
    assert not refused(results)
    assert await Interest.count() == 1
    assert await Strength.count() == 1
    assert await StaffAvailability.count() == 1
    assert await UserSite.count().where(UserSite.user == sanna.id) == 1


async def test_rooms_and_domains_added_at_once_are_added_once(slot_week):
    room = RoomIn(name="Kitchen")
    domain = GoalDomainIn(key="cooking", label="Cooking")
    results = await race(
        *[lambda: catalog.add_room(h.ACTOR, slot_week["site"], room)] * 4,
        *[lambda: catalog.save_domain(h.ACTOR, domain)] * 4,
    )
    assert len(refused(results)) == 3
    assert await Room.count().where(Room.name == "Kitchen") == 1
    assert await GoalDomain.count().where(GoalDomain.key == "cooking") == 1


async def test_a_site_deleted_while_an_activity_is_added_keeps_what_it_answered(db):
    site = await h.site("Verstas")
    activity = msgspec.convert(
        {
            "title": "Pottery",
            "site_id": site,
            "kind": "workshop",
            "domains": [{"key": "everyday_living", "strength": 2}],
        },
        ActivityIn,
    )
    results = await race(
        lambda: catalog.save_activity(h.ACTOR, activity),
        lambda: catalog.delete_site(h.ACTOR, site),
    )
    created, deleted = results
    if isinstance(deleted, DomainError):  # the activity came first: the site stays
        assert not isinstance(created, DomainError)
        assert await Activity.count().where(Activity.site == site) == 1
    else:  # the site went first: the activity was refused, not silently lost
        assert isinstance(created, DomainError)
        assert await Activity.count() == 0


# --- the one mechanism ---------------------------------------------------------------------


async def test_a_unique_or_foreign_key_violation_leaves_a_transaction_as_a_409(db):
    with pytest.raises(ConcurrentChange) as unique:
        async with transaction():
            await GoalDomain.insert(GoalDomain(key="twice", label="1"))
            await GoalDomain.insert(GoalDomain(key="twice", label="2"))
    assert unique.value.status_code == 409
    with pytest.raises(ConcurrentChange):
        async with transaction():
            await Room.insert(Room(site=DB_INT_MAX, name="Nowhere"))
    assert await GoalDomain.count().where(GoalDomain.key == "twice") == 0


async def test_locks_are_taken_inside_a_transaction_in_one_order(db):
    with pytest.raises(RuntimeError):
        await lock(row_lock(Room, 1))
    with pytest.raises(ValueError, match="LOCK_ORDER"):
        async with transaction(row_lock(Session, 1), row_lock(Room, 1)):
            pass


# --- matching: publishing beside placements made by hand ---------------------------------


async def test_publishing_and_placing_by_hand_at_once_never_overbook(client, app, scene):
    """The run fills Monday's woodwork (two places); twelve more are placed there by hand
    while it is published: whatever comes first, the slot holds two at most."""
    await matching.coordinator_client(client)
    detail = await matching.run_to_done(client, app, {"first_day": scene["first_day"].isoformat()})
    by_hand = [
        {
            "participant_id": await matching.person(
                f"Pekka {n}", hours=3, windows=[(0, time(8), time(12))], sites=[scene["sites"][0]]
            ),
            "slot_id": scene["slots"]["wood_mon"],
            "start_date": scene["first_day"].isoformat(),
        }
        for n in range(12)
    ]
    run_url = f"/api/v1/matching/runs/{detail['run']['id']}/publish"

    async def place_after(round_trips: int, body: dict[str, Any]) -> Any:
        """Place by hand a few database round trips into the publishing, so that the
        placements land all through it."""
        for _ in range(round_trips):
            await Placement.count()
        return await client.post("/api/v1/placements", json=body)

    responses = await asyncio.gather(
        client.post(run_url, json={}),
        *(place_after(6 * n, body) for n, body in enumerate(by_hand)),
        client.post(run_url, json={}),
    )
    assert all(r.status_code in (200, 201, 409) for r in responses), [r.text for r in responses]
    held = await held_in(scene["slots"]["wood_mon"], scene["first_day"])
    assert len(held) <= 2
    assert len(held) == len(set(held))


async def test_a_violation_outside_a_transaction_reaches_the_user_as_a_409(app, db):
    """Every write is meant to be in `db.transaction()`; one that is not still answers
    409, through the app's handler for the engines' integrity errors."""
    await GoalDomain.insert(GoalDomain(key="once", label="1"))
    with pytest.raises(Exception) as raised:
        await GoalDomain.insert(GoalDomain(key="once", label="2"))
    handlers = app.exception_handlers
    handler = next(handlers[c] for c in type(raised.value).__mro__ if c in handlers)
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/anything",
        "raw_path": b"/api/v1/anything",
        "root_path": "",
        "scheme": "http",
        "server": ("testserver.local", 80),
        "query_string": b"",
        "headers": [],
        "app": app,
    }
    response = handler(Request(scope), raised.value)
    assert response.status_code == 409


async def test_one_account_linked_to_two_participants_at_once_is_linked_once(db):
    first, second = await participants(2)
    account = await make_user(Role.participant, "aino@example.org")
    results = await race(
        lambda: link_account(h.ACTOR, first, account.id),
        lambda: link_account(h.ACTOR, second, account.id),
    )
    assert len(refused(results)) == 1
    assert await Participant.count().where(Participant.user == account.id) == 1
