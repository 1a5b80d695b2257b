"""The shared placement questions (service.placements.queries) at the edges of their
dates, and the slot an erasure frees. Dates are relative to a fixed Monday."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from service.audit.tables import AuditEvent
from service.auth.schemas import CurrentUser
from service.auth.tables import Role
from service.people.schemas import ParticipantIn
from service.people.services import erase, save_participant
from service.people.tables import Participant, ParticipantStatus
from service.placements import queries
from service.placements.queries import SessionDay
from service.placements.tables import AbsenceNotice, Placement, PlacementStatus
from service.schedule.schemas import SessionIn
from service.schedule.services import create_session
from service.schedule.tables import Session
from tests import schedule_helpers as h
from tests.helpers import api_login, make_user

MONDAY = date(2027, 3, 1)


async def participant(name: str, **extra: object) -> int:
    data = ParticipantIn(display_name=name, status=ParticipantStatus.active)
    row = await save_participant(h.ACTOR, data, today=MONDAY)
    if extra:
        await Participant.update({getattr(Participant, k): v for k, v in extra.items()}).where(
            Participant.id == row.id
        )
    return row.id


async def placement(
    who: int,
    slot: int,
    start: date,
    end: date | None = None,
    status: PlacementStatus = PlacementStatus.confirmed,
) -> int:
    row = Placement(participant=who, slot=slot, start_date=start, end_date=end, status=status)
    await row.save()
    return row.id


async def mark_erased(who: int) -> None:
    """Erased as far as the queries can tell, with the placements left as they were."""
    await Participant.update({Participant.erased_at: datetime(2027, 3, 1, 12, tzinfo=UTC)}).where(
        Participant.id == who
    )


async def a_slot(site: int | None = None, capacity: int = 4) -> dict[str, int]:
    site = site or await h.site()
    activity = await h.activity(site, max_participants=capacity, min_participants=1)
    slot = await h.slot(
        activity,
        weekday=MONDAY.weekday(),
        start=time(10),
        end=time(12),
        valid_from=MONDAY - timedelta(days=28),
        today=MONDAY,
    )
    return {"site": site, "activity": activity, "slot": slot}


async def session_on(slot: int, day: date) -> int:
    row = await Session.select(Session.id).where((Session.slot == slot) & (Session.date == day))
    return row[0]["id"]


# --- who holds a place ------------------------------------------------------------------


async def test_a_place_is_held_from_the_start_day_to_the_end_day(db):
    slot = (await a_slot())["slot"]
    aino = await participant("Aino")
    await placement(aino, slot, MONDAY, MONDAY + timedelta(days=7))
    for day, count in [
        (MONDAY - timedelta(days=1), 0),
        (MONDAY, 1),
        (MONDAY + timedelta(days=7), 1),
        (MONDAY + timedelta(days=8), 0),
    ]:
        assert await queries.holder_count(slot, day) == count, day
        assert [h.participant_id for h in await queries.holders(slot, day, day)] == [aino] * count


async def test_proposed_ended_and_erased_hold_no_place(db):
    slot = (await a_slot())["slot"]
    proposed, ended, erased, confirmed = [
        await participant(n) for n in ("Pia", "Eino", "Erja", "Kalle")
    ]
    await placement(proposed, slot, MONDAY, status=PlacementStatus.proposed)
    await placement(ended, slot, MONDAY, status=PlacementStatus.ended)
    await placement(erased, slot, MONDAY)
    await mark_erased(erased)
    await placement(confirmed, slot, MONDAY)
    assert [h.participant_id for h in await queries.holders(slot, MONDAY)] == [confirmed]
    assert await queries.holder_count(slot, MONDAY) == 1


async def test_held_in_a_period_meets_its_edges(db):
    slot = (await a_slot())["slot"]
    before, first, last, after, open_ended = [
        await participant(n) for n in ("A", "B", "C", "D", "E")
    ]
    sunday = MONDAY + timedelta(days=6)
    await placement(before, slot, MONDAY - timedelta(days=14), MONDAY - timedelta(days=1))
    await placement(first, slot, MONDAY - timedelta(days=14), MONDAY)
    await placement(last, slot, sunday)
    await placement(after, slot, sunday + timedelta(days=1))
    await placement(open_ended, slot, MONDAY - timedelta(days=100))
    week = {h.participant_id for h in await queries.held(MONDAY, sunday)}
    assert week == {first, last, open_ended}
    from_monday_on = {h.participant_id for h in await queries.held(MONDAY)}
    assert from_monday_on == {first, last, after, open_ended}
    mine = await queries.held(MONDAY, sunday, participant_ids=[last])
    assert [(h.participant_id, h.slot_id, h.start_date) for h in mine] == [(last, slot, sunday)]
    assert await queries.held(MONDAY, sunday, slot_ids=[]) == []


async def test_placed_counts_count_each_session_on_its_date(db):
    slot = (await a_slot())["slot"]
    aino, eero = await participant("Aino"), await participant("Eero")
    next_monday = MONDAY + timedelta(days=7)
    await placement(aino, slot, MONDAY)
    await placement(eero, slot, next_monday)
    counts = await queries.placed_counts(
        [SessionDay(1, slot, MONDAY), SessionDay(2, slot, next_monday), SessionDay(3, None, MONDAY)]
    )
    assert counts == {1: 1, 2: 2}  # a one-off session has nobody placed


async def test_participants_placed_at_sites_have_a_current_or_coming_place(db):
    here = await a_slot()
    elsewhere = await a_slot(await h.site("Muualla"))
    now, coming, gone, other_site = [await participant(n) for n in ("A", "B", "C", "D")]
    await placement(now, here["slot"], MONDAY - timedelta(days=7), MONDAY)
    await placement(coming, here["slot"], MONDAY + timedelta(days=30))
    await placement(gone, here["slot"], MONDAY - timedelta(days=30), MONDAY - timedelta(days=1))
    await placement(other_site, elsewhere["slot"], MONDAY)
    assert await queries.participants_placed_at([here["site"]], MONDAY) == sorted([now, coming])
    assert await queries.participants_placed_at([], MONDAY) == []


# --- who is expected at a session -------------------------------------------------------


async def test_expected_at_a_session_are_its_holders_with_their_notices(db):
    slot = (await a_slot())["slot"]
    aino, eero, ended, erased, later = [
        await participant(n) for n in ("Aino Aalto", "Eero", "Eino", "Erja", "Liisa")
    ]
    for who in (aino, eero, erased):
        await placement(who, slot, MONDAY)
    await placement(ended, slot, MONDAY - timedelta(days=7), MONDAY - timedelta(days=1))
    await placement(later, slot, MONDAY + timedelta(days=1))
    await mark_erased(erased)
    session = await session_on(slot, MONDAY)
    await AbsenceNotice.insert(AbsenceNotice(participant=eero, session=session, note="Flu"))
    await AbsenceNotice.insert(AbsenceNotice(participant=later, session=session))
    expected = await queries.expected_at(session)
    assert [(e.participant_id, e.display_name, e.absence_note) for e in expected] == [
        (aino, "Aino Aalto", ""),
        (eero, "Eero", "Flu"),
    ]
    assert expected[0].absence_given_at is None and expected[1].absence_given_at is not None
    # The count leaves out those who said they can't come, and only them: a notice
    # from someone not placed that day takes nobody off.
    counts = await queries.expected_counts([SessionDay(session, slot, MONDAY)])
    assert counts == {session: 1}


async def test_a_one_off_session_expects_nobody(db):
    site = await h.site()
    activity = await h.activity(site)
    one_off = await create_session(
        h.ACTOR,
        SessionIn(activity_id=activity, date=MONDAY, start=time(14), end=time(15)),
    )
    assert await queries.expected_at(one_off.id) == []
    assert await queries.expected_counts([SessionDay(one_off.id, None, MONDAY)]) == {one_off.id: 0}


# --- which participants a user may see --------------------------------------------------


def user(role: Role, user_id: int = 1, site_ids: tuple[int, ...] = ()) -> CurrentUser:
    return CurrentUser(
        id=user_id, email=f"{role}@example.org", display_name="", role=role, site_ids=site_ids
    )


async def visible_to(who: CurrentUser) -> set[int]:
    condition = await queries.visible_participants(who, MONDAY)
    return {row["id"] for row in await Participant.select(Participant.id).where(condition)}


async def test_which_participants_each_role_may_see(db):
    here = await a_slot()
    elsewhere = await a_slot(await h.site("Muualla"))
    staff = await make_user(Role.staff, "olli@example.org")
    account = await make_user(Role.participant, "aino@example.org")
    aino = await participant("Aino", user=account.id)
    contact = await participant("Kalle", contact_staff=staff.id)
    placed_here, ended_here, placed_elsewhere, erased = [
        await participant(n) for n in ("A", "B", "C", "D")
    ]
    await placement(placed_here, here["slot"], MONDAY + timedelta(days=7))
    await placement(ended_here, here["slot"], MONDAY - timedelta(days=14), MONDAY - timedelta(1))
    await placement(placed_elsewhere, elsewhere["slot"], MONDAY)
    await placement(erased, here["slot"], MONDAY)
    await mark_erased(erased)
    everyone = {aino, contact, placed_here, ended_here, placed_elsewhere}
    assert await visible_to(user(Role.admin)) == everyone
    assert await visible_to(user(Role.coordinator)) == everyone
    assert await visible_to(user(Role.staff, staff.id, (here["site"],))) == {contact, placed_here}
    assert await visible_to(user(Role.participant, account.id)) == {aino}
    assert await visible_to(user(Role.partner, site_ids=(here["site"],))) == set()


# --- erasure frees the place ------------------------------------------------------------


async def test_erasure_ends_the_placements_on_its_day(db):
    slot = (await a_slot())["slot"]
    aino = await participant("Aino")
    started = await placement(aino, slot, MONDAY - timedelta(days=14))
    coming = await placement(aino, slot, MONDAY + timedelta(days=14))
    ended_before = await placement(
        aino, slot, MONDAY - timedelta(days=60), MONDAY - timedelta(days=30)
    )
    await erase(h.ACTOR, aino, today=MONDAY)
    rows = {
        r["id"]: (r["status"], r["end_date"])
        for r in await Placement.select(Placement.id, Placement.status, Placement.end_date)
    }
    assert rows == {
        started: ("ended", MONDAY),
        coming: ("ended", None),  # it had not started: ended outright
        ended_before: ("ended", MONDAY - timedelta(days=30)),
    }
    audited = await AuditEvent.select(AuditEvent.entity_id).where(
        AuditEvent.action == "placement.end"
    )
    assert sorted(int(r["entity_id"]) for r in audited) == sorted([started, coming, ended_before])
    assert await queries.holder_count(slot, MONDAY) == 0


@pytest.fixture
async def full_slot(client):
    """A slot with one place, held by Aino from the fixed Monday on."""
    admin = await make_user(Role.admin, "admin@example.org")
    await api_login(client, admin.email)
    built = await a_slot(capacity=1)
    aino, eero = await participant("Aino"), await participant("Eero")
    body = {"slot_id": built["slot"], "start_date": MONDAY.isoformat()}
    placed = await client.post("/api/v1/placements", json={**body, "participant_id": aino})
    assert placed.status_code == 201
    return {**built, "aino": aino, "eero": eero, "body": body}


async def session_fill(client, day: date) -> tuple[int, int]:
    listed = await client.get(
        "/api/v1/sessions", params={"start": day.isoformat(), "end": day.isoformat()}
    )
    session = listed.json()[0]
    return session["placed"], session["capacity"]


async def test_a_slot_freed_by_an_erasure_takes_someone_else_at_once(client, full_slot):
    body, eero = full_slot["body"], full_slot["eero"]
    full = await client.post("/api/v1/placements", json={**body, "participant_id": eero})
    assert full.status_code == 409
    assert await session_fill(client, MONDAY) == (1, 1)

    erased = await client.post(f"/api/v1/participants/{full_slot['aino']}/erase", json={})
    assert erased.status_code == 200
    assert await session_fill(client, MONDAY) == (0, 1)
    planner = await client.get("/planner", params={"week": MONDAY.isoformat()})
    assert "Placed 0 / 1" in planner.text
    again = await client.post("/api/v1/placements", json={**body, "participant_id": eero})
    assert again.status_code == 201
    assert await session_fill(client, MONDAY) == (1, 1)


async def test_an_erased_holder_no_longer_counts_even_with_the_placement_open(client, full_slot):
    """Capacity asks the shared question, which leaves erased participants out (before,
    the capacity check and the planner counted them)."""
    await mark_erased(full_slot["aino"])
    assert await session_fill(client, MONDAY) == (0, 1)
    placed = await client.post(
        "/api/v1/placements", json={**full_slot["body"], "participant_id": full_slot["eero"]}
    )
    assert placed.status_code == 201
