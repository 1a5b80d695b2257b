"""The roster of a session: who is expected, and their absence notices."""

from __future__ import annotations

from service.audit.services import Actor, record
from service.auth.permissions import may, note_for
from service.auth.schemas import CurrentUser
from service.placements import queries
from service.placements.schemas import (
    RosterEntry,
)
from service.schedule.services import get_session


async def roster(actor: Actor, user: CurrentUser, session_id: int) -> list[RosterEntry]:
    """Who is expected at a session: those placed in its slot on its date. Partners see
    first names only; notes on absences are for staff."""
    await get_session(session_id, user)  # 404 outside the user's sites
    first_names_only = not may(user, "roster.full_names")
    entries = [
        RosterEntry(
            participant_id=e.participant_id,
            name=e.display_name.split(" ")[0] if first_names_only else e.display_name,
            absence_given_at=e.absence_given_at,
            absence_note=note_for(user, e.absence_note),
        )
        for e in await queries.expected_at(session_id)
    ]
    await record(
        actor,
        "session.roster",
        entity="session",
        entity_id=session_id,
        details={"count": len(entries)},
    )
    return sorted(entries, key=lambda entry: entry.name)
