"""The schedule's rules: weekly slots, sessions generated from them, one-off sessions,
moves and cancellations, closures, and the conflicts between them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from service import clock, events
from service.audit.services import Actor, record
from service.auth.schemas import CurrentUser
from service.auth.tables import Role, User
from service.catalog import services as catalog
from service.catalog.tables import Activity, ActivityKind, ActivitySkill, Room, Site
from service.db import save_row, transaction
from service.errors import Conflict, InvalidInput, NotFound
from service.i18n import gettext as _
from service.placements.queries import SessionDay, placed_counts
from service.schedule import conflicts, recurrence
from service.schedule.schemas import (
    ClosureIn,
    ClosureOut,
    GenerationResult,
    SessionChange,
    SessionIn,
    SessionOut,
    SlotIn,
    SlotOut,
    StaffName,
    WarningOut,
)
from service.schedule.tables import (
    Closure,
    Session,
    SessionStaff,
    SessionStatus,
    SlotStaff,
    WeeklySlot,
)
from service.staff.tables import StaffAvailability, StaffSkill

HORIZON_WEEKS = 12


# --- shared checks -------------------------------------------------------------------


def check_times(start: time, end: time) -> None:
    if end <= start:
        raise InvalidInput("end", _("The end must be after the start."))


async def activity_row(activity_id: int, field: str = "activity_id") -> dict[str, Any]:
    row = (
        await Activity.select(
            *Activity.all_columns(),
            Activity.site.time_zone,
            Activity.site.country,
            Activity.site.name,
        )
        .where(Activity.id == activity_id)
        .first()
    )
    if row is None:
        raise InvalidInput(field, _("There is no activity %(id)s.", id=activity_id))
    return row


async def check_room(room_id: int | None, site_id: int) -> None:
    if room_id is None:
        return
    room = await Room.select(Room.site).where(Room.id == room_id).first()
    if room is None or room["site"] != site_id:
        raise InvalidInput("room_id", _("Room %(id)s is not at the activity's site.", id=room_id))


async def check_staff(staff_ids: Iterable[int]) -> list[int]:
    ids = sorted(set(staff_ids))
    if not ids:
        return []
    rows = await User.select(User.id).where(
        User.id.is_in(ids) & (User.role == Role.staff.value) & (User.is_active == True)  # noqa: E712
    )
    if missing := sorted(set(ids) - {row["id"] for row in rows}):
        raise InvalidInput(
            "staff_ids", _("Not active staff members: %(ids)s.", ids=", ".join(map(str, missing)))
        )
    return ids


# --- weekly slots --------------------------------------------------------------------


async def list_slots(
    user: CurrentUser | None = None, *, activity_id: int | None = None
) -> list[SlotOut]:
    query = (
        WeeklySlot.select(*WeeklySlot.all_columns(), WeeklySlot.activity.site)
        .order_by(WeeklySlot.weekday)
        .order_by(WeeklySlot.start)
    )
    if activity_id is not None:
        query = query.where(WeeklySlot.activity == activity_id)
    rows = await query
    scope = catalog.site_scope(user) if user else None
    if scope is not None:
        rows = [row for row in rows if row["activity.site"] in scope]
    staff = await _links(SlotStaff, SlotStaff.slot, [row["id"] for row in rows])
    return [_slot_out(row, staff[row["id"]]) for row in rows]


async def get_slot(slot_id: int, user: CurrentUser | None = None) -> SlotOut:
    row = (
        await WeeklySlot.select(*WeeklySlot.all_columns(), WeeklySlot.activity.site)
        .where(WeeklySlot.id == slot_id)
        .first()
    )
    scope = catalog.site_scope(user) if user else None
    if row is None or (scope is not None and row["activity.site"] not in scope):
        raise NotFound(_("There is no weekly slot %(id)s.", id=slot_id))
    staff = await _links(SlotStaff, SlotStaff.slot, [slot_id])
    return _slot_out(row, staff[slot_id])


async def save_slot(
    actor: Actor, data: SlotIn, slot_id: int | None = None, *, today: date | None = None
) -> SlotOut:
    """Create or change a weekly slot and bring its coming sessions in line."""
    check_times(data.start, data.end)
    if data.valid_until is not None and data.valid_until < data.valid_from:
        raise InvalidInput("valid_until", _("The slot must end on or after its first day."))
    activity = await activity_row(data.activity_id)
    await check_room(data.room_id, activity["site"])
    staff_ids = await check_staff(data.staff_ids)
    await _refuse_slot_room_clash(data, slot_id)
    values = {
        WeeklySlot.activity: data.activity_id,
        WeeklySlot.weekday: data.weekday,
        WeeklySlot.start: data.start,
        WeeklySlot.end: data.end,
        WeeklySlot.valid_from: data.valid_from,
        WeeklySlot.valid_until: data.valid_until,
        WeeklySlot.room: data.room_id,
        WeeklySlot.updated_at: clock.utcnow(),
    }
    previous_staff: list[int] = []
    async with transaction():
        if slot_id is not None:
            previous_staff = (await get_slot(slot_id)).staff_ids
        slot_id, verb = await save_row(WeeklySlot, values, slot_id)
        action = f"slot.{verb}"
        await SlotStaff.delete().where(SlotStaff.slot == slot_id)
        if staff_ids:
            await SlotStaff.insert(*[SlotStaff(slot=slot_id, user=user) for user in staff_ids])
        await record(
            actor,
            action,
            entity="weekly_slot",
            entity_id=slot_id,
            details={
                "activity_id": data.activity_id,
                "weekday": data.weekday,
                "start": data.start.isoformat(),
                "end": data.end.isoformat(),
            },
        )
        await generate_sessions(today=today, slot_ids=[slot_id])
    await events.publish(events.SlotsChanged(slot_ids=(slot_id,), staff_ids=tuple(previous_staff)))
    return await get_slot(slot_id)


async def end_slot(actor: Actor, slot_id: int, *, today: date | None = None) -> None:
    """Stop a slot from today: its coming sessions are cancelled (calendars keep them
    as cancelled), past ones stay. A slot that never had a session is deleted."""
    slot = await get_slot(slot_id)
    today = today or clock.today()
    async with transaction():
        if await Session.exists().where(Session.slot == slot_id):
            last_day = max(slot.valid_from, today - timedelta(days=1))
            await WeeklySlot.update(
                {WeeklySlot.valid_until: last_day, WeeklySlot.updated_at: clock.utcnow()}
            ).where(WeeklySlot.id == slot_id)
            await generate_sessions(today=today, slot_ids=[slot_id])
            action = "slot.end"
        else:
            await WeeklySlot.delete().where(WeeklySlot.id == slot_id)
            action = "slot.delete"
        await record(actor, action, entity="weekly_slot", entity_id=slot_id)
    await events.publish(events.SlotsChanged(slot_ids=(slot_id,), staff_ids=tuple(slot.staff_ids)))


async def _refuse_slot_room_clash(data: SlotIn, slot_id: int | None) -> None:
    if data.room_id is None:
        return
    others = await WeeklySlot.select(
        WeeklySlot.id,
        WeeklySlot.start,
        WeeklySlot.end,
        WeeklySlot.valid_from,
        WeeklySlot.valid_until,
        WeeklySlot.activity.title,
    ).where(
        (WeeklySlot.room == data.room_id)
        & (WeeklySlot.weekday == data.weekday)
        & (WeeklySlot.start < data.end)
        & (WeeklySlot.end > data.start)
    )
    far_future = date.max
    for other in others:
        if other["id"] == slot_id:
            continue
        if other["valid_from"] <= (data.valid_until or far_future) and data.valid_from <= (
            other["valid_until"] or far_future
        ):
            raise Conflict(
                _(
                    "The room is already booked by weekly slot %(id)s "
                    "(%(title)s, %(start)s-%(end)s).",
                    id=other["id"],
                    title=other["activity.title"],
                    start=other["start"].strftime("%H:%M"),
                    end=other["end"].strftime("%H:%M"),
                )
            )


def _slot_out(row: dict[str, Any], staff_ids: list[int]) -> SlotOut:
    return SlotOut(
        id=row["id"],
        activity_id=row["activity"],
        weekday=row["weekday"],
        start=row["start"],
        end=row["end"],
        valid_from=row["valid_from"],
        valid_until=row["valid_until"],
        room_id=row["room"],
        staff_ids=staff_ids,
    )


# --- generation ----------------------------------------------------------------------


@dataclass
class _Counts:
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
    today = today or clock.today()
    last = today + timedelta(weeks=weeks) - timedelta(days=1)
    slots = await _slot_rules(slot_ids)
    closures = await _closures(today, last)
    occurrences = recurrence.expand(slots.values(), today, last, closures)
    existing = await _existing_sessions(list(slots), today, last, slot_ids)
    slot_staff = await _links(SlotStaff, SlotStaff.slot, list(slots))
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
    activity_id: int = 0
    room_id: int | None = None


async def _slot_rules(slot_ids: Sequence[int] | None) -> dict[int, _SlotRule]:
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
    query = Session.select().where(
        Session.slot.is_not_null() & (Session.origin_date >= first) & (Session.origin_date <= last)
    )
    if only is not None:
        query = query.where(Session.slot.is_in(list(only) or [-1]))
    rows = await query
    staff = await _links(SessionStaff, SessionStaff.session, [row["id"] for row in rows])
    return {
        (row["slot"], row["origin_date"]): {**row, "staff_ids": staff[row["id"]]} for row in rows
    }


def _new_session(occurrence: recurrence.Occurrence, slot: _SlotRule) -> Session:
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
    await _replace_staff(session["id"], staff_ids)
    if closed and session["status"] != SessionStatus.cancelled:
        counts.cancelled += 1
    else:
        counts.updated += 1


async def _cancel_generated(session: dict[str, Any], reason: str, counts: _Counts) -> None:
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


async def _replace_staff(session_id: int, staff_ids: Iterable[int]) -> None:
    await SessionStaff.delete().where(SessionStaff.session == session_id)
    ids = sorted(set(staff_ids))
    if ids:
        await SessionStaff.insert(*[SessionStaff(session=session_id, user=u) for u in ids])


async def _links(table: Any, key_column: Any, ids: list[int]) -> dict[int, list[int]]:
    """`{id: [user ids]}` from a link table such as SlotStaff or SessionStaff."""
    found: dict[int, list[int]] = defaultdict(list)
    if ids:
        for row in await table.select(key_column, table.user).where(key_column.is_in(ids)):
            found[row[key_column._meta.name]].append(row["user"])
    return found


# --- sessions ------------------------------------------------------------------------


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
    rows = await _session_rows((Session.date >= first) & (Session.date <= last))
    warnings = await _warnings(rows)
    scope = catalog.site_scope(user) if user else None
    shown = [
        row
        for row in rows
        if (scope is None or row["site"] in scope)
        and (site_id is None or row["site"] == site_id)
        and (kind is None or row["activity.kind"] == kind)
    ]
    names = await _staff_names(shown)
    return [_session_out(row, names, warnings.get(row["id"], [])) for row in shown]


async def get_session(session_id: int, user: CurrentUser | None = None) -> SessionOut:
    rows = await _session_rows(Session.id == session_id)
    scope = catalog.site_scope(user) if user else None
    if not rows or (scope is not None and rows[0]["site"] not in scope):
        raise NotFound(_("There is no session %(id)s.", id=session_id))
    row = rows[0]
    same_day = await _session_rows(Session.date == row["date"])
    warnings = await _warnings(same_day)
    return _session_out(row, await _staff_names(rows), warnings.get(session_id, []))


async def create_session(actor: Actor, data: SessionIn) -> SessionOut:
    """A one-off session, not from a weekly slot."""
    check_times(data.start, data.end)
    activity = await activity_row(data.activity_id)
    await check_room(data.room_id, activity["site"])
    staff_ids = await check_staff(data.staff_ids)
    starts_at = recurrence.local_to_utc(data.date, data.start, activity["site.time_zone"])
    ends_at = recurrence.local_to_utc(data.date, data.end, activity["site.time_zone"])
    async with transaction():
        await _refuse_room_clash(data.room_id, starts_at, ends_at, None)
        session = Session(
            activity=data.activity_id,
            site=activity["site"],
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
        await _replace_staff(session.id, staff_ids)
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
    async with transaction():
        await _refuse_room_clash(room_id, starts_at, ends_at, session_id)
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
        ).where(Session.id == session_id)
        if staff_ids is not None:
            await _replace_staff(session_id, staff_ids)
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
    current = await get_session(session_id)
    if current.status == SessionStatus.cancelled:
        raise Conflict(_("The session is already cancelled."))
    async with transaction():
        await Session.update(
            {
                Session.status: SessionStatus.cancelled.value,
                Session.cancel_reason: reason.strip(),
                Session.edited_by_hand: True,
                Session.sequence: Session.sequence + 1,
                Session.updated_at: clock.utcnow(),
            }
        ).where(Session.id == session_id)
        await record(
            actor,
            "session.cancel",
            entity="session",
            entity_id=session_id,
            details={"reason": reason.strip()},
        )
    await events.publish(events.SessionsChanged(session_ids=(session_id,)))
    return await get_session(session_id)


async def _refuse_room_clash(
    room_id: int | None, starts_at: datetime, ends_at: datetime, session_id: int | None
) -> None:
    """A room booked twice at once is refused, naming the other session."""
    if room_id is None:
        return
    rows = await _session_rows(
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
    clash = conflicts.room_clash(candidate, [_facts(row, [], frozenset()) for row in rows])
    if clash is not None:
        raise Conflict(
            _(
                "The room is already booked by session %(id)s (%(title)s on %(date)s, "
                "%(start)s-%(end)s).",
                id=clash.session_id,
                title=clash.title,
                date=clash.date.isoformat(),
                start=clash.start.strftime("%H:%M"),
                end=clash.end.strftime("%H:%M"),
            )
        )


async def _session_rows(where: Any) -> list[dict[str, Any]]:
    rows = (
        await Session.select(
            *Session.all_columns(),
            Session.activity.title,
            Session.activity.kind,
            Session.activity.min_participants,
            Session.activity.max_participants,
            Session.activity.participants_per_staff,
            Session.site.name,
            Session.room.name,
        )
        .where(where)
        .order_by(Session.starts_at)
        .order_by(Session.id)
    )
    staff = await _links(SessionStaff, SessionStaff.session, [row["id"] for row in rows])
    placed = await placed_counts(SessionDay(row["id"], row["slot"], row["date"]) for row in rows)
    for row in rows:
        row["staff_ids"] = staff[row["id"]]
        row["placed"] = placed.get(row["id"], 0)
    return rows


def _facts(
    row: dict[str, Any], staff_ids: list[int], skills: frozenset[str]
) -> conflicts.SessionFacts:
    return conflicts.SessionFacts(
        session_id=row["id"],
        title=row["activity.title"],
        site_id=row["site"],
        room_id=row["room"],
        date=row["date"],
        start=row["start"],
        end=row["end"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        staff_ids=frozenset(staff_ids),
        required_skills=skills,
        min_participants=row["activity.min_participants"],
        participants_per_staff=row["activity.participants_per_staff"],
        placed=row["placed"],
        cancelled=row["status"] == SessionStatus.cancelled,
    )


async def _warnings(rows: list[dict[str, Any]]) -> dict[int, list[WarningOut]]:
    """Warnings for these sessions. The caller passes every session of the days they
    fall on (from `_session_rows`), so that clashes across sites are seen."""
    if not rows:
        return {}
    context = {row["id"]: row for row in rows}
    activity_ids = sorted({row["activity"] for row in context.values()})
    skills: dict[int, set[str]] = defaultdict(set)
    for item in await ActivitySkill.select().where(ActivitySkill.activity.is_in(activity_ids)):
        skills[item["activity"]].add(item["skill"])
    facts = [
        _facts(row, row["staff_ids"], frozenset(skills[row["activity"]]))
        for row in context.values()
    ]
    staff_ids = sorted({user for row in context.values() for user in row["staff_ids"]})
    staff = await _staff_facts(staff_ids)
    found = conflicts.find_warnings(facts, staff)
    return {
        session_id: [_warning_out(w, staff) for w in found.get(session_id, [])]
        for session_id in (row["id"] for row in rows)
    }


async def _staff_facts(user_ids: list[int]) -> dict[int, conflicts.StaffFacts]:
    if not user_ids:
        return {}
    users = await User.select(User.id, User.display_name, User.email).where(User.id.is_in(user_ids))
    skills: dict[int, set[str]] = defaultdict(set)
    for item in await StaffSkill.select().where(StaffSkill.user.is_in(user_ids)):
        skills[item["user"]].add(item["skill"])
    windows: dict[int, list[conflicts.AvailabilityWindow]] = defaultdict(list)
    for item in await StaffAvailability.select().where(StaffAvailability.user.is_in(user_ids)):
        windows[item["user"]].append(
            conflicts.AvailabilityWindow(
                weekday=item["weekday"], start=item["start"], end=item["end"]
            )
        )
    return {
        user["id"]: conflicts.StaffFacts(
            user_id=user["id"],
            name=user["display_name"] or user["email"],
            skills=frozenset(skills[user["id"]]),
            windows=tuple(windows[user["id"]]),
        )
        for user in users
    }


def _warning_out(warning: conflicts.Warning, staff: dict[int, conflicts.StaffFacts]) -> WarningOut:
    name = staff[warning.staff_id].name if warning.staff_id in staff else ""
    messages = {
        "staff_double_booked": _(
            "%(name)s is also in session %(other)s at the same time.",
            name=name,
            other=warning.other_session_id,
        ),
        "staff_unavailable": _("%(name)s is not available at this time.", name=name),
        "missing_skill": _("No staff member here has the skill %(skill)s.", skill=warning.skill),
        "too_few_staff": _(
            "%(needed)s staff members are needed, %(have)s are assigned.",
            needed=warning.needed,
            have=warning.have,
        ),
        "below_minimum": _(
            "%(have)s placed, fewer than the minimum of %(needed)s.",
            have=warning.have,
            needed=warning.needed,
        ),
    }
    return WarningOut(
        code=warning.code,
        message=messages.get(warning.code, warning.code),
        staff_id=warning.staff_id,
        other_session_id=warning.other_session_id,
    )


async def _staff_names(rows: list[dict[str, Any]]) -> dict[int, str]:
    ids = sorted({user for row in rows for user in row["staff_ids"]})
    if not ids:
        return {}
    users = await User.select(User.id, User.display_name, User.email).where(User.id.is_in(ids))
    return {user["id"]: user["display_name"] or user["email"] for user in users}


def _session_out(
    row: dict[str, Any], names: dict[int, str], warnings: list[WarningOut]
) -> SessionOut:
    return SessionOut(
        id=row["id"],
        activity_id=row["activity"],
        title=row["activity.title"],
        kind=ActivityKind(row["activity.kind"]),
        site_id=row["site"],
        site_name=row["site.name"],
        room_id=row["room"],
        room_name=row["room.name"],
        slot_id=row["slot"],
        date=row["date"],
        start=row["start"],
        end=row["end"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        status=SessionStatus(row["status"]),
        cancel_reason=row["cancel_reason"],
        sequence=row["sequence"],
        edited_by_hand=row["edited_by_hand"],
        slot_changed_since_edit=row["slot_changed_since_edit"],
        placed=row["placed"],
        capacity=row["activity.max_participants"],
        staff=[StaffName(id=user, name=names.get(user, "")) for user in sorted(row["staff_ids"])],
        warnings=warnings,
        note=row["note"],
    )


# --- closures ------------------------------------------------------------------------


async def list_closures(*, upcoming_from: date | None = None) -> list[ClosureOut]:
    query = Closure.select().order_by(Closure.start_date)
    if upcoming_from is not None:
        query = query.where(Closure.end_date >= upcoming_from)
    return [_closure_out(row) for row in await query]


async def add_closure(actor: Actor, data: ClosureIn, *, today: date | None = None) -> ClosureOut:
    if data.end_date < data.start_date:
        raise InvalidInput("end_date", _("The closure must end on or after its first day."))
    if data.site_id is not None and not await catalog.exists(Site, data.site_id):
        raise InvalidInput("site_id", _("There is no site %(id)s.", id=data.site_id))
    async with transaction():
        row = Closure(
            site=data.site_id,
            start_date=data.start_date,
            end_date=data.end_date,
            reason=data.reason.strip(),
        )
        await row.save()
        await record(
            actor,
            "closure.create",
            entity="closure",
            entity_id=row.id,
            details={
                "site_id": data.site_id,
                "start": data.start_date.isoformat(),
                "end": data.end_date.isoformat(),
                "reason": row.reason,
            },
        )
        slot_ids = await _slot_ids_at(data.site_id)
        await generate_sessions(today=today, slot_ids=slot_ids)
    await events.publish(
        events.ClosureChanged(slot_ids=tuple(slot_ids or ()), everything=slot_ids is None)
    )
    return _closure_out(await catalog.get_row(Closure, row.id, ""))


async def remove_closure(actor: Actor, closure_id: int, *, today: date | None = None) -> None:
    row = await catalog.get_row(
        Closure, closure_id, _("There is no closure %(id)s.", id=closure_id)
    )
    async with transaction():
        await Closure.delete().where(Closure.id == closure_id)
        await record(
            actor,
            "closure.delete",
            entity="closure",
            entity_id=closure_id,
            details={"reason": row["reason"]},
        )
        slot_ids = await _slot_ids_at(row["site"])
        await generate_sessions(today=today, slot_ids=slot_ids)
    await events.publish(
        events.ClosureChanged(slot_ids=tuple(slot_ids or ()), everything=slot_ids is None)
    )


async def _slot_ids_at(site_id: int | None) -> list[int] | None:
    if site_id is None:
        return None
    rows = await WeeklySlot.select(WeeklySlot.id).where(WeeklySlot.activity.site == site_id)
    return [row["id"] for row in rows]


def _closure_out(row: dict[str, Any]) -> ClosureOut:
    return ClosureOut(
        id=row["id"],
        site_id=row["site"],
        start_date=row["start_date"],
        end_date=row["end_date"],
        reason=row["reason"],
    )
