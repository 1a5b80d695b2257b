"""Session generation as a job, and nightly so the horizon keeps rolling forward."""

from __future__ import annotations

from typing import Any

from service import events
from service.audit.services import Actor, record
from service.schedule import services


async def generate_sessions(ctx: dict[str, Any], *, weeks: int = services.HORIZON_WEEKS) -> dict:
    result = await services.generate_sessions(weeks=weeks)
    counts = {"created": result.created, "updated": result.updated, "cancelled": result.cancelled}
    if result.created or result.updated or result.cancelled:
        await record(Actor.system("generation"), "sessions.generate", details=counts)
        await events.publish(events.SlotsChanged(everything=True))
    return counts
