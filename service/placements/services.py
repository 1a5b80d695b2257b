"""Placements (manual for now; the matcher will propose them too), the sessions a
participant is placed in, and absence notices."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from typing import Any

import msgspec

from service import clock, events
from service.audit.services import Actor, record
from service.auth.permissions import may
from service.auth.schemas import CurrentUser
from service.catalog.services import activity_titles, title_in
from service.catalog.tables import ActivityKind
from service.db import transaction
from service.errors import Conflict, InvalidInput, NotFound
from service.i18n import current_language
from service.i18n import gettext as _
from service.people import services as people
from service.people.tables import Participant
from service.placements import queries
from service.placements.tables import AbsenceNotice, Placement, PlacementSource, PlacementStatus
from service.schedule.services import get_session
from service.schedule.tables import Session, SessionStatus, WeeklySlot


class PlacementIn(msgspec.Struct, forbid_unknown_fields=True):
    participant_id: int
    slot_id: int
    start_date: date
    end_date: date | None = None
    pinned: bool = False


class PlacementOut(msgspec.Struct):
    id: int
    participant_id: int
    slot_id: int
    start_date: date
    end_date: date | None
    status: PlacementStatus
    source: PlacementSource
    pinned: bool


class MySession(msgspec.Struct):
    """A session as its participant sees it: no one else's name."""

    id: int
    title: str
    kind: ActivityKind
    site_name: str
    address: str
    phone: str
    date: date
    start: time
    end: time
    starts_at: datetime
    status: SessionStatus
    cancel_reason: str
    what_to_bring: str
    absence_given_at: datetime | None


class AbsenceIn(msgspec.Struct, forbid_unknown_fields=True):
    session_id: int
    participant_id: int | None = None
    note: str = ""


class AbsenceOut(msgspec.Struct):
    id: int
    participant_id: int
    session_id: int
    given_at: datetime
    note: str


# --- placements ----------------------------------------------------------------------


async def place(actor: Actor, data: PlacementIn) -> PlacementOut:
    """Place a participant in a weekly slot; a full slot or a double placement is a 409."""
    if data.end_date is not None and data.end_date < data.start_date:
        raise InvalidInput("end_date", _("The placement must end on or after its start."))
    participant = (
        await Participant.select(Participant.id)
        .where((Participant.id == data.participant_id) & Participant.erased_at.is_null())
        .first()
    )
    if participant is None:
        raise InvalidInput(
            "participant_id", _("There is no participant %(id)s.", id=data.participant_id)
        )
    slot = (
        await WeeklySlot.select(WeeklySlot.id, WeeklySlot.activity.max_participants)
        .where(WeeklySlot.id == data.slot_id)
        .first()
    )
    if slot is None:
        raise InvalidInput("slot_id", _("There is no weekly slot %(id)s.", id=data.slot_id))
    async with transaction():
        overlapping = await queries.holders(data.slot_id, data.start_date, data.end_date)
        if any(p.participant_id == data.participant_id for p in overlapping):
            raise Conflict(_("The participant is already placed in this slot."))
        capacity = slot["activity.max_participants"]
        if len(overlapping) >= capacity:
            raise Conflict(_("The slot is full (%(n)s of %(n)s places).", n=capacity))
        row = Placement(
            participant=data.participant_id,
            slot=data.slot_id,
            start_date=data.start_date,
            end_date=data.end_date,
            pinned=data.pinned,
            created_by=actor.user_id,
        )
        await row.save()
        await record(
            actor,
            "placement.create",
            entity="placement",
            entity_id=row.id,
            details={"participant_id": data.participant_id, "slot_id": data.slot_id},
        )
    await events.publish(
        events.PlacementsChanged(participant_ids=(data.participant_id,), slot_ids=(data.slot_id,))
    )
    return await get_placement(row.id)


