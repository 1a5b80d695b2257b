"""Quiet hours: when a message due at night may go out instead. Pure: plain times in,
plain times out, so that the daylight-saving changes are tested on plain data."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def in_quiet_hours(local: time, quiet_from: time, quiet_until: time) -> bool:
    """Whether a local time of day falls in the quiet hours (which may span midnight)."""
    if quiet_from == quiet_until:
        return False
    if quiet_from < quiet_until:
        return quiet_from <= local < quiet_until
    return local >= quiet_from or local < quiet_until


def after_quiet_hours(due: datetime, tz: ZoneInfo, quiet_from: time, quiet_until: time) -> datetime:
    """`due` itself outside the quiet hours, else the next end of the quiet hours in the
    recipient's local time (the morning), as an aware UTC instant."""
    local = due.astimezone(tz)
    if not in_quiet_hours(local.time(), quiet_from, quiet_until):
        return due
    day = local.date()
    if local.time() >= quiet_until:  # evening: the quiet hours end tomorrow morning
        day += timedelta(days=1)
    morning = datetime.combine(day, quiet_until, tzinfo=tz)
    return morning.astimezone(ZoneInfo("UTC"))
