"""Session generation as a job, and nightly so the horizon keeps rolling forward."""

from __future__ import annotations

from typing import Any

from service.calendars.changes import feeds_changed
from service.jobs import nightly
from service.schedule import services


@nightly(hour=2, minute=30)
async def generate_sessions(ctx: dict[str, Any], *, weeks: int = services.HORIZON_WEEKS) -> dict:
    result = await services.generate_sessions(weeks=weeks)
    if result.created or result.updated or result.cancelled:
        await feeds_changed(everything=True)
    return {"created": result.created, "updated": result.updated, "cancelled": result.cancelled}
