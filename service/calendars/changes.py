"""What the calendar subscribers call after a change: it queues the job
that raises the versions of the feeds the change touches, so that their cached
renderings are no longer served. Without a started queue (a command-line run, a
worker) the same work runs at once."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from service.calendars.services import refresh_feeds
from service.jobs import active_queue

log = logging.getLogger("tupa.calendars")


async def feeds_changed(
    *,
    session_ids: Iterable[int] = (),
    slot_ids: Iterable[int] = (),
    participant_ids: Iterable[int] = (),
    staff_ids: Iterable[int] = (),
    site_ids: Iterable[int] = (),
    activity_ids: Iterable[int] = (),
    everything: bool = False,
) -> None:
    work: dict[str, Any] = {
        "session_ids": sorted(set(session_ids)),
        "slot_ids": sorted(set(slot_ids)),
        "participant_ids": sorted(set(participant_ids)),
        "staff_ids": sorted(set(staff_ids)),
        "site_ids": sorted(set(site_ids)),
        "activity_ids": sorted(set(activity_ids)),
        "everything": everything,
    }
    queue = active_queue()
    if queue is not None:
        try:
            await queue.enqueue("refresh_feeds", **work)
            return
        except Exception:  # the queue is down: do the work here rather than lose it
            log.exception("could not queue refresh_feeds; running it in this request")
    await refresh_feeds(**work)
