"""The questions several areas ask about placements, each asked one way, here:

- who holds a place in a slot on a day or in a period (and how many, for capacity);
- who is expected at a session (those holding its slot's place on its date, each with
  their "I can't come" notice, if any; a one-off session has nobody expected);
- which participants a user may see.

A place is held on a day by a *confirmed* placement whose dates include the day, of a
participant who is not erased. A proposed placement holds nothing yet, and an ended one
(status `ended`) holds nothing any more, whatever its dates.

This module reads tables only: it must not import the services of any area."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from piccolo.custom_types import Combinable

from service.auth.permissions import may
from service.auth.schemas import CurrentUser
from service.people.tables import Participant
from service.placements.tables import AbsenceNotice, Placement, PlacementStatus
from service.schedule.tables import Session

NOBODY = -1  # an id no row has: `is_in([])` is not valid SQL


@dataclass(frozen=True)
class Holding:
    """One placement that holds a place."""

    id: int
    participant_id: int
    slot_id: int
    start_date: date
    end_date: date | None
    pinned: bool

    def covers(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


class SessionDay(NamedTuple):
    """A session as these questions need it: its id, its weekly slot (None for a
    one-off session) and its date."""

    id: int
    slot_id: int | None
    day: date


@dataclass(frozen=True)
class Expected:
    """Someone expected at a session, with their absence notice if they gave one."""

    participant_id: int
    display_name: str
    absence_given_at: datetime | None
    absence_note: str


# --- who holds a place -----------------------------------------------------------------


def holding(first: date, last: date | None = None) -> Combinable:
    """The condition on `Placement` for placements that hold a place on some day from
    `first` to `last` (with no `last`: on `first` or any later day)."""
    condition = (
        (Placement.status == PlacementStatus.confirmed.value)
        & (Placement.end_date.is_null() | (Placement.end_date >= first))
        & Placement.participant.erased_at.is_null()
    )
    if last is not None:
        condition = condition & (Placement.start_date <= last)
    return condition


async def held(
    first: date,
    last: date | None = None,
    *,
    slot_ids: Sequence[int] | None = None,
    participant_ids: Sequence[int] | None = None,
) -> list[Holding]:
    """The placements holding a place on some day from `first` to `last`, optionally
    only in these slots or of these participants, in the order they were made."""
    condition = holding(first, last)
    if slot_ids is not None:
        condition = condition & Placement.slot.is_in(list(slot_ids) or [NOBODY])
    if participant_ids is not None:
        condition = condition & Placement.participant.is_in(list(participant_ids) or [NOBODY])
    rows = (
        await Placement.select(
            Placement.id,
            Placement.participant,
            Placement.slot,
            Placement.start_date,
            Placement.end_date,
            Placement.pinned,
        )
        .where(condition)
        .order_by(Placement.id)
    )
    return [
        Holding(
            id=row["id"],
            participant_id=row["participant"],
            slot_id=row["slot"],
            start_date=row["start_date"],
            end_date=row["end_date"],
            pinned=row["pinned"],
        )
        for row in rows
    ]


async def holders(slot_id: int, first: date, last: date | None = None) -> list[Holding]:
    """Who holds a place in the slot on some day from `first` to `last`: what a new
    placement for those days has to fit beside."""
    return await held(first, last, slot_ids=[slot_id])


async def holder_count(slot_id: int, day: date) -> int:
    """How many hold a place in the slot on the day."""
    return await Placement.count().where(holding(day, day) & (Placement.slot == slot_id))


async def placed_counts(sessions: Iterable[SessionDay]) -> dict[int, int]:
    """How many hold a place in each session's slot on its date, by session id. One-off
    sessions are left out (nobody is placed in them)."""
    placed = _with_slot(sessions)
    by_slot = await _holders_by_slot(placed)
    return {s.id: len(_holding_on(by_slot, s)) for s in placed}


def _with_slot(sessions: Iterable[SessionDay]) -> list[SessionDay]:
    return [SessionDay(*s) for s in sessions if s[1] is not None]


def _holding_on(by_slot: dict[int, list[Holding]], session: SessionDay) -> set[int]:
    """The participants holding a place in the session's slot on its date."""
    assert session.slot_id is not None
    return {h.participant_id for h in by_slot[session.slot_id] if h.covers(session.day)}


