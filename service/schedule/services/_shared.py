"""Helpers that several parts of the schedule's rules share: the staff linked to slots
and sessions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from service.schedule.tables import SessionStaff


async def replace_staff(session_id: int, staff_ids: Iterable[int]) -> None:
    """Give a session exactly these staff members."""
    await SessionStaff.delete().where(SessionStaff.session == session_id)
    ids = sorted(set(staff_ids))
    if ids:
        await SessionStaff.insert(*[SessionStaff(session=session_id, user=u) for u in ids])


async def links(table: Any, key_column: Any, ids: list[int]) -> dict[int, list[int]]:
    """`{id: [user ids]}` from a link table such as SlotStaff or SessionStaff."""
    found: dict[int, list[int]] = defaultdict(list)
    if ids:
        for row in await table.select(key_column, table.user).where(key_column.is_in(ids)):
            found[row[key_column._meta.name]].append(row["user"])
    return found
