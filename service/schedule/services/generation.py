"""Generation: the sessions of the coming weeks, made from the weekly slots and kept in
line with them, with holidays and closures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from service import clock
from service.db import lock, row_lock, transaction
from service.i18n import gettext as _
from service.schedule import recurrence
from service.schedule.schemas import GenerationResult
from service.schedule.services._shared import links, replace_staff
from service.schedule.tables import (
    Closure,
    Session,
    SessionStaff,
    SessionStatus,
    SlotStaff,
    WeeklySlot,
)

#: How many weeks ahead sessions are made.
HORIZON_WEEKS = 12


@dataclass
class _Counts:
    """What one generation run did, counted as it goes."""

    created: int = 0
    updated: int = 0
    cancelled: int = 0
    kept_as_edited: int = 0


async def generate_sessions(
    *, today: date | None = None, weeks: int = HORIZON_WEEKS, slot_ids: Sequence[int] | None = None
) -> GenerationResult:
    """Make the sessions of the coming `weeks` from the weekly slots. Running it again
    creates nothing new; it brings changed slots, holidays and closures into the
    sessions it made, raising their sequence, but leaves sessions edited by hand as they
    are (flagging that their slot changed)."""
    async with transaction():
        # Generation of a slot takes turns (a nightly run, a slot saved, a closure
        # added): each reads the sessions and closures as the one before left them.
        await lock(
            row_lock(WeeklySlot, *(slot_ids if slot_ids is not None else await _all_slots()))
        )
        return await _generate(today or clock.today(), weeks, slot_ids)


async def _all_slots() -> list[int]:
    return [row["id"] for row in await WeeklySlot.select(WeeklySlot.id)]


async def _generate(today: date, weeks: int, slot_ids: Sequence[int] | None) -> GenerationResult:
    last = today + timedelta(weeks=weeks) - timedelta(days=1)
    slots = await _slot_rules(slot_ids)
    closures = await _closures(today, last)
    occurrences = recurrence.expand(slots.values(), today, last, closures)
    existing = await _existing_sessions(list(slots), today, last, slot_ids)
    slot_staff = await links(SlotStaff, SlotStaff.slot, list(slots))
    counts = _Counts()
    new_rows: list[Session] = []
    seen: set[tuple[int, date]] = set()
    for occurrence in occurrences:
        key = (occurrence.slot_id, occurrence.date)
        seen.add(key)
        session = existing.get(key)
        slot = slots[occurrence.slot_id]
        if session is None:
            new_rows.append(_new_session(occurrence, slot))
        else:
            await _reconcile(session, occurrence, slot, slot_staff[occurrence.slot_id], counts)
    for key, session in existing.items():
        if key not in seen and session["status"] != SessionStatus.cancelled:
            await _cancel_generated(session, _("No longer in the weekly schedule."), counts)
    if new_rows:
        await _insert_sessions(new_rows, slot_staff)
        counts.created = len(new_rows)
    return GenerationResult(
        created=counts.created,
        updated=counts.updated,
        cancelled=counts.cancelled,
        kept_as_edited=counts.kept_as_edited,
    )


@dataclass(frozen=True)
class _SlotRule(recurrence.SlotRule):
    """A slot as the recurrence core reads it, with what a new session needs."""

    activity_id: int = 0
    room_id: int | None = None


async def _slot_rules(slot_ids: Sequence[int] | None) -> dict[int, _SlotRule]:
    """The slots of active activities (all, or those in `slot_ids`) by id."""
    query = WeeklySlot.select(
        *WeeklySlot.all_columns(),
        WeeklySlot.activity.site,
        WeeklySlot.activity._.site._.time_zone,
        WeeklySlot.activity._.site._.country,
        WeeklySlot.activity.is_active,
    )
    if slot_ids is not None:
        query = query.where(WeeklySlot.id.is_in(list(slot_ids) or [-1]))
    rules = {}
    for row in await query:
        if not row["activity.is_active"]:
            continue
        rules[row["id"]] = _SlotRule(
            slot_id=row["id"],
            site_id=row["activity.site"],
            weekday=row["weekday"],
            start=row["start"],
            end=row["end"],
            valid_from=row["valid_from"],
            valid_until=row["valid_until"],
            time_zone=row["activity.site.time_zone"],
            country=row["activity.site.country"],
            activity_id=row["activity"],
            room_id=row["room"],
        )
    return rules


async def _closures(first: date, last: date) -> list[recurrence.Closure]:
    """The closures that touch the days from `first` to `last`."""
    rows = await Closure.select().where((Closure.start_date <= last) & (Closure.end_date >= first))
    return [
        recurrence.Closure(
            start=row["start_date"], end=row["end_date"], reason=row["reason"], site_id=row["site"]
        )
        for row in rows
    ]


async def _existing_sessions(
    slot_ids: list[int], first: date, last: date, only: Sequence[int] | None
) -> dict[tuple[int, date], dict[str, Any]]:
    """Sessions made from slots in the range, by (slot, original day), with staff."""
    query = Session.select().where(
        Session.slot.is_not_null() & (Session.origin_date >= first) & (Session.origin_date <= last)
    )
    if only is not None:
        query = query.where(Session.slot.is_in(list(only) or [-1]))
    rows = await query
    staff = await links(SessionStaff, SessionStaff.session, [row["id"] for row in rows])
    return {
        (row["slot"], row["origin_date"]): {**row, "staff_ids": staff[row["id"]]} for row in rows
    }


def _new_session(occurrence: recurrence.Occurrence, slot: _SlotRule) -> Session:
    """A new session for an occurrence, cancelled if a holiday or closure hits it."""
    closed = occurrence.closed_reason
    return Session(
        slot=slot.slot_id,
        origin_date=occurrence.date,
        activity=slot.activity_id,
        site=slot.site_id,
        room=slot.room_id,
        date=occurrence.date,
        start=occurrence.start,
        end=occurrence.end,
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
        status=SessionStatus.cancelled.value if closed else SessionStatus.planned.value,
        cancel_reason=closed or "",
    )


async def _insert_sessions(rows: list[Session], slot_staff: dict[int, list[int]]) -> None:
    """Store new sessions and give them their slots' staff."""
    await Session.insert(*rows)
    keys = {(row.slot, row.origin_date) for row in rows}
    slot_ids = sorted({row.slot for row in rows})
    stored = await Session.select(Session.id, Session.slot, Session.origin_date).where(
        Session.slot.is_in(slot_ids)
    )
    links = [
        SessionStaff(session=item["id"], user=user)
        for item in stored
        if (item["slot"], item["origin_date"]) in keys
        for user in slot_staff[item["slot"]]
    ]
    if links:
        await SessionStaff.insert(*links)


