"""The sessions a participant is placed in, as they see them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from service.catalog.services import activity_titles, title_in
from service.catalog.tables import ActivityKind
from service.i18n import current_language
from service.placements import queries
from service.placements.schemas import (
    MySession,
)
from service.placements.tables import AbsenceNotice
from service.schedule.tables import Session, SessionStatus


async def my_sessions(participant_id: int, first: date, last: date) -> list[MySession]:
    """The sessions of the slots the participant is placed in, on the dates placed."""
    placements = await queries.held(first, last, participant_ids=[participant_id])
    if not placements:
        return []
    rows = (
        await Session.select(
            Session.id,
            Session.slot,
            Session.date,
            Session.start,
            Session.end,
            Session.starts_at,
            Session.status,
            Session.origin_date,
            Session.cancel_reason,
            Session.activity.id,
            Session.activity.title,
            Session.activity.kind,
            Session.activity.what_to_bring,
            Session.site.name,
            Session.site.address,
            Session.site.phone,
        )
        .where(
            Session.slot.is_in(sorted({p.slot_id for p in placements}))
            & (Session.date >= first)
            & (Session.date <= last)
        )
        .order_by(Session.starts_at)
    )
    notices = {
        n["session"]: n["given_at"]
        for n in await AbsenceNotice.select().where(AbsenceNotice.participant == participant_id)
    }
    by_slot: dict[int, list[queries.Holding]] = defaultdict(list)
    for placement in placements:
        by_slot[placement.slot_id].append(placement)
    titles = await activity_titles(sorted({row["activity.id"] for row in rows}))
    language = current_language()
    return [
        MySession(
            id=row["id"],
            title=title_in(language, row["activity.title"], titles[row["activity.id"]]),
            kind=ActivityKind(row["activity.kind"]),
            site_name=row["site.name"],
            address=row["site.address"],
            phone=row["site.phone"],
            date=row["date"],
            start=row["start"],
            end=row["end"],
            starts_at=row["starts_at"],
            status=SessionStatus(row["status"]),
            cancel_reason=row["cancel_reason"],
            what_to_bring=row["activity.what_to_bring"],
            absence_given_at=notices.get(row["id"]),
            moved_from=_moved_from(row),
        )
        for row in rows
        if any(p.covers(row["date"]) for p in by_slot[row["slot"]])
    ]


def _moved_from(row: dict[str, Any]) -> date | None:
    """The day a moved session was first planned on, when it is not the day it is on."""
    origin = row["origin_date"]
    if row["status"] == SessionStatus.moved and origin is not None and origin != row["date"]:
        return origin
    return None


def overlapping(sessions: list[MySession]) -> dict[int, list[str]]:
    """For each of a participant's sessions that overlaps another (cancelled ones left
    out), the titles of the others it overlaps."""
    live = [s for s in sessions if s.status != SessionStatus.cancelled]
    clashes: dict[int, list[str]] = {}
    for a in live:
        for b in live:
            if a.id != b.id and a.date == b.date and a.start < b.end and b.start < a.end:
                clashes.setdefault(a.id, []).append(b.title)
    return clashes
