"""Sessions: listing them with their warnings, one-off sessions, moves, changes and
cancellations."""

from __future__ import annotations

from datetime import date, datetime

from piccolo.custom_types import Combinable

from service import clock, events
from service.audit.services import Actor, record
from service.auth.schemas import CurrentUser
from service.catalog import services as catalog
from service.catalog.tables import Room
from service.db import row_lock, transaction
from service.errors import Conflict, InvalidInput, NotFound
from service.formats import format_clock, format_day
from service.i18n import gettext as _
from service.schedule import conflicts, recurrence
from service.schedule.schemas import SessionChange, SessionIn, SessionOut
from service.schedule.services._shared import replace_staff
from service.schedule.services.checks import activity_row, check_room, check_staff, check_times
from service.schedule.services.session_rows import (
    session_facts,
    session_out,
    session_rows,
    session_warnings,
    staff_names,
)
from service.schedule.tables import Session, SessionStatus


async def list_sessions(
    first: date,
    last: date,
    user: CurrentUser | None = None,
    *,
    site_id: int | None = None,
    kind: str | None = None,
) -> list[SessionOut]:
    """Sessions from `first` to `last` (local dates), with their warnings."""
    if last < first:
        raise InvalidInput("end", _("The end must be on or after the start."))
    if (last - first).days > 62:
        raise InvalidInput("end", _("Ask for at most 62 days at a time."))
    rows = await session_rows((Session.date >= first) & (Session.date <= last))
    warnings = await session_warnings(rows)
    scope = catalog.site_scope(user) if user else None
    shown = [
        row
        for row in rows
        if (scope is None or row.site_id in scope)
        and (site_id is None or row.site_id == site_id)
        and (kind is None or row.kind == kind)
    ]
    names = await staff_names(shown)
    return [session_out(row, names, warnings.get(row.id, [])) for row in shown]


async def get_session(session_id: int, user: CurrentUser | None = None) -> SessionOut:
    """One session with its warnings; outside the user's sites it is not found."""
    rows = await session_rows(Session.id == session_id)
    scope = catalog.site_scope(user) if user else None
    if not rows or (scope is not None and rows[0].site_id not in scope):
        raise NotFound(_("There is no session %(id)s.", id=session_id))
    row = rows[0]
    same_day = await session_rows(Session.date == row.date)
    warnings = await session_warnings(same_day)
    return session_out(row, await staff_names(rows), warnings.get(session_id, []))


async def create_session(actor: Actor, data: SessionIn) -> SessionOut:
    """A one-off session, not from a weekly slot."""
    check_times(data.start, data.end)
    activity = await activity_row(data.activity_id)
    await check_room(data.room_id, activity.site_id)
    staff_ids = await check_staff(data.staff_ids)
    starts_at = recurrence.local_to_utc(data.date, data.start, activity.time_zone)
    ends_at = recurrence.local_to_utc(data.date, data.end, activity.time_zone)
    async with transaction(row_lock(Room, data.room_id)):  # bookings of a room take turns
        await _refuse_room_clash(data.room_id, starts_at, ends_at, None)
        session = Session(
            activity=data.activity_id,
            site=activity.site_id,
            room=data.room_id,
            date=data.date,
            start=data.start,
            end=data.end,
            starts_at=starts_at,
            ends_at=ends_at,
            note=data.note.strip(),
            edited_by_hand=True,
        )
        await session.save()
        await replace_staff(session.id, staff_ids)
        await record(
            actor,
            "session.create",
            entity="session",
            entity_id=session.id,
            details={"activity_id": data.activity_id, "date": data.date.isoformat()},
        )
    await events.publish(events.SessionsChanged(session_ids=(session.id,)))
    return await get_session(session.id)


async def change_session(actor: Actor, session_id: int, data: SessionChange) -> SessionOut:
    """Move a session, or change its room, staff or note. The session counts as
    edited by hand from now on: a later change of its slot does not overwrite it."""
    current = await get_session(session_id)
    if current.status == SessionStatus.cancelled:
        raise Conflict(_("The session is cancelled; restore it before changing it."))
    day = data.date or current.date
    start, end = data.start or current.start, data.end or current.end
    check_times(start, end)
    room_id = None if data.clear_room else (data.room_id or current.room_id)
    await check_room(room_id, current.site_id)
    staff_ids = await check_staff(data.staff_ids) if data.staff_ids is not None else None
    site = await catalog.get_site(current.site_id)
    starts_at = recurrence.local_to_utc(day, start, site.time_zone)
    ends_at = recurrence.local_to_utc(day, end, site.time_zone)
    moved = (day, start, end) != (current.date, current.start, current.end)
    async with transaction(row_lock(Room, room_id)):  # bookings of a room take turns
        await _refuse_room_clash(room_id, starts_at, ends_at, session_id)
        changed = (
            await Session.update(
                {
                    Session.date: day,
                    Session.start: start,
                    Session.end: end,
                    Session.starts_at: starts_at,
                    Session.ends_at: ends_at,
                    Session.room: room_id,
                    Session.status: SessionStatus.moved.value if moved else current.status.value,
                    Session.note: current.note if data.note is None else data.note.strip(),
                    Session.edited_by_hand: True,
                    Session.slot_changed_since_edit: False,
                    Session.sequence: Session.sequence + 1,
                    Session.updated_at: clock.utcnow(),
                }
            )
            .where(_still(session_id, current.status))
            .returning(Session.id)
        )
        if not changed:
            raise _changed_meanwhile()
        if staff_ids is not None:
            await replace_staff(session_id, staff_ids)
        await record(
            actor,
            "session.move" if moved else "session.update",
            entity="session",
            entity_id=session_id,
            details={
                "date": day.isoformat(),
                "start": start.isoformat(),
                "end": end.isoformat(),
                "room_id": room_id,
            },
        )
        # the staff it had before may lose it: their feeds change too
        await events.publish(
            events.SessionsChanged(
                session_ids=(session_id,), staff_ids=tuple(s.id for s in current.staff)
            )
        )
    return await get_session(session_id)