async def _reconcile(
    session: dict[str, Any],
    occurrence: recurrence.Occurrence,
    slot: _SlotRule,
    staff_ids: list[int],
    counts: _Counts,
) -> None:
    """Bring a generated session in line with its slot, unless it was edited by hand."""
    wanted = {
        "start": occurrence.start,
        "end": occurrence.end,
        "starts_at": occurrence.starts_at,
        "ends_at": occurrence.ends_at,
        "room": slot.room_id,
    }
    differs = any(session[name] != value for name, value in wanted.items()) or (
        sorted(session["staff_ids"]) != sorted(staff_ids)
    )
    if session["edited_by_hand"]:
        if differs and not session["slot_changed_since_edit"]:
            await Session.update({Session.slot_changed_since_edit: True}).where(
                Session.id == session["id"]
            )
            counts.kept_as_edited += 1
        return
    closed = occurrence.closed_reason
    status = SessionStatus.cancelled.value if closed else SessionStatus.planned.value
    if not differs and session["status"] == status and session["cancel_reason"] == (closed or ""):
        return
    await Session.update(
        {
            Session.start: occurrence.start,
            Session.end: occurrence.end,
            Session.starts_at: occurrence.starts_at,
            Session.ends_at: occurrence.ends_at,
            Session.room: slot.room_id,
            Session.status: status,
            Session.cancel_reason: closed or "",
            Session.sequence: Session.sequence + 1,
            Session.updated_at: clock.utcnow(),
        }
    ).where(Session.id == session["id"])
    await replace_staff(session["id"], staff_ids)
    if closed and session["status"] != SessionStatus.cancelled:
        counts.cancelled += 1
    else:
        counts.updated += 1


async def _cancel_generated(session: dict[str, Any], reason: str, counts: _Counts) -> None:
    """Cancel a session whose slot no longer makes it, unless edited by hand."""
    if session["edited_by_hand"]:
        return
    await Session.update(
        {
            Session.status: SessionStatus.cancelled.value,
            Session.cancel_reason: reason,
            Session.sequence: Session.sequence + 1,
            Session.updated_at: clock.utcnow(),
        }
    ).where(Session.id == session["id"])
    counts.cancelled += 1
