"""Data protection: export for a subject access request, and erasure."""

from __future__ import annotations

from datetime import date

from service import clock, events
from service.audit.services import Actor, Subject, forget_subject, record
from service.auth.permissions import note_for
from service.auth.tables import User
from service.db import row_lock, transaction
from service.people.schemas import ExportedReview, ParticipantExport
from service.people.services._shared import existing_row, participant_out
from service.people.services.capacity import capacity_of
from service.people.services.day_needs import day_needs_of
from service.people.services.goals import goals_of
from service.people.services.interests import interests_of
from service.people.tables import (
    AccessibilityNeed,
    AvailabilityWindow,
    BlockedTime,
    DayNeeds,
    DietNeed,
    Goal,
    Interest,
    LoginCard,
    Participant,
    ParticipantStatus,
    ReachableSite,
    Review,
    Strength,
)
from service.placements.tables import Placement, PlacementStatus

ERASED_NAME = "—"


async def export(actor: Actor, participant_id: int) -> ParticipantExport:
    """Everything Tupa holds about one participant, for a subject access request."""
    row = await existing_row(participant_id)
    await record(actor, "participant.export", entity="participant", entity_id=participant_id)
    goals = await goals_of(participant_id)
    reviews = await Review.select().where(Review.goal.participant == participant_id)
    return ParticipantExport(
        participant=participant_out(row, actor.user),
        capacity=await capacity_of(row),
        goals=goals,
        reviews=[
            ExportedReview(
                goal_id=r["goal"],
                on_date=r["on_date"],
                rating=r["rating"],
                note=note_for(actor.user, r["note"], row["user"]),
            )
            for r in reviews
        ],
        interests=await interests_of(participant_id),
        exported_at=clock.utcnow(),
        day_needs=await day_needs_of(participant_id),
    )


async def erase(actor: Actor, participant_id: int, *, today: date | None = None) -> None:
    """Remove the participant's personal data everywhere. What stays is an anonymous
    row (so that counts of participants and, later, attendance still add up). Their
    placements end on the day of the erasure, so that their places are free."""
    today = today or clock.today()
    # The participant's row is locked: a card issued or a place given at the same
    # moment comes before (and is erased too) or after (and finds them erased).
    async with transaction(row_lock(Participant, participant_id)):
        row = await existing_row(participant_id)
        account = row["user"]
        # First, while the account still exists: the log finds its events by reference.
        await forget_subject(
            [Subject.participant(participant_id)]
            + ([Subject.user(account)] if account is not None else [])
        )
        for table in (
            Goal,
            AvailabilityWindow,
            BlockedTime,
            ReachableSite,
            AccessibilityNeed,
            Strength,
            Interest,
            LoginCard,
            DayNeeds,
            DietNeed,
        ):
            await table.delete().where(table.participant == participant_id)
        await Participant.update(
            {
                Participant.display_name: ERASED_NAME,
                Participant.contact: "",
                Participant.support_person: "",
                Participant.support_contact: "",
                # The municipality's reference names the person; the end reason is free
                # text. The year of birth and the destination stay for the statistics.
                Participant.municipality_ref: "",
                Participant.end_reason: "",
                Participant.user: None,
                Participant.contact_staff: None,
                Participant.status: ParticipantStatus.ended.value,
                Participant.next_review: None,
                Participant.erased_at: clock.utcnow(),
                Participant.updated_at: clock.utcnow(),
            }
        ).where(Participant.id == participant_id)
        if account is not None:
            await User.delete().where(User.id == account)
        slot_ids = await _end_placements(actor, participant_id, today)
        await record(actor, "participant.erase", entity="participant", entity_id=participant_id)
        # Their feeds stop; the sessions of their slots expect one fewer.
        await events.publish(events.ParticipantChanged(participant_id=participant_id, erased=True))
        await events.publish(
            events.PlacementsChanged(participant_ids=(participant_id,), slot_ids=tuple(slot_ids))
        )


async def _end_placements(actor: Actor, participant_id: int, day: date) -> list[int]:
    """End every placement of the participant that has not ended: on `day` (or on its
    own earlier end), and outright if it starts later. Returns the slots they were in."""
    rows = await Placement.select(
        Placement.id, Placement.slot, Placement.start_date, Placement.end_date
    ).where(
        (Placement.participant == participant_id)
        & (Placement.status != PlacementStatus.ended.value)
    )
    for row in rows:
        end = _ended_on(row["start_date"], row["end_date"], day)
        await Placement.update(
            {Placement.status: PlacementStatus.ended.value, Placement.end_date: end}
        ).where(Placement.id == row["id"])
        await record(
            actor,
            "placement.end",
            entity="placement",
            entity_id=row["id"],
            details={
                "end_date": end.isoformat() if end else None,
                "reason": "erasure",
                "participant_id": participant_id,
            },
        )
    return sorted({row["slot"] for row in rows})


def _ended_on(start: date, end: date | None, day: date) -> date | None:
    """The end date of a placement ended on `day`: `day`, unless it ends earlier or
    has not started by then (then its dates stay as they were)."""
    if start > day or (end is not None and end < day):
        return end
    return day