async def cancel_session(actor: Actor, session_id: int, reason: str) -> SessionOut:
    """Cancel a session with a reason; it counts as edited by hand."""
    current = await get_session(session_id)
    if current.status == SessionStatus.cancelled:
        raise Conflict(_("The session is already cancelled."))
    async with transaction():
        cancelled = (
            await Session.update(
                {
                    Session.status: SessionStatus.cancelled.value,
                    Session.cancel_reason: reason.strip(),
                    Session.edited_by_hand: True,
                    Session.sequence: Session.sequence + 1,
                    Session.updated_at: clock.utcnow(),
                }
            )
            .where(_still(session_id, current.status))
            .returning(Session.id)
        )
        if not cancelled:
            raise _changed_meanwhile()
        await record(
            actor,
            "session.cancel",
            entity="session",
            entity_id=session_id,
            details={"reason": reason.strip()},
        )
        await events.publish(events.SessionsChanged(session_ids=(session_id,)))
    return await get_session(session_id)


async def restore_session(actor: Actor, session_id: int) -> SessionOut:
    """Plan a session cancelled by hand again (its room must still be free). One that a
    holiday or closure cancelled comes back when the closure is removed, not here."""
    current = await get_session(session_id)
    if current.status != SessionStatus.cancelled:
        raise Conflict(_("The session is not cancelled."))
    if not current.edited_by_hand:
        raise Conflict(
            _("A holiday or closure cancelled this session; remove the closure to plan it again.")
        )
    async with transaction():
        await _refuse_room_clash(current.room_id, current.starts_at, current.ends_at, session_id)
        restored = (
            await Session.update(
                {
                    Session.status: SessionStatus.planned.value,
                    Session.cancel_reason: "",
                    Session.sequence: Session.sequence + 1,
                    Session.updated_at: clock.utcnow(),
                }
            )
            .where(_still(session_id, current.status))
            .returning(Session.id)
        )
        if not restored:
            raise _changed_meanwhile()
        await record(actor, "session.restore", entity="session", entity_id=session_id)
    await events.publish(events.SessionsChanged(session_ids=(session_id,)))
    return await get_session(session_id)


def _still(session_id: int, status: SessionStatus) -> Combinable:
    """The session, if it still has the status the change was decided on: a change
    raced by a cancellation (or a second cancellation) then changes nothing."""
    return (Session.id == session_id) & (Session.status == status.value)


def _changed_meanwhile() -> Conflict:
    return Conflict(_("The session was changed or cancelled meanwhile; reload and try again."))


async def _refuse_room_clash(
    room_id: int | None, starts_at: datetime, ends_at: datetime, session_id: int | None
) -> None:
    """A room booked twice at once is refused, naming the other session."""
    if room_id is None:
        return
    rows = await session_rows(
        (Session.room == room_id)
        & (Session.starts_at < ends_at)
        & (Session.ends_at > starts_at)
        & (Session.status != SessionStatus.cancelled.value)
    )
    candidate = conflicts.SessionFacts(
        session_id=session_id or -1,
        title="",
        site_id=0,
        room_id=room_id,
        date=starts_at.date(),
        start=starts_at.time(),
        end=ends_at.time(),
        starts_at=starts_at,
        ends_at=ends_at,
        staff_ids=frozenset(),
        required_skills=frozenset(),
        min_participants=0,
        participants_per_staff=1,
        placed=0,
    )
    clash = conflicts.room_clash(candidate, [session_facts(row, [], frozenset()) for row in rows])
    if clash is not None:
        raise Conflict(
            _(
                "The room is already booked for %(title)s on %(date)s, %(start)s–%(end)s.",
                title=clash.title,
                date=format_day(clash.date),
                start=format_clock(clash.start),
                end=format_clock(clash.end),
            )
        )
