"""A participant's capacity: hours, availability, blocked times, reachable sites, needs."""

from __future__ import annotations

from typing import Any

from service import clock
from service.audit.services import Actor, record
from service.auth.schemas import CurrentUser
from service.catalog.services import check_features, exists
from service.catalog.tables import Site
from service.db import transaction
from service.errors import InvalidInput
from service.i18n import gettext as _
from service.people.schemas import (
    BlockedIn,
    CapacityIn,
    CapacityOut,
    WindowIn,
)
from service.people.services._shared import existing_row
from service.people.services.visibility import visible_row
from service.people.tables import (
    AccessibilityNeed,
    AvailabilityWindow,
    BlockedTime,
    Participant,
    ReachableSite,
)


async def get_capacity(actor: Actor, user: CurrentUser, participant_id: int) -> CapacityOut:
    row = await visible_row(user, participant_id)
    await record(actor, "participant.view_capacity", entity="participant", entity_id=participant_id)
    return await capacity_of(row)


async def save_capacity(actor: Actor, participant_id: int, data: CapacityIn) -> CapacityOut:
    await existing_row(participant_id)
    _check_windows(data.windows)
    _check_blocked(data.blocked)
    needs = check_features(data.accessibility_needs) if data.accessibility_needs else []
    sites = sorted(set(data.reachable_site_ids))
    for site_id in sites:
        if not await exists(Site, site_id):
            raise InvalidInput("reachable_site_ids", _("There is no site %(id)s.", id=site_id))
    async with transaction():
        await Participant.update(
            {
                Participant.weekly_hours: data.weekly_hours,
                Participant.max_sessions_per_day: data.max_sessions_per_day,
                Participant.demand_tolerance: data.demand_tolerance,
                Participant.animal_contact_allowed: data.animal_contact_allowed,
                Participant.updated_at: clock.utcnow(),
            }
        ).where(Participant.id == participant_id)
        for table in (AvailabilityWindow, BlockedTime, ReachableSite, AccessibilityNeed):
            await table.delete().where(table.participant == participant_id)
        if data.windows:
            await AvailabilityWindow.insert(
                *[
                    AvailabilityWindow(
                        participant=participant_id, weekday=w.weekday, start=w.start, end=w.end
                    )
                    for w in data.windows
                ]
            )
        if data.blocked:
            await BlockedTime.insert(
                *[
                    BlockedTime(
                        participant=participant_id,
                        weekday=b.weekday,
                        on_date=b.on_date,
                        start=b.start,
                        end=b.end,
                        note=b.note.strip(),
                    )
                    for b in data.blocked
                ]
            )
        if sites:
            await ReachableSite.insert(
                *[ReachableSite(participant=participant_id, site=s) for s in sites]
            )
        if needs:
            await AccessibilityNeed.insert(
                *[AccessibilityNeed(participant=participant_id, feature=f) for f in needs]
            )
        await record(actor, "participant.capacity", entity="participant", entity_id=participant_id)
    return await capacity_of(await existing_row(participant_id))


def _check_windows(windows: list[WindowIn]) -> None:
    for index, window in enumerate(windows):
        if window.end <= window.start:
            raise InvalidInput(f"windows[{index}].end", _("The end must be after the start."))


def _check_blocked(blocked: list[BlockedIn]) -> None:
    for index, item in enumerate(blocked):
        if (item.weekday is None) == (item.on_date is None):
            raise InvalidInput(
                f"blocked[{index}].weekday",
                _("Give either a weekday (every week) or a date (once)."),
            )
        if item.end <= item.start:
            raise InvalidInput(f"blocked[{index}].end", _("The end must be after the start."))


async def capacity_of(row: dict[str, Any]) -> CapacityOut:
    participant_id = row["id"]
    windows = (
        await AvailabilityWindow.select()
        .where(AvailabilityWindow.participant == participant_id)
        .order_by(AvailabilityWindow.weekday)
        .order_by(AvailabilityWindow.start)
    )
    blocked = await BlockedTime.select().where(BlockedTime.participant == participant_id)
    sites = await ReachableSite.select(ReachableSite.site).where(
        ReachableSite.participant == participant_id
    )
    needs = await AccessibilityNeed.select(AccessibilityNeed.feature).where(
        AccessibilityNeed.participant == participant_id
    )
    return CapacityOut(
        participant_id=participant_id,
        weekly_hours=row["weekly_hours"],
        max_sessions_per_day=row["max_sessions_per_day"],
        demand_tolerance=row["demand_tolerance"],
        animal_contact_allowed=row["animal_contact_allowed"],
        windows=[WindowIn(weekday=w["weekday"], start=w["start"], end=w["end"]) for w in windows],
        blocked=[
            BlockedIn(
                start=b["start"],
                end=b["end"],
                weekday=b["weekday"],
                on_date=b["on_date"],
                note=b["note"],
            )
            for b in blocked
        ],
        reachable_site_ids=sorted(s["site"] for s in sites),
        accessibility_needs=sorted(n["feature"] for n in needs),
    )
