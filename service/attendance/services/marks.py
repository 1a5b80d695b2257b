"""Marks: a tablet's batch of marks stored (idempotent by the tablet's UUID, each mark
judged alone), every mark of a session, and the mark that counts for each participant."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from datetime import date, datetime, time
from typing import Any

import msgspec

from service import clock
from service.attendance import rules
from service.attendance.rules import MarkStatus
from service.attendance.schemas import (
    CurrentMark,
    MarkHistory,
    MarkIn,
    MarkResult,
    MarksIn,
    Stored,
    VisibleSession,
)
from service.attendance.services._shared import Refused, mark_fact
from service.attendance.services.follow_ups import follow_up
from service.attendance.services.who_may_mark import Markable, refusal, visible_session
from service.attendance.tables import AttendanceMark
from service.audit.services import Actor, record
from service.auth.schemas import CurrentUser
from service.bounds import day_out_of_range
from service.db import is_sqlite, transaction
from service.errors import InvalidInput, NotFound
from service.forms import field_of
from service.i18n import gettext as _


async def record_marks(
    actor: Actor, user: CurrentUser, data: MarksIn, *, today: date | None = None
) -> Stored:
    """Store a batch of marks. A UUID already stored is a duplicate, not an error, so
    that a tablet may resend everything it is unsure of. Each mark is judged alone: a
    mark that is malformed, holds what a database cannot store, or may not be made is
    refused with its reason, and the others are stored all the same."""
    _check_batch(data)
    today = today or clock.today()
    now = clock.utcnow()
    judge = _Judge(user, today, now, data.sent_at)
    outcome = Stored(results=[])
    accepted: list[tuple[int, MarkIn, datetime]] = []
    parsed = [_parse(raw) for raw in data.marks]
    # A mark stored before is a duplicate whatever has changed since (the session
    # cancelled, a week gone by): the tablet only needs to hear that it arrived.
    known = await _known([mark.uuid for mark in parsed if isinstance(mark, MarkIn)])
    for index, (raw, mark) in enumerate(zip(data.marks, parsed, strict=True)):
        if isinstance(mark, MarkIn) and mark.uuid.lower() in known:
            outcome.results.append(_duplicate(mark, known[mark.uuid.lower()]))
            continue
        try:
            if isinstance(mark, Refused):
                raise mark
            made_at = await judge.check(mark)
        except Refused as refused_mark:
            outcome.results.append(_refused(index, raw, refused_mark))
            continue
        accepted.append((len(outcome.results), mark, made_at))
        outcome.results.append(MarkResult(uuid=mark.uuid, result="stored", status=201))
    if accepted:
        await _store(actor, user, data.device, accepted, outcome, now)
        await follow_up(outcome, [mark for _position, mark, _made in accepted])
    return outcome


def _check_batch(data: MarksIn) -> None:
    """Refuse the whole batch when its own time is outside the dates Tupa accepts."""
    if data.sent_at is not None and (reason := day_out_of_range(data.sent_at)):
        raise InvalidInput("sent_at", reason)


def _parse(raw: dict[str, Any]) -> MarkIn | Refused:
    """One mark of a batch as `MarkIn`, or why it cannot be taken (422 with the field):
    in words for the staff member, then msgspec's for whoever looks into it."""
    try:
        mark = msgspec.convert(raw, MarkIn)
    except msgspec.ValidationError as error:
        field = field_of(error) or "mark"
        what = _field_words().get(field, field)
        return Refused(
            422,
            field,
            _("The tablet sent %(what)s that cannot be saved", what=what) + f" ({error}).",
        )
    try:
        _check_times(mark)
    except Refused as refused_mark:
        return refused_mark
    return mark


def _field_words() -> dict[str, str]:
    """A mark's fields in words for the staff member (in the request's language)."""
    return {
        "uuid": _("a mark number"),
        "session_id": _("a session"),
        "participant_id": _("a participant"),
        "status": _("a status"),
        "marked_at": _("a time of marking"),
        "arrived_at": _("an arrival time"),
        "left_at": _("a leaving time"),
        "note": _("a note"),
    }


def _refused(index: int, raw: dict[str, Any], refused_mark: Refused) -> MarkResult:
    """The result of a refused mark, with the field at fault inside the batch."""
    uuid = raw.get("uuid")
    return MarkResult(
        uuid=uuid if isinstance(uuid, str) else "",
        result="refused",
        status=refused_mark.status,
        field=f"marks[{index}].{refused_mark.field}",
        detail=refused_mark.detail,
    )


#: What is compared when a UUID comes again (field -> column). `marked_at` is not:
#: the server stores the time it trusts (`rules.trusted_time`), not the tablet's.
_CONTENT = {
    "session_id": "session",
    "participant_id": "participant",
    "status": "status",
    "arrived_at": "arrived_at",
    "left_at": "left_at",
    "note": "note",
}


def _duplicate(mark: MarkIn, row: dict[str, Any]) -> MarkResult:
    """A mark whose UUID is stored: the stored one stands; say what differs, if anything
    (a tablet that changed a mark it had sent, or two marks given one UUID)."""
    sent = {
        "session_id": mark.session_id,
        "participant_id": mark.participant_id,
        "status": mark.status.value,
        "arrived_at": mark.arrived_at,
        "left_at": mark.left_at,
        "note": mark.note.strip(),
    }
    differing = [name for name, column in _CONTENT.items() if sent[name] != row[column]]
    result = MarkResult(uuid=mark.uuid, result="duplicate", status=200, mark_id=row["id"])
    if differing:
        words = _field_words()
        result.differs, result.differing = True, differing
        result.detail = _(
            "This mark was saved before, with other content (%(fields)s): the saved one stands.",
            fields=", ".join(words[name] for name in differing),
        )
    return result