async def end_placement(actor: Actor, placement_id: int, end_date: date) -> PlacementOut:
    current = await get_placement(placement_id)
    if end_date < current.start_date:
        raise InvalidInput("end_date", _("The placement must end on or after its start."))
    async with transaction():
        await Placement.update(
            {Placement.end_date: end_date, Placement.status: PlacementStatus.ended.value}
        ).where(Placement.id == placement_id)
        await record(
            actor,
            "placement.end",
            entity="placement",
            entity_id=placement_id,
            details={"end_date": end_date.isoformat()},
        )
    await events.publish(
        events.PlacementsChanged(
            participant_ids=(current.participant_id,), slot_ids=(current.slot_id,)
        )
    )
    return await get_placement(placement_id)


async def get_placement(placement_id: int) -> PlacementOut:
    row = await Placement.select().where(Placement.id == placement_id).first()
    if row is None:
        raise NotFound(_("There is no placement %(id)s.", id=placement_id))
    return _placement_out(row)


async def list_placements(
    *, participant_id: int | None = None, slot_id: int | None = None
) -> list[PlacementOut]:
    query = Placement.select().order_by(Placement.id)
    if participant_id is not None:
        query = query.where(Placement.participant == participant_id)
    if slot_id is not None:
        query = query.where(Placement.slot == slot_id)
    return [_placement_out(row) for row in await query]


def _placement_out(row: dict[str, Any]) -> PlacementOut:
    return PlacementOut(
        id=row["id"],
        participant_id=row["participant"],
        slot_id=row["slot"],
        start_date=row["start_date"],
        end_date=row["end_date"],
        status=PlacementStatus(row["status"]),
        source=PlacementSource(row["source"]),
        pinned=row["pinned"],
    )


# --- the participant's sessions ------------------------------------------------------


async def my_sessions(participant_id: int, first: date, last: date) -> list[MySession]:
    """The sessions of the slots the participant is placed in, on the dates placed."""
    placements = await queries.held(first, last, participant_ids=[participant_id])
    if not placements:
        return []
    rows = (
        await Session.select(
            Session.id,
            Session.slot,
            Session.date,
            Session.start,
            Session.end,
            Session.starts_at,
            Session.status,
            Session.cancel_reason,
            Session.activity.id,
            Session.activity.title,
            Session.activity.kind,
            Session.activity.what_to_bring,
            Session.site.name,
            Session.site.address,
            Session.site.phone,
        )
        .where(
            Session.slot.is_in(sorted({p.slot_id for p in placements}))
            & (Session.date >= first)
            & (Session.date <= last)
        )
        .order_by(Session.starts_at)
    )
    notices = {
        n["session"]: n["given_at"]
        for n in await AbsenceNotice.select().where(AbsenceNotice.participant == participant_id)
    }
    by_slot: dict[int, list[queries.Holding]] = defaultdict(list)
    for placement in placements:
        by_slot[placement.slot_id].append(placement)
    titles = await activity_titles(sorted({row["activity.id"] for row in rows}))
    language = current_language()
    return [
        MySession(
            id=row["id"],
            title=title_in(language, row["activity.title"], titles[row["activity.id"]]),
            kind=ActivityKind(row["activity.kind"]),
            site_name=row["site.name"],
            address=row["site.address"],
            phone=row["site.phone"],
            date=row["date"],
            start=row["start"],
            end=row["end"],
            starts_at=row["starts_at"],
            status=SessionStatus(row["status"]),
            cancel_reason=row["cancel_reason"],
            what_to_bring=row["activity.what_to_bring"],
            absence_given_at=notices.get(row["id"]),
        )
        for row in rows
        if any(p.covers(row["date"]) for p in by_slot[row["slot"]])
    ]


# --- absence notices -----------------------------------------------------------------


async def give_absence(actor: Actor, user: CurrentUser, data: AbsenceIn) -> AbsenceOut:
    """Record "I can't come" for a coming session of the participant's own. Giving it
    twice keeps the first notice and its time."""
    participant_id = await _absent_participant(user, data.participant_id)
    return await record_absence(actor, participant_id, data, given_by=user.id)


