"""Interests (activities and kinds wanted or not) and strengths."""

from __future__ import annotations

from service.audit.services import Actor, record
from service.auth.schemas import CurrentUser
from service.catalog.services import exists
from service.catalog.tables import Activity
from service.db import row_lock, transaction
from service.errors import InvalidInput
from service.i18n import gettext as _
from service.people.schemas import (
    InterestsIn,
    InterestsOut,
)
from service.people.services.visibility import visible_row
from service.people.tables import (
    Interest,
    Participant,
    Strength,
)


async def get_interests(actor: Actor, user: CurrentUser, participant_id: int) -> InterestsOut:
    await visible_row(user, participant_id)
    await record(
        actor, "participant.view_interests", entity="participant", entity_id=participant_id
    )
    return await interests_of(participant_id)


async def save_interests(
    actor: Actor, user: CurrentUser, participant_id: int, data: InterestsIn
) -> InterestsOut:
    await visible_row(user, participant_id)
    wanted, unwanted = set(data.wanted_activity_ids), set(data.unwanted_activity_ids)
    if both := sorted(wanted & unwanted):
        raise InvalidInput(
            "unwanted_activity_ids",
            _("Activities both wanted and not wanted: %(ids)s.", ids=", ".join(map(str, both))),
        )
    if both_kinds := sorted(set(data.wanted_kinds) & set(data.unwanted_kinds)):
        raise InvalidInput(
            "unwanted_kinds",
            _("Kinds both wanted and not wanted: %(ids)s.", ids=", ".join(both_kinds)),
        )
    for field, ids in (("wanted_activity_ids", wanted), ("unwanted_activity_ids", unwanted)):
        for activity_id in sorted(ids):
            if not await exists(Activity, activity_id):
                raise InvalidInput(field, _("There is no activity %(id)s.", id=activity_id))
    # The participant's row is locked: two saves at once replace the lists one after
    # the other instead of both adding to them.
    async with transaction(row_lock(Participant, participant_id)):
        await Interest.delete().where(Interest.participant == participant_id)
        await Strength.delete().where(Strength.participant == participant_id)
        rows = [Interest(participant=participant_id, activity=a, wants=True) for a in wanted]
        rows += [Interest(participant=participant_id, activity=a, wants=False) for a in unwanted]
        rows += [
            Interest(participant=participant_id, kind=k.value, wants=True)
            for k in set(data.wanted_kinds)
        ]
        rows += [
            Interest(participant=participant_id, kind=k.value, wants=False)
            for k in set(data.unwanted_kinds)
        ]
        if rows:
            await Interest.insert(*rows)
        tags = sorted({tag.strip() for tag in data.strengths if tag.strip()})
        if tags:
            await Strength.insert(*[Strength(participant=participant_id, tag=t) for t in tags])
        await record(actor, "participant.interests", entity="participant", entity_id=participant_id)
    return await interests_of(participant_id)


async def interests_of(participant_id: int) -> InterestsOut:
    rows = await Interest.select().where(Interest.participant == participant_id)
    strengths = await Strength.select(Strength.tag).where(Strength.participant == participant_id)
    return InterestsOut(
        participant_id=participant_id,
        wanted_activity_ids=sorted(r["activity"] for r in rows if r["activity"] and r["wants"]),
        unwanted_activity_ids=sorted(
            r["activity"] for r in rows if r["activity"] and not r["wants"]
        ),
        wanted_kinds=sorted(r["kind"] for r in rows if r["kind"] and r["wants"]),
        unwanted_kinds=sorted(r["kind"] for r in rows if r["kind"] and not r["wants"]),
        strengths=sorted(s["tag"] for s in strengths),
    )
