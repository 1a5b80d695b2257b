"""The feed invalidation job. Idempotent in effect: running it twice raises the
versions twice, which only renders the feeds once more."""

from __future__ import annotations

from typing import Any

from service.calendars import services


async def refresh_feeds(
    ctx: dict[str, Any],
    *,
    session_ids: list[int] | None = None,
    slot_ids: list[int] | None = None,
    participant_ids: list[int] | None = None,
    staff_ids: list[int] | None = None,
    site_ids: list[int] | None = None,
    activity_ids: list[int] | None = None,
    everything: bool = False,
) -> dict[str, int]:
    scopes = await services.refresh_feeds(
        session_ids=session_ids or [],
        slot_ids=slot_ids or [],
        participant_ids=participant_ids or [],
        staff_ids=staff_ids or [],
        site_ids=site_ids or [],
        activity_ids=activity_ids or [],
        everything=everything,
    )
    return {"scopes": len(scopes)}