async def record_absence(
    actor: Actor, participant_id: int, data: AbsenceIn, *, given_by: int | None
) -> AbsenceOut:
    """`give_absence` once it is known whose absence it is (also reached by the secret
    "I can't come" link of a calendar feed, where nobody is signed in)."""
    session = await Session.select().where(Session.id == data.session_id).first()
    mine = session is not None and any(
        s.id == data.session_id
        for s in await my_sessions(participant_id, session["date"], session["date"])
    )
    if not mine:
        raise NotFound(
            _("There is no session %(id)s in this participant's week.", id=data.session_id)
        )
    assert session is not None
    if session["status"] == SessionStatus.cancelled:
        raise Conflict(_("The session is cancelled already."))
    if session["starts_at"] <= clock.utcnow():
        raise InvalidInput("session_id", _("The session has already started."))
    existing = (
        await AbsenceNotice.select()
        .where(
            (AbsenceNotice.participant == participant_id)
            & (AbsenceNotice.session == data.session_id)
        )
        .first()
    )
    if existing is None:
        async with transaction():
            notice = AbsenceNotice(
                participant=participant_id,
                session=data.session_id,
                given_by=given_by,
                note=data.note.strip()[:300],
            )
            await notice.save()
            await record(
                actor,
                "absence.notice",
                entity="session",
                entity_id=data.session_id,
                details={"participant_id": participant_id},
            )
        existing = await AbsenceNotice.select().where(AbsenceNotice.id == notice.id).first()
        await events.publish(
            events.AbsenceChanged(session_id=data.session_id, participant_id=participant_id)
        )
    assert existing is not None
    return AbsenceOut(
        id=existing["id"],
        participant_id=participant_id,
        session_id=data.session_id,
        given_at=existing["given_at"],
        note=existing["note"],
    )


async def _absent_participant(user: CurrentUser, participant_id: int | None) -> int:
    if may(user, "participant.self"):
        own = await people.own_participant_id(user)
        if own is None or (participant_id is not None and participant_id != own):
            raise NotFound(_("There is no participant %(id)s.", id=participant_id or 0))
        return own
    if participant_id is None:
        raise InvalidInput("participant_id", _("Say whose absence this is."))
    await people.visible_row(user, participant_id)
    return participant_id


async def list_absences(session_id: int) -> list[AbsenceOut]:
    rows = (
        await AbsenceNotice.select()
        .where(AbsenceNotice.session == session_id)
        .order_by(AbsenceNotice.given_at)
    )
    return [
        AbsenceOut(
            id=r["id"],
            participant_id=r["participant"],
            session_id=r["session"],
            given_at=r["given_at"],
            note=r["note"],
        )
        for r in rows
    ]


# --- the roster of a session ---------------------------------------------------------


class RosterEntry(msgspec.Struct):
    participant_id: int
    name: str
    absence_given_at: datetime | None
    absence_note: str


async def roster(actor: Actor, user: CurrentUser, session_id: int) -> list[RosterEntry]:
    """Who is expected at a session: those placed in its slot on its date. Partners see
    first names only; notes on absences are for staff."""
    await get_session(session_id, user)  # 404 outside the user's sites
    first_names_only = not may(user, "roster.full_names")
    entries = [
        RosterEntry(
            participant_id=e.participant_id,
            name=e.display_name.split(" ")[0] if first_names_only else e.display_name,
            absence_given_at=e.absence_given_at,
            absence_note="" if first_names_only else e.absence_note,
        )
        for e in await queries.expected_at(session_id)
    ]
    await record(
        actor,
        "session.roster",
        entity="session",
        entity_id=session_id,
        details={"count": len(entries)},
    )
    return sorted(entries, key=lambda entry: entry.name)
