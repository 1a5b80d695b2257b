"""What notifications do when something changes. The outbox handlers run inside the
transaction of the change (`events.subscribe_in_transaction`), so a message is queued
if and only if its cause commits; after the commit a delivery job is started, so a
message due now does not wait for the minute's cron run. Registered by
`service.composition`."""

from __future__ import annotations

import uuid

from service import events, jobs
from service.notifications import services


async def queue_session_notices(event: events.SessionsChanged) -> None:
    await services.on_sessions_changed(event.session_ids)


async def queue_absence_notice(event: events.AbsenceChanged) -> None:
    await services.on_absence(event.session_id, event.participant_id)


async def queue_placement_notices(event: events.PlacementsChanged) -> None:
    await services.on_placements_changed(event.participant_ids, event.slot_ids)


async def adopt_consent(event: events.ParticipantChanged) -> None:
    if not event.erased:
        await services.adopt_record_consent(event.participant_id)


async def start_delivery(_event: events.Event) -> None:
    queue = jobs.active_queue()
    if queue is not None:
        await queue.enqueue("deliver_notifications", job_id=f"deliver:{uuid.uuid4().hex}")


def register() -> None:
    events.subscribe_in_transaction(events.SessionsChanged, queue_session_notices)
    events.subscribe_in_transaction(events.AbsenceChanged, queue_absence_notice)
    events.subscribe_in_transaction(events.PlacementsChanged, queue_placement_notices)
    events.subscribe_in_transaction(events.ParticipantChanged, adopt_consent)
    events.subscribe(events.SessionsChanged, start_delivery)
    events.subscribe(events.PlacementsChanged, start_delivery)
    events.subscribe(events.AbsenceChanged, start_delivery)
