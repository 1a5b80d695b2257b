"""Attendance: batches of marks from tablets (idempotent by the tablet's UUID), the
roster with its marks, today's sessions, and follow-up items."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

import msgspec

from service import clock
from service.attendance import rules
from service.attendance.rules import MarkStatus
from service.attendance.tables import AttendanceMark, FollowUp
from service.audit.services import Actor, record
from service.auth.permissions import may
from service.auth.schemas import CurrentUser
from service.catalog import services as catalog
from service.db import is_sqlite, transaction
from service.errors import Forbidden, InvalidInput, NotFound
from service.i18n import gettext as _
from service.people.tables import Participant, ReachableSite
from service.placements import queries
from service.placements import services as placements
from service.placements.tables import AbsenceNotice
from service.schedule.services import list_sessions
from service.schedule.tables import Session, SessionStatus

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
MAX_BATCH = 500


class MarkIn(msgspec.Struct, forbid_unknown_fields=True):
    """One mark as the tablet made it."""

    uuid: Annotated[str, msgspec.Meta(pattern=UUID_PATTERN)]
    session_id: int
    participant_id: int
    status: MarkStatus
    marked_at: datetime
    arrived_at: datetime | None = None
    left_at: datetime | None = None
    note: Annotated[str, msgspec.Meta(max_length=300)] = ""


class MarksIn(msgspec.Struct, forbid_unknown_fields=True):
    marks: Annotated[list[MarkIn], msgspec.Meta(min_length=1, max_length=MAX_BATCH)]
    device: Annotated[str, msgspec.Meta(max_length=64)] = ""


class MarkResult(msgspec.Struct):
    """What became of one mark: `stored` (201), `duplicate` (200: this UUID was stored
    before, the first one stands) or `refused` (403, 404, 409 or 422, with the field)."""

    uuid: str
    result: Literal["stored", "duplicate", "refused"]
    status: int
    mark_id: int | None = None
    field: str = ""
    detail: str = ""


class MarksOut(msgspec.Struct):
    results: list[MarkResult]


class CurrentMark(msgspec.Struct):
    """A participant's mark that counts now (the latest made on any tablet)."""

    participant_id: int
    status: MarkStatus
    marked_at: datetime
    arrived_at: datetime | None
    left_at: datetime | None
    uuid: str


class RosterRow(msgspec.Struct):
    participant_id: int
    name: str
    expected: bool
    absence_given_at: datetime | None
    absence_note: str
    mark: CurrentMark | None
    note: str


class MarkHistory(msgspec.Struct):
    """One mark as it was stored, whether it counts now or not."""

    id: int
    uuid: str
    participant_id: int
    status: MarkStatus
    marked_at: datetime
    received_at: datetime
    marked_by: int | None
    device: str


class Choice(msgspec.Struct):
    id: int
    name: str


class SessionHead(msgspec.Struct):
    id: int
    title: str
    site_id: int
    site_name: str
    date: date
    start: time
    end: time
    status: SessionStatus
    cancel_reason: str


class AttendanceSheet(msgspec.Struct):
    session: SessionHead
    rows: list[RosterRow]
    walk_ins: list[Choice]
    can_mark: bool
    refusal: str


class DaySession(msgspec.Struct):
    id: int
    title: str
    site_name: str
    start: time
    end: time
    status: SessionStatus
    expected: int
    marked: int


class FollowUpOut(msgspec.Struct):
    id: int
    participant_id: int
    participant_name: str
    session_id: int
    session_title: str
    session_date: date
    reason: str
    created_at: datetime
    staff_id: int | None


@dataclass
class Stored:
    """The outcome of a batch: the results and, per session, who changed."""

    results: list[MarkResult]
    changed: dict[int, set[int]] = field(default_factory=dict)


