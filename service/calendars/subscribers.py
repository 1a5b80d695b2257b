"""What calendar feeds do when the schedule, the catalogue or people change: raise the
versions of the feeds that show the change, so that their cached renderings are no
longer served. Registered by `service.composition`; every handler runs after commit."""

from __future__ import annotations

from service import events
from service.calendars.changes import feeds_changed
from service.calendars.services import staffed_by


async def on_sessions_changed(event: events.SessionsChanged) -> None:
    await feeds_changed(session_ids=event.session_ids, staff_ids=event.staff_ids)


async def on_slots_changed(event: events.SlotsChanged) -> None:
    await feeds_changed(
        slot_ids=event.slot_ids, staff_ids=event.staff_ids, everything=event.everything
    )


async def on_closure_changed(event: events.ClosureChanged) -> None:
    await feeds_changed(slot_ids=event.slot_ids, everything=event.everything)


async def on_placements_changed(event: events.PlacementsChanged) -> None:
    await feeds_changed(participant_ids=event.participant_ids, slot_ids=event.slot_ids)


async def on_absence_changed(event: events.AbsenceChanged) -> None:
    await feeds_changed(session_ids=[event.session_id], participant_ids=[event.participant_id])


async def on_site_changed(event: events.SiteChanged) -> None:
    await feeds_changed(site_ids=[event.site_id])


async def on_activity_changed(event: events.ActivityChanged) -> None:
    await feeds_changed(activity_ids=[event.activity_id])


async def on_participant_changed(event: events.ParticipantChanged) -> None:
    await feeds_changed(participant_ids=[event.participant_id])


async def on_user_changed(event: events.UserChanged) -> None:
    """A staff member's name is in the feeds of the sessions they run; a deactivated
    person's own feed stops."""
    session_ids, slot_ids = await staffed_by(event.user_id)
    await feeds_changed(staff_ids=[event.user_id], session_ids=session_ids, slot_ids=slot_ids)


async def on_staff_absence_changed(event: events.StaffAbsenceChanged) -> None:
    """A staff member's own feed shows their absences."""
    await feeds_changed(staff_ids=[event.user_id])


def register() -> None:
    events.subscribe(events.SessionsChanged, on_sessions_changed)
    events.subscribe(events.SlotsChanged, on_slots_changed)
    events.subscribe(events.ClosureChanged, on_closure_changed)
    events.subscribe(events.PlacementsChanged, on_placements_changed)
    events.subscribe(events.AbsenceChanged, on_absence_changed)
    events.subscribe(events.SiteChanged, on_site_changed)
    events.subscribe(events.ActivityChanged, on_activity_changed)
    events.subscribe(events.ParticipantChanged, on_participant_changed)
    events.subscribe(events.UserChanged, on_user_changed)
    events.subscribe(events.StaffAbsenceChanged, on_staff_absence_changed)
