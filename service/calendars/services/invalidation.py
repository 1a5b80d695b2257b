"""Invalidation: raise the versions of the feeds that show what changed, so that
their cached renderings are no longer served."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from piccolo.columns import Column

from service import clock
from service.calendars.services.tokens import ALL
from service.calendars.tables import FeedToken, FeedVersion
from service.placements.tables import Placement, PlacementStatus
from service.schedule.tables import Session, SessionStaff, SlotStaff, WeeklySlot

log = logging.getLogger("tupa.calendars")


async def refresh_feeds(
    *,
    session_ids: Iterable[int] = (),
    slot_ids: Iterable[int] = (),
    participant_ids: Iterable[int] = (),
    staff_ids: Iterable[int] = (),
    site_ids: Iterable[int] = (),
    activity_ids: Iterable[int] = (),
    everything: bool = False,
) -> list[str]:
    """Raise the versions of every scope the changed sessions, slots, participants,
    staff, sites and activities touch (only scopes that have a feed). Returns the
    scopes raised."""
    if everything:
        await _bump(ALL)
        return [ALL]
    scopes = {f"participant:{p}" for p in participant_ids} | {f"staff:{s}" for s in staff_ids}
    session_ids, slot_ids = list(session_ids), set(slot_ids)
    catalogue_sessions, catalogue_slots = await _held_at(set(site_ids), set(activity_ids))
    session_ids += catalogue_sessions
    slot_ids |= catalogue_slots
    scopes |= {f"site:{site}" for site in site_ids}
    scopes |= {f"activity:{activity}" for activity in activity_ids}
    if session_ids:
        session_scopes, session_slots = await _scopes_of_sessions(session_ids)
        scopes |= session_scopes
        slot_ids |= session_slots
    if slot_ids:
        scopes |= await _scopes_of_slots(list(slot_ids))
    if not scopes:
        return []
    with_feeds = {
        r["scope"]
        for r in await FeedToken.select(FeedToken.scope).where(
            FeedToken.scope.is_in(sorted(scopes))
        )
    }
    for scope in sorted(with_feeds):
        await _bump(scope)
    return sorted(with_feeds)


async def _scopes_of_sessions(session_ids: list[int]) -> tuple[set[str], set[int]]:
    """The scopes these sessions show in (their site, activity and staff), and the
    weekly slots they come from."""
    scopes: set[str] = set()
    rows = await Session.select(
        Session.id, Session.slot, Session.date, Session.site, Session.activity
    ).where(Session.id.is_in(session_ids))
    for row in rows:
        scopes |= {f"site:{row['site']}", f"activity:{row['activity']}"}
    for link in await SessionStaff.select(SessionStaff.user).where(
        SessionStaff.session.is_in(session_ids)
    ):
        scopes.add(f"staff:{link['user']}")
    return scopes, {row["slot"] for row in rows if row["slot"] is not None}


async def _scopes_of_slots(slots: list[int]) -> set[str]:
    """The scopes these weekly slots show in: their activity and site, the participants
    placed in them (proposals aside), their staff and their sessions' staff."""
    scopes: set[str] = set()
    for slot in await WeeklySlot.select(WeeklySlot.activity, WeeklySlot.activity.site).where(
        WeeklySlot.id.is_in(slots)
    ):
        scopes |= {f"activity:{slot['activity']}", f"site:{slot['activity.site']}"}
    for placed in await Placement.select(Placement.participant).where(
        Placement.slot.is_in(slots) & (Placement.status != PlacementStatus.proposed.value)
    ):
        scopes.add(f"participant:{placed['participant']}")
    for link in await SlotStaff.select(SlotStaff.user).where(SlotStaff.slot.is_in(slots)):
        scopes.add(f"staff:{link['user']}")
    for link in await SessionStaff.select(SessionStaff.user).where(
        SessionStaff.session.slot.is_in(slots)
    ):
        scopes.add(f"staff:{link['user']}")
    return scopes


async def _held_at(site_ids: set[int], activity_ids: set[int]) -> tuple[list[int], set[int]]:
    """The sessions and weekly slots whose feed entries show these sites or activities
    (their place, title, description or what to bring)."""
    sessions: list[dict[str, Any]] = []
    slots: set[int] = set()
    if site_ids:
        sites = sorted(site_ids)
        sessions += await Session.select(Session.id, Session.slot).where(Session.site.is_in(sites))
        slots |= await _slot_ids(WeeklySlot.activity.site.is_in(sites))
    if activity_ids:
        activities = sorted(activity_ids)
        sessions += await Session.select(Session.id, Session.slot).where(
            Session.activity.is_in(activities)
        )
        slots |= await _slot_ids(WeeklySlot.activity.is_in(activities))
    slots |= {row["slot"] for row in sessions if row["slot"] is not None}
    return [row["id"] for row in sessions], slots


async def _slot_ids(where: Any) -> set[int]:
    """The weekly slots that match `where`."""
    return {row["id"] for row in await WeeklySlot.select(WeeklySlot.id).where(where)}


async def staffed_by(user_id: int) -> tuple[list[int], list[int]]:
    """The sessions and weekly slots a staff member runs (their name is in those feeds)."""
    sessions = await SessionStaff.select(SessionStaff.session).where(SessionStaff.user == user_id)
    slots = await SlotStaff.select(SlotStaff.slot).where(SlotStaff.user == user_id)
    return [row["session"] for row in sessions], [row["slot"] for row in slots]


async def _bump(scope: str) -> None:
    """Raise the scope's version (the first raise makes its row)."""
    now = clock.utcnow()
    values: dict[Column | str, Any] = {
        FeedVersion.version: FeedVersion.version + 1,
        FeedVersion.changed_at: now,
    }
    for _attempt in range(3):
        done = (
            await FeedVersion.update(values)
            .where(FeedVersion.scope == scope)
            .returning(FeedVersion.id)
        )
        if done:
            return
        try:
            await FeedVersion.insert(FeedVersion(scope=scope, version=1, changed_at=now))
            return
        except Exception:  # another job inserted the row first: update it instead
            log.info("feed version %s was inserted meanwhile; updating it", scope)