class _Refused(Exception):
    def __init__(self, status: int, field: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.field, self.detail = status, field, detail


# --- who may mark what ---------------------------------------------------------------


async def visible_session(user: CurrentUser, session_id: int) -> dict[str, Any] | None:
    """The session if this user may see it (staff and partners: at their sites)."""
    row = (
        await Session.select(
            Session.id,
            Session.site,
            Session.slot,
            Session.date,
            Session.status,
            Session.starts_at,
        )
        .where(Session.id == session_id)
        .first()
    )
    scope = catalog.site_scope(user)
    if row is None or (scope is not None and row["site"] not in scope):
        return None
    return row


async def _expected(session: dict[str, Any]) -> set[int]:
    """Participants expected at the session (placed in its slot on its date)."""
    return {e.participant_id for e in await queries.expected_at(session["id"])}


async def _site_participants(site_id: int, today: date) -> set[int]:
    """Who may come to a session at this site as a walk-in: placed at the site (a
    current or coming placement), or able to reach it."""
    placed = set(await queries.participants_placed_at((site_id,), today))
    reach = await ReachableSite.select(ReachableSite.participant).where(
        ReachableSite.site == site_id
    )
    ids = placed | {row["participant"] for row in reach}
    if not ids:
        return set()
    alive = await Participant.select(Participant.id).where(
        Participant.id.is_in(sorted(ids)) & Participant.erased_at.is_null()
    )
    return {row["id"] for row in alive}


class _Markable:
    """Who may be marked at a session: partners mark those expected; staff may also
    add walk-ins from the site (looked up only when someone unexpected is marked)."""

    def __init__(self, user: CurrentUser, session: dict[str, Any], today: date) -> None:
        self.user, self.session, self.today = user, session, today
        self.expected: set[int] | None = None
        self.site: set[int] | None = None

    async def allows(self, participant_id: int) -> bool:
        if self.expected is None:
            self.expected = await _expected(self.session)
        if participant_id in self.expected:
            return True
        if not may(self.user, "attendance.walk_ins"):
            return False
        if self.site is None:
            self.site = await _site_participants(self.session["site"], self.today)
        return participant_id in self.site


def _refusal(
    user: CurrentUser, session: dict[str, Any], today: date, made_on: date | None = None
) -> _Refused | None:
    """Why this user may not mark this session, if they may not. `made_on` is the day
    the mark was made on the tablet: a mark made in time but sent late is in time."""
    if session["status"] == SessionStatus.cancelled:
        return _Refused(409, "session_id", _("The session is cancelled."))
    if session["date"] > today + timedelta(days=1):
        return _Refused(422, "session_id", _("The session has not happened yet."))
    late = rules.needs_coordinator(session["date"], made_on or today)
    if late and not may(user, "attendance.mark_late"):
        return _Refused(
            403,
            "session_id",
            _(
                "The session is more than %(days)s days old: ask a coordinator.",
                days=rules.STAFF_MARKING_DAYS,
            ),
        )
    return None


# --- marks ---------------------------------------------------------------------------


async def record_marks(
    actor: Actor, user: CurrentUser, data: MarksIn, *, today: date | None = None
) -> Stored:
    """Store a batch of marks. A UUID already stored is a duplicate, not an error, so
    that a tablet may resend everything it is unsure of. Each mark is judged alone."""
    today = today or clock.today()
    now = clock.utcnow()
    sessions: dict[int, dict[str, Any] | None] = {}
    markable: dict[int, _Markable] = {}
    outcome = Stored(results=[])
    accepted: list[tuple[int, MarkIn]] = []
    # A mark stored before is a duplicate whatever has changed since (the session
    # cancelled, a week gone by): the tablet only needs to hear that it arrived.
    known = await _known([mark.uuid for mark in data.marks])
    for index, mark in enumerate(data.marks):
        if mark.uuid.lower() in known:
            outcome.results.append(
                MarkResult(
                    uuid=mark.uuid,
                    result="duplicate",
                    status=200,
                    mark_id=known[mark.uuid.lower()],
                )
            )
            continue
        if mark.session_id not in sessions:
            sessions[mark.session_id] = await visible_session(user, mark.session_id)
        session = sessions[mark.session_id]
        try:
            if session is None:
                raise _Refused(
                    404, "session_id", _("There is no session %(id)s.", id=mark.session_id)
                )
            _check_times(mark)
            made_on = min(mark.marked_at, now).astimezone(UTC).date()
            if refused := _refusal(user, session, today, made_on):
                raise refused
            if mark.session_id not in markable:
                markable[mark.session_id] = _Markable(user, session, today)
            if not await markable[mark.session_id].allows(mark.participant_id):
                raise _Refused(
                    422,
                    "participant_id",
                    _("There is no participant %(id)s for this session.", id=mark.participant_id),
                )
        except _Refused as refusal:
            outcome.results.append(
                MarkResult(
                    uuid=mark.uuid,
                    result="refused",
                    status=refusal.status,
                    field=f"marks[{index}].{refusal.field}",
                    detail=refusal.detail,
                )
            )
            continue
        accepted.append((len(outcome.results), mark))
        outcome.results.append(MarkResult(uuid=mark.uuid, result="stored", status=201))
    if accepted:
        await _store(actor, user, data.device, accepted, outcome, now)
        await _follow_up(outcome, [mark for _position, mark in accepted])
    return outcome


async def _known(uuids: list[str]) -> dict[str, int]:
    """Stored marks among these UUIDs: UUID -> mark id."""
    rows = await AttendanceMark.select(AttendanceMark.id, AttendanceMark.client_uuid).where(
        AttendanceMark.client_uuid.is_in(sorted({u.lower() for u in uuids}))
    )
    return {row["client_uuid"]: row["id"] for row in rows}


def _check_times(mark: MarkIn) -> None:
    for name, value in (("marked_at", mark.marked_at), ("arrived_at", mark.arrived_at)):
        if value is not None and value.tzinfo is None:
            raise _Refused(422, name, _("Give the time with its UTC offset."))
    if mark.left_at is not None and mark.left_at.tzinfo is None:
        raise _Refused(422, "left_at", _("Give the time with its UTC offset."))
    if mark.arrived_at and mark.left_at and mark.left_at < mark.arrived_at:
        raise _Refused(422, "left_at", _("Leaving must be after arriving."))


async def _store(
    actor: Actor,
    user: CurrentUser,
    device: str,
    accepted: list[tuple[int, MarkIn]],
    outcome: Stored,
    now: datetime,
) -> None:
    # Known UUIDs were answered before the write lock; ON CONFLICT settles two tablets
    # racing with the same one.
    async with _sqlite_turn(), transaction():
        for position, mark in accepted:
            # A tablet's clock may run ahead; a mark is never later than its arrival.
            marked_at = min(mark.marked_at, now)
            inserted = (
                await AttendanceMark.insert(
                    AttendanceMark(
                        client_uuid=mark.uuid.lower(),
                        session=mark.session_id,
                        participant=mark.participant_id,
                        status=mark.status.value,
                        arrived_at=mark.arrived_at,
                        left_at=mark.left_at,
                        note=mark.note.strip(),
                        marked_at=marked_at,
                        received_at=now,
                        marked_by=user.id,
                        device=device,
                    )
                )
                .on_conflict(target=AttendanceMark.client_uuid, action="DO NOTHING")
                .returning(AttendanceMark.id)
            )
            result = outcome.results[position]
            if inserted:
                result.mark_id = inserted[0]["id"]
                outcome.changed.setdefault(mark.session_id, set()).add(mark.participant_id)
                await record(
                    actor,
                    "attendance.mark",
                    entity="session",
                    entity_id=mark.session_id,
                    details={
                        "participant_id": mark.participant_id,
                        "status": mark.status.value,
                        "mark_id": result.mark_id,
                    },
                )
            else:
                existing = (
                    await AttendanceMark.select(AttendanceMark.id)
                    .where(AttendanceMark.client_uuid == mark.uuid.lower())
                    .first()
                )
                result.result, result.status = "duplicate", 200
                result.mark_id = existing["id"] if existing else None


async def mark_history(user: CurrentUser, session_id: int) -> list[MarkHistory]:
    """Every mark made for the session, superseded ones too, oldest first."""
    if await visible_session(user, session_id) is None:
        raise NotFound(_("There is no session %(id)s.", id=session_id))
    rows = (
        await AttendanceMark.select()
        .where(AttendanceMark.session == session_id)
        .order_by(AttendanceMark.id)
    )
    return [
        MarkHistory(
            id=row["id"],
            uuid=row["client_uuid"],
            participant_id=row["participant"],
            status=MarkStatus(row["status"]),
            marked_at=row["marked_at"],
            received_at=row["received_at"],
            marked_by=row["marked_by"],
            device=row["device"],
        )
        for row in rows
    ]


_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _sqlite_turn() -> Any:
    """On SQLite, marks from many tablets take turns in this process (first come, first
    served) instead of polling for the database's write lock, which starves some of
    them for seconds. PostgreSQL needs no such thing."""
    if not is_sqlite():
        return contextlib.nullcontext()
    loop = asyncio.get_running_loop()
    if loop not in _turns:
        _turns[loop] = asyncio.Lock()
    return _turns[loop]


async def current_marks(
    session_id: int, participant_ids: set[int] | None = None
) -> dict[int, CurrentMark]:
    """The mark that counts for each participant of the session."""
    query = AttendanceMark.select().where(AttendanceMark.session == session_id)
    if participant_ids is not None:
        query = query.where(AttendanceMark.participant.is_in(sorted(participant_ids) or [-1]))
    rows = {row["id"]: row for row in await query}
    winners = rules.current_marks(_fact(row) for row in rows.values())
    return {pid: _current_out(rows[mark.mark_id]) for pid, mark in winners.items()}


def _fact(row: dict[str, Any]) -> rules.Mark:
    return rules.Mark(
        mark_id=row["id"],
        participant_id=row["participant"],
        status=MarkStatus(row["status"]),
        marked_at=row["marked_at"],
        received_at=row["received_at"],
    )


def _current_out(row: dict[str, Any]) -> CurrentMark:
    return CurrentMark(
        participant_id=row["participant"],
        status=MarkStatus(row["status"]),
        marked_at=row["marked_at"],
        arrived_at=row["arrived_at"],
        left_at=row["left_at"],
        uuid=row["client_uuid"],
    )


# --- follow-ups ----------------------------------------------------------------------


async def _follow_up(outcome: Stored, marks: list[MarkIn]) -> None:
    """Two absences in a row without notice make a follow-up item for the
    participant's contact staff member (once per triggering session)."""
    stored = {r.uuid for r in outcome.results if r.result == "stored"}
    who = {
        m.participant_id
        for m in marks
        if m.uuid in stored and m.status == MarkStatus.absent_no_notice
    }
    for participant_id in sorted(who):
        rows = await AttendanceMark.select(
            AttendanceMark.id,
            AttendanceMark.participant,
            AttendanceMark.session,
            AttendanceMark.status,
            AttendanceMark.marked_at,
            AttendanceMark.received_at,
            AttendanceMark.session.starts_at,
        ).where(AttendanceMark.participant == participant_id)
        by_session: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_session[row["session"]].append(row)
        ordered = sorted(by_session.items(), key=lambda item: item[1][0]["session.starts_at"])
        statuses = [
            rules.current_marks(_fact(row) for row in session_rows)[participant_id].status
            for _sid, session_rows in ordered
        ]
        if not rules.needs_follow_up(statuses):
            continue
        latest_session = ordered[-1][0]
        contact = (
            await Participant.select(Participant.contact_staff)
            .where(Participant.id == participant_id)
            .first()
        )
        await FollowUp.insert(
            FollowUp(
                participant=participant_id,
                session=latest_session,
                staff=contact["contact_staff"] if contact else None,
            )
        ).on_conflict(action="DO NOTHING")


async def open_follow_ups(user: CurrentUser) -> list[FollowUpOut]:
    """Staff see the items of the participants they are contact person of;
    coordinators and administrators see every open item."""
    if not may(user, "follow_ups.view"):
        return []
    query = (
        FollowUp.select(
            *FollowUp.all_columns(),
            FollowUp.participant.display_name,
            FollowUp.session.date,
            FollowUp.session._.activity._.title,
        )
        .where(FollowUp.done_at.is_null())
        .order_by(FollowUp.created_at)
    )
    if not may(user, "follow_ups.all"):
        query = query.where(FollowUp.staff == user.id)
    return [
        FollowUpOut(
            id=row["id"],
            participant_id=row["participant"],
            participant_name=row["participant.display_name"],
            session_id=row["session"],
            session_title=row["session.activity.title"],
            session_date=row["session.date"],
            reason=row["reason"],
            created_at=row["created_at"],
            staff_id=row["staff"],
        )
        for row in await query
    ]


async def close_follow_up(actor: Actor, user: CurrentUser, follow_up_id: int) -> None:
    row = await FollowUp.select().where(FollowUp.id == follow_up_id).first()
    if row is None:
        raise NotFound(_("There is no follow-up item %(id)s.", id=follow_up_id))
    if not may(user, "follow_ups.view"):
        raise Forbidden(_("Your role does not give access to this."))
    if not may(user, "follow_ups.view", row["staff"]):
        raise NotFound(_("There is no follow-up item %(id)s.", id=follow_up_id))
    async with transaction():
        await FollowUp.update({FollowUp.done_at: clock.utcnow(), FollowUp.done_by: user.id}).where(
            (FollowUp.id == follow_up_id) & FollowUp.done_at.is_null()
        )
        await record(
            actor,
            "follow_up.done",
            entity="follow_up",
            entity_id=follow_up_id,
            details={"participant_id": row["participant"]},
        )


# --- pages' data ---------------------------------------------------------------------


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
    notes = {} if first_names else await _notes(session_id, marks)
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
    names = await _names(set(extra_ids), first_names)
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
        candidates = await _site_participants(session["site"], today) - listed - set(extra_ids)
        found = await _names(candidates, first_names)
        walk_ins = sorted(
            (Choice(id=pid, name=name) for pid, name in found.items()), key=lambda c: c.name
        )
    refusal = _refusal(user, session, today)
    return AttendanceSheet(
        session=head,
        rows=rows,
        walk_ins=walk_ins,
        can_mark=refusal is None,
        refusal=refusal.detail if refusal else "",
    )


async def _head(session_id: int) -> SessionHead:
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


async def _names(ids: set[int], first_only: bool) -> dict[int, str]:
    if not ids:
        return {}
    rows = await Participant.select(Participant.id, Participant.display_name).where(
        Participant.id.is_in(sorted(ids)) & Participant.erased_at.is_null()
    )
    return {
        row["id"]: row["display_name"].split(" ")[0] if first_only else row["display_name"]
        for row in rows
    }


async def _notes(session_id: int, marks: dict[int, CurrentMark]) -> dict[int, str]:
    uuids = [mark.uuid for mark in marks.values()]
    if not uuids:
        return {}
    rows = await AttendanceMark.select(AttendanceMark.participant, AttendanceMark.note).where(
        AttendanceMark.client_uuid.is_in(uuids)
    )
    return {row["participant"]: row["note"] for row in rows}


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
    if not value:
        return clock.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("date", _("Give the date as YYYY-MM-DD.")) from None
