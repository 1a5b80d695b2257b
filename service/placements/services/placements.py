"""Placements in weekly slots (manual for now; the matcher will propose them too)."""

from __future__ import annotations

from datetime import date
from typing import Any

from service import events
from service.audit.services import Actor, record
from service.db import row_lock, transaction
from service.errors import Conflict, InvalidInput, NotFound
from service.i18n import gettext as _
from service.people.tables import Participant
from service.placements import queries
from service.placements.schemas import (
    PlacementIn,
    PlacementOut,
)
from service.placements.tables import Placement, PlacementSource, PlacementStatus
from service.schedule.tables import WeeklySlot


async def place(actor: Actor, data: PlacementIn) -> PlacementOut:
    """Place a participant in a weekly slot; a full slot or a double placement is a 409."""
    if data.end_date is not None and data.end_date < data.start_date:
        raise InvalidInput("end_date", _("The placement must end on or after its start."))
    async with transaction(
        row_lock(Participant, data.participant_id), row_lock(WeeklySlot, data.slot_id)
    ):
        # The slot's row is locked: placements into it take turns, so the count below
        # is still true when the row is stored.
        await _refuse_unplaceable(data)
        capacity = await _capacity(data.slot_id)
        overlapping = await queries.holders(data.slot_id, data.start_date, data.end_date)
        if any(p.participant_id == data.participant_id for p in overlapping):
            raise Conflict(_("The participant is already placed in this slot."))
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
            events.PlacementsChanged(
                participant_ids=(data.participant_id,), slot_ids=(data.slot_id,)
            )
        )
    return await get_placement(row.id)


async def _refuse_unplaceable(data: PlacementIn) -> None:
    """422 for a participant who is not there (or erased)."""
    participant = (
        await Participant.select(Participant.id)
        .where((Participant.id == data.participant_id) & Participant.erased_at.is_null())
        .first()
    )
    if participant is None:
        raise InvalidInput(
            "participant_id", _("There is no participant %(id)s.", id=data.participant_id)
        )


async def _capacity(slot_id: int) -> int:
    """How many places the slot has (its activity's maximum); 422 for no such slot."""
    slot = (
        await WeeklySlot.select(WeeklySlot.activity.max_participants)
        .where(WeeklySlot.id == slot_id)
        .first()
    )
    if slot is None:
        raise InvalidInput("slot_id", _("There is no weekly slot %(id)s.", id=slot_id))
    return int(slot["activity.max_participants"])


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
            details={"end_date": end_date.isoformat(), "participant_id": current.participant_id},
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
