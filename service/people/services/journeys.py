"""A participant's journey as the reports count it: ending a plan (the day, the
destination and why) and the details reports need (year of birth, the municipality's
reference). Each change is audited without the values and published as a change."""

from __future__ import annotations

from service import clock, events
from service.audit.services import Actor, record
from service.db import row_lock, transaction
from service.errors import InvalidInput
from service.i18n import gettext as _
from service.people.schemas import ParticipantOut, PlanEndIn, ReportingIn
from service.people.services._shared import existing_row, participant_out
from service.people.tables import Participant, ParticipantStatus


async def end_plan(actor: Actor, participant_id: int, data: PlanEndIn) -> ParticipantOut:
    """End the participant's plan on `ended_on`: status ended, the plan's end that
    day, with the destination and reason. The plan cannot end before it started."""
    async with transaction(row_lock(Participant, participant_id)):
        row = await existing_row(participant_id)
        if row["plan_start"] is not None and data.ended_on < row["plan_start"]:
            raise InvalidInput("ended_on", _("The plan cannot end before it started."))
        await Participant.update(
            {
                Participant.status: ParticipantStatus.ended.value,
                Participant.plan_end: data.ended_on,
                Participant.ended_on: data.ended_on,
                Participant.destination: data.destination.value,
                Participant.end_reason: data.end_reason.strip(),
                Participant.updated_at: clock.utcnow(),
            }
        ).where(Participant.id == participant_id)
        await record(
            actor,
            "participant.end_plan",
            entity="participant",
            entity_id=participant_id,
            details={"destination": data.destination.value},
        )
        await events.publish(events.ParticipantChanged(participant_id=participant_id))
    return participant_out(await existing_row(participant_id), actor.user)


async def save_reporting(actor: Actor, participant_id: int, data: ReportingIn) -> ParticipantOut:
    async with transaction(row_lock(Participant, participant_id)):
        await existing_row(participant_id)
        await Participant.update(
            {
                Participant.birth_year: data.birth_year,
                Participant.municipality_ref: data.municipality_ref.strip(),
                Participant.updated_at: clock.utcnow(),
            }
        ).where(Participant.id == participant_id)
        await record(actor, "participant.reporting", entity="participant", entity_id=participant_id)
        await events.publish(events.ParticipantChanged(participant_id=participant_id))
    return participant_out(await existing_row(participant_id), actor.user)