async def _holders_by_slot(sessions: list[SessionDay]) -> dict[int, list[Holding]]:
    """The holdings in the sessions' slots over the days the sessions span, by slot."""
    grouped: dict[int, list[Holding]] = defaultdict(list)
    slots = sorted({s.slot_id for s in sessions if s.slot_id is not None})
    if not slots:
        return grouped
    days = [s.day for s in sessions]
    for holding_row in await held(min(days), max(days), slot_ids=slots):
        grouped[holding_row.slot_id].append(holding_row)
    return grouped


async def participants_placed_at(site_ids: Iterable[int], day: date) -> list[int]:
    """Participants holding a place in an activity at these sites on the day or later
    (a current or coming placement)."""
    sites = sorted(set(site_ids))
    if not sites:
        return []
    rows = await Placement.select(Placement.participant).where(
        holding(day) & Placement.slot._.activity._.site.is_in(sites)
    )
    return sorted({row["participant"] for row in rows})


# --- who is expected at a session ------------------------------------------------------


async def expected_at(session_id: int) -> list[Expected]:
    """Who is expected at the session: those holding a place in its slot on its date,
    with their absence notices, by name. Nobody for a one-off or unknown session."""
    session = (
        await Session.select(Session.slot, Session.date).where(Session.id == session_id).first()
    )
    if session is None or session["slot"] is None:
        return []
    rows = await Placement.select(Placement.participant, Placement.participant.display_name).where(
        holding(session["date"], session["date"]) & (Placement.slot == session["slot"])
    )
    notices = {n["participant"]: n for n in await _notices([session_id])}
    entries = {row["participant"]: _expected(row, notices.get(row["participant"])) for row in rows}
    return sorted(entries.values(), key=lambda e: (e.display_name, e.participant_id))


def _expected(row: dict[str, Any], notice: dict[str, Any] | None) -> Expected:
    return Expected(
        participant_id=row["participant"],
        display_name=row["participant.display_name"],
        absence_given_at=notice["given_at"] if notice else None,
        absence_note=notice["note"] if notice else "",
    )


async def expected_counts(sessions: Iterable[SessionDay]) -> dict[int, int]:
    """How many are expected at each session, by session id: those holding a place on
    its date who have not said they can't come. Every session given has a count."""
    sessions = [SessionDay(*s) for s in sessions]
    placed = _with_slot(sessions)
    by_slot = await _holders_by_slot(placed)
    absent: dict[int, set[int]] = defaultdict(set)
    for notice in await _notices([s.id for s in placed]):
        absent[notice["session"]].add(notice["participant"])
    counts = dict.fromkeys((s.id for s in sessions), 0)
    for session in placed:
        counts[session.id] = len(_holding_on(by_slot, session) - absent[session.id])
    return counts


async def _notices(session_ids: list[int]) -> list[dict[str, Any]]:
    if not session_ids:
        return []
    return await AbsenceNotice.select(
        AbsenceNotice.session, AbsenceNotice.participant, AbsenceNotice.given_at, AbsenceNotice.note
    ).where(AbsenceNotice.session.is_in(session_ids))


# --- which participants a user may see -------------------------------------------------


async def visible_participants(user: CurrentUser, today: date) -> Combinable:
    """The condition on `Participant` for the participants this user may see, erased
    ones never. Coordinators and administrators see everyone; staff the participants
    they are the contact person of and those with a current or coming placement at
    their sites; a participant only themself. Partners see no participant records
    (first names reach them only through the rosters of sessions at their sites)."""
    alive = Participant.erased_at.is_null()
    if may(user, "participants.all"):
        return alive
    if may(user, "participant.follow"):
        placed = await participants_placed_at(user.site_ids, today)
        return alive & (
            (Participant.contact_staff == user.id) | Participant.id.is_in(placed or [NOBODY])
        )
    if may(user, "participant.self"):
        return alive & (Participant.user == user.id)
    return Participant.id == NOBODY
