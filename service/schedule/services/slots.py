"""Weekly slots: the repeating times of an activity, from which sessions are made."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from service import clock, events
from service.audit.services import Actor, record
from service.auth.schemas import CurrentUser
from service.catalog import services as catalog
from service.catalog.tables import Room
from service.db import row_lock, save_row, transaction
from service.errors import Conflict, InvalidInput, NotFound
from service.formats import format_clock
from service.i18n import gettext as _
from service.schedule.schemas import SlotIn, SlotOut
from service.schedule.services._shared import links
from service.schedule.services.checks import activity_row, check_room, check_staff, check_times
from service.schedule.services.generation import generate_sessions
from service.schedule.tables import Session, SlotStaff, WeeklySlot


async def list_slots(
    user: CurrentUser | None = None, *, activity_id: int | None = None
) -> list[SlotOut]:
    """The weekly slots (of one activity, if given) at the user's sites."""
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
    staff = await links(SlotStaff, SlotStaff.slot, [row["id"] for row in rows])
    return [_slot_out(row, staff[row["id"]]) for row in rows]


async def get_slot(slot_id: int, user: CurrentUser | None = None) -> SlotOut:
    """One weekly slot; outside the user's sites it is not found."""
    row = (
        await WeeklySlot.select(*WeeklySlot.all_columns(), WeeklySlot.activity.site)
        .where(WeeklySlot.id == slot_id)
        .first()
    )
    scope = catalog.site_scope(user) if user else None
    if row is None or (scope is not None and row["activity.site"] not in scope):
        raise NotFound(_("There is no weekly slot %(id)s.", id=slot_id))
    staff = await links(SlotStaff, SlotStaff.slot, [slot_id])
    return _slot_out(row, staff[slot_id])


async def save_slot(
    actor: Actor, data: SlotIn, slot_id: int | None = None, *, today: date | None = None
) -> SlotOut:
    """Create or change a weekly slot and bring its coming sessions in line."""
    check_times(data.start, data.end)
    if data.valid_until is not None and data.valid_until < data.valid_from:
        raise InvalidInput("valid_until", _("The slot must end on or after its first day."))
    activity = await activity_row(data.activity_id)
    await check_room(data.room_id, activity.site_id)
    staff_ids = await check_staff(data.staff_ids)
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
    # The room's row is locked: slots and sessions booking it take turns.
    async with transaction(row_lock(Room, data.room_id), row_lock(WeeklySlot, slot_id)):
        await _refuse_slot_room_clash(data, slot_id)
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
    """A room held by another slot at overlapping times and days is refused."""
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
                    start=format_clock(other["start"]),
                    end=format_clock(other["end"]),
                )
            )


def _slot_out(row: dict[str, Any], staff_ids: list[int]) -> SlotOut:
    """A slot row as the API shows it."""
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
