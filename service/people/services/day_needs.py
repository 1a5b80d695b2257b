"""A participant's day needs: a ride (pickup address and notes) and diets."""

from __future__ import annotations

from service import events
from service.audit.services import Actor, record
from service.auth.schemas import CurrentUser
from service.catalog.vocabulary import DIETS
from service.db import row_lock, transaction
from service.errors import InvalidInput
from service.i18n import gettext as _
from service.people.schemas import DayNeedsIn, DayNeedsOut
from service.people.services._shared import existing_row
from service.people.services.visibility import visible_row
from service.people.tables import DayNeeds, DietNeed, Participant


async def get_day_needs(actor: Actor, user: CurrentUser, participant_id: int) -> DayNeedsOut:
    await visible_row(user, participant_id)
    await record(
        actor, "participant.view_day_needs", entity="participant", entity_id=participant_id
    )
    return await day_needs_of(participant_id)


async def save_day_needs(actor: Actor, participant_id: int, data: DayNeedsIn) -> DayNeedsOut:
    await existing_row(participant_id)
    diets = sorted(set(data.diets))
    if unknown := [d for d in diets if d not in DIETS]:
        raise InvalidInput("diets", _("Unknown diet: %(diets)s.", diets=", ".join(unknown)))
    if data.needs_ride and not data.pickup_address.strip():
        raise InvalidInput("pickup_address", _("Give the address to pick up from."))
    async with transaction(row_lock(Participant, participant_id)):
        await DayNeeds.delete().where(DayNeeds.participant == participant_id)
        await DietNeed.delete().where(DietNeed.participant == participant_id)
        await DayNeeds(
            participant=participant_id,
            needs_ride=data.needs_ride,
            pickup_address=data.pickup_address.strip(),
            ride_notes=data.ride_notes.strip(),
            allergy_text=data.allergy_text.strip(),
        ).save()
        if diets:
            await DietNeed.insert(*[DietNeed(participant=participant_id, diet=d) for d in diets])
        await record(actor, "participant.day_needs", entity="participant", entity_id=participant_id)
        await events.publish(events.ParticipantChanged(participant_id=participant_id))
    return await day_needs_of(participant_id)


async def day_needs_of(participant_id: int) -> DayNeedsOut:
    row = await DayNeeds.select().where(DayNeeds.participant == participant_id).first()
    diets = await DietNeed.select(DietNeed.diet).where(DietNeed.participant == participant_id)
    return DayNeedsOut(
        participant_id=participant_id,
        needs_ride=bool(row and row["needs_ride"]),
        pickup_address=row["pickup_address"] if row else "",
        ride_notes=row["ride_notes"] if row else "",
        diets=sorted(d["diet"] for d in diets),
        allergy_text=row["allergy_text"] if row else "",
    )
