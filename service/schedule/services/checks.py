"""Checks that slots and sessions share: times in order, an activity that exists, a room
at its site, staff who are active."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time

from service.auth.tables import Role, User
from service.catalog.tables import Activity, Room
from service.errors import InvalidInput
from service.i18n import gettext as _
from service.schedule.schemas import ActivityAt


def check_times(start: time, end: time) -> None:
    """Refuse an end that is not after the start."""
    if end <= start:
        raise InvalidInput("end", _("The end must be after the start."))


async def activity_row(activity_id: int, field: str = "activity_id") -> ActivityAt:
    """The activity and where it happens; an unknown one is refused at `field`."""
    row = (
        await Activity.select(
            Activity.id,
            Activity.site,
            Activity.site.time_zone,
            Activity.site.country,
            Activity.site.name,
        )
        .where(Activity.id == activity_id)
        .first()
    )
    if row is None:
        raise InvalidInput(field, _("There is no activity %(id)s.", id=activity_id))
    return ActivityAt(
        id=row["id"],
        site_id=row["site"],
        site_name=row["site.name"],
        time_zone=row["site.time_zone"],
        country=row["site.country"],
    )


async def check_room(room_id: int | None, site_id: int) -> None:
    """Refuse a room that is not at the site."""
    if room_id is None:
        return
    room = await Room.select(Room.site).where(Room.id == room_id).first()
    if room is None or room["site"] != site_id:
        raise InvalidInput("room_id", _("Room %(id)s is not at the activity's site.", id=room_id))


async def check_staff(staff_ids: Iterable[int]) -> list[int]:
    """The ids sorted and without repeats; refused unless all are active staff."""
    ids = sorted(set(staff_ids))
    if not ids:
        return []
    rows = await User.select(User.id).where(
        User.id.is_in(ids) & (User.role == Role.staff.value) & (User.is_active == True)  # noqa: E712
    )
    if missing := sorted(set(ids) - {row["id"] for row in rows}):
        raise InvalidInput(
            "staff_ids", _("Not active staff members: %(ids)s.", ids=", ".join(map(str, missing)))
        )
    return ids
