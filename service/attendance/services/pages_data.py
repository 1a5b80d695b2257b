"""What the attendance pages and their API show: the sheet of one session (the roster
with its marks and the walk-ins possible) and the sessions of a day with their counts."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from service import clock
from service.attendance.schemas import (
    AttendanceSheet,
    Choice,
    CurrentMark,
    DaySession,
    RosterRow,
    SessionHead,
)
from service.attendance.services.marks import current_marks
from service.attendance.services.who_may_mark import refusal, site_participants, visible_session
from service.attendance.tables import AttendanceMark
from service.audit.services import Actor
from service.auth.permissions import may, note_for
from service.auth.schemas import CurrentUser
from service.errors import InvalidInput, NotFound, checked_days
from service.i18n import gettext as _
from service.people.tables import Participant
from service.placements import services as placements
from service.placements.queries import visible_participants
from service.placements.tables import AbsenceNotice
from service.schedule.services import list_sessions
from service.schedule.tables import Session, SessionStatus


async def sheet(
    actor: Actor, user: CurrentUser, session_id: int, *, today: date | None = None
) -> AttendanceSheet:
    """The roster with each participant's current mark, walk-ins already marked, and
    who else from the site may be added. Partners see first names, no notes."""
    today = today or clock.today()
    session = await visible_session(user, session_id)
    if session is None:
        raise NotFound(_("There is no session %(id)s.", id=session_id))
    head = await _head(session_id)
    expected = await placements.roster(actor, user, session_id)
    marks = await current_marks(session_id)
    first_names = not may(user, "roster.full_names")
    notes = await _notes(user, session_id, marks)
    rows = [
        RosterRow(
            participant_id=e.participant_id,
            name=e.name,
            expected=True,
            absence_given_at=e.absence_given_at,
            absence_note=e.absence_note,
            mark=marks.get(e.participant_id),
            note=notes.get(e.participant_id, ""),
        )
        for e in expected
    ]
    listed = {row.participant_id for row in rows}
    extra_ids = sorted(set(marks) - listed)
    names = await _names(user, set(extra_ids), first_names, today)
    rows.extend(
        RosterRow(
            participant_id=pid,
            name=names.get(pid, "?"),
            expected=False,
            absence_given_at=None,
            absence_note="",
            mark=marks[pid],
            note=notes.get(pid, ""),
        )
        for pid in extra_ids
    )
    walk_ins: list[Choice] = []
    if may(user, "attendance.walk_ins"):
        candidates = await site_participants(user, session.site_id, today)
        found = await _names(user, candidates - listed - set(extra_ids), first_names, today)
        walk_ins = sorted(
            (Choice(id=pid, name=name) for pid, name in found.items()), key=lambda c: c.name
        )
    refused = refusal(user, session, today)
    return AttendanceSheet(
        session=head,
        rows=rows,
        walk_ins=walk_ins,
        can_mark=refused is None,
        refusal=refused.detail if refused else "",
    )


async def _head(session_id: int) -> SessionHead:
    """What the sheet shows of the session itself."""
    row = (
        await Session.select(
            Session.id,
            Session.site,
            Session.site.name,
            Session.activity.title,
            Session.date,
            Session.start,
            Session.end,
            Session.status,
            Session.cancel_reason,
        )
        .where(Session.id == session_id)
        .first()
    )
    assert row is not None
    return SessionHead(
        id=row["id"],
        title=row["activity.title"],
        site_id=row["site"],
        site_name=row["site.name"],
        date=row["date"],
        start=row["start"],
        end=row["end"],
        status=SessionStatus(row["status"]),
        cancel_reason=row["cancel_reason"],
    )


async def _names(user: CurrentUser, ids: set[int], first_only: bool, today: date) -> dict[int, str]:
    """The names of these participants (not erased), or only their first names. Those
    who follow participants see the names of the participants visible to them; a
    partner, who sees no records, the first names of those marked at their site."""
    if not ids:
        return {}
    visible = (
        await visible_participants(user, today)
        if may(user, "participant.follow")
        else Participant.erased_at.is_null()
    )
    rows = await Participant.select(Participant.id, Participant.display_name).where(
        Participant.id.is_in(sorted(ids)) & visible
    )
    return {
        row["id"]: row["display_name"].split(" ")[0] if first_only else row["display_name"]
        for row in rows
    }


async def _notes(
    user: CurrentUser, session_id: int, marks: dict[int, CurrentMark]
) -> dict[int, str]:
    """The note of each participant's current mark, under the rule of notes."""
    uuids = [mark.uuid for mark in marks.values()]
    if not uuids:
        return {}
    rows = await AttendanceMark.select(AttendanceMark.participant, AttendanceMark.note).where(
        AttendanceMark.client_uuid.is_in(uuids)
    )
    return {row["participant"]: note_for(user, row["note"]) for row in rows}


async def day_sessions(user: CurrentUser, day: date) -> list[DaySession]:
    """The sessions at the user's sites on a day, with expected and marked counts."""
    sessions = await list_sessions(day, day, user)
    if not sessions:
        return []
    ids = [s.id for s in sessions]
    marked: dict[int, set[int]] = defaultdict(set)
    for row in await AttendanceMark.select(
        AttendanceMark.session, AttendanceMark.participant
    ).where(AttendanceMark.session.is_in(ids)):
        marked[row["session"]].add(row["participant"])
    # An absence notice counts as marked "absent with notice", as on the roster.
    for row in await AbsenceNotice.select(AbsenceNotice.session, AbsenceNotice.participant).where(
        AbsenceNotice.session.is_in(ids)
    ):
        marked[row["session"]].add(row["participant"])
    return [
        DaySession(
            id=s.id,
            title=s.title,
            site_name=s.site_name,
            start=s.start,
            end=s.end,
            status=s.status,
            expected=s.placed,
            marked=len(marked[s.id]),
        )
        for s in sessions
    ]


def check_day(value: str | None) -> date:
    """The day a page asks for (YYYY-MM-DD), today when it asks for none."""
    if not value:
        return clock.today()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("date", _("Give the date as YYYY-MM-DD.")) from None
    checked_days(date=day)
    return day