class _Judge:
    """Judges the marks of one batch, looking each session up once."""

    def __init__(
        self, user: CurrentUser, today: date, now: datetime, sent_at: datetime | None
    ) -> None:
        """Nothing looked up yet."""
        self.user, self.today, self.now, self.sent_at = user, today, now, sent_at
        self.sessions: dict[int, VisibleSession | None] = {}
        self.markable: dict[int, Markable] = {}

    async def check(self, mark: MarkIn) -> datetime:
        """When the mark was made, as the server trusts it; raise `Refused` when this
        user may not store this mark."""
        if mark.session_id not in self.sessions:
            self.sessions[mark.session_id] = await visible_session(self.user, mark.session_id)
        session = self.sessions[mark.session_id]
        if session is None:
            raise Refused(404, "session_id", _("There is no session %(id)s.", id=mark.session_id))
        made_at = rules.trusted_time(
            mark.marked_at, self.sent_at, self.now, _start_of(session.date)
        )
        made_on = made_at.astimezone(clock.provider_time_zone()).date()
        if refused := refusal(self.user, session, self.today, made_on):
            raise refused
        if mark.session_id not in self.markable:
            self.markable[mark.session_id] = Markable(self.user, session, self.today)
        if not await self.markable[mark.session_id].allows(mark.participant_id):
            raise Refused(
                422,
                "participant_id",
                _("There is no participant %(id)s for this session.", id=mark.participant_id),
            )
        return made_at


def _start_of(day: date) -> datetime:
    """The start of a day in the provider's time zone."""
    return datetime.combine(day, time(0, 0), tzinfo=clock.provider_time_zone())


async def _known(uuids: list[str]) -> dict[str, dict[str, Any]]:
    """Stored marks among these UUIDs: UUID -> the stored row."""
    if not uuids:
        return {}
    rows = await AttendanceMark.select().where(
        AttendanceMark.client_uuid.is_in(sorted({u.lower() for u in uuids}))
    )
    return {row["client_uuid"]: row for row in rows}


def _check_times(mark: MarkIn) -> None:
    """Refuse times outside the dates Tupa accepts, and leaving before arriving."""
    for name in ("marked_at", "arrived_at", "left_at"):
        value = getattr(mark, name)
        if value is not None and (reason := day_out_of_range(value)):
            what = _field_words()[name]
            raise Refused(
                422,
                name,
                _("The tablet sent %(what)s that cannot be saved", what=what) + f" ({reason}).",
            )
    if mark.arrived_at and mark.left_at and mark.left_at < mark.arrived_at:
        raise Refused(422, "left_at", _("Leaving must be after arriving."))


async def _store(
    actor: Actor,
    user: CurrentUser,
    device: str,
    accepted: list[tuple[int, MarkIn, datetime]],
    outcome: Stored,
    now: datetime,
) -> None:
    """Write the accepted marks in one transaction, each with its audit entry; a UUID
    another tablet stored meanwhile becomes a duplicate (saying whether it differs)."""
    # Known UUIDs were answered before the write lock; ON CONFLICT settles two tablets
    # racing with the same one.
    async with _sqlite_turn(), transaction():
        for position, mark, made_at in accepted:
            result = outcome.results[position]
            mark_id = await _insert(user, device, mark, made_at, now)
            if mark_id is None:
                stored = (await _known([mark.uuid])).get(mark.uuid.lower())
                outcome.results[position] = (
                    _duplicate(mark, stored)
                    if stored  # else deleted since, with its session or participant
                    else MarkResult(uuid=mark.uuid, result="duplicate", status=200)
                )
                continue
            result.mark_id = mark_id
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


async def _insert(
    user: CurrentUser, device: str, mark: MarkIn, made_at: datetime, now: datetime
) -> int | None:
    """Store one mark, dated when the server trusts it was made (`rules.trusted_time`);
    its id, or None when its UUID is stored already."""
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
                marked_at=made_at,
                received_at=now,
                marked_by=user.id,
                device=device,
            )
        )
        .on_conflict(target=AttendanceMark.client_uuid, action="DO NOTHING")
        .returning(AttendanceMark.id)
    )
    return inserted[0]["id"] if inserted else None


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
    winners = rules.current_marks(mark_fact(row) for row in rows.values())
    return {pid: _current_out(rows[mark.mark_id]) for pid, mark in winners.items()}


def _current_out(row: dict[str, Any]) -> CurrentMark:
    """A stored mark's row as the mark that counts."""
    return CurrentMark(
        participant_id=row["participant"],
        status=MarkStatus(row["status"]),
        marked_at=row["marked_at"],
        arrived_at=row["arrived_at"],
        left_at=row["left_at"],
        uuid=row["client_uuid"],
    )


ATTENDED = (MarkStatus.present, MarkStatus.late, MarkStatus.left_early)


async def attended_activity_ids(participant_id: int) -> set[int]:
    """The activities the participant has been to (marked present, late or left early
    at one of their sessions)."""
    rows = await AttendanceMark.select(AttendanceMark.session.activity).where(
        (AttendanceMark.participant == participant_id)
        & AttendanceMark.status.is_in([s.value for s in ATTENDED])
    )
    return {r["session.activity"] for r in rows}
