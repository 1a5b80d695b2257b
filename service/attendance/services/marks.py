"""Marks: a tablet's batch of marks stored (idempotent by the tablet's UUID, each mark
judged alone), every mark of a session, and the mark that counts for each participant."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from datetime import UTC, date, datetime
from typing import Any

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
from service.db import is_sqlite, transaction
from service.errors import NotFound
from service.i18n import gettext as _


async def record_marks(
    actor: Actor, user: CurrentUser, data: MarksIn, *, today: date | None = None
) -> Stored:
    """Store a batch of marks. A UUID already stored is a duplicate, not an error, so
    that a tablet may resend everything it is unsure of. Each mark is judged alone."""
    today = today or clock.today()
    now = clock.utcnow()
    judge = _Judge(user, today, now)
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
        try:
            await judge.check(mark)
        except Refused as refused_mark:
            outcome.results.append(
                MarkResult(
                    uuid=mark.uuid,
                    result="refused",
                    status=refused_mark.status,
                    field=f"marks[{index}].{refused_mark.field}",
                    detail=refused_mark.detail,
                )
            )
            continue
        accepted.append((len(outcome.results), mark))
        outcome.results.append(MarkResult(uuid=mark.uuid, result="stored", status=201))
    if accepted:
        await _store(actor, user, data.device, accepted, outcome, now)
        await follow_up(outcome, [mark for _position, mark in accepted])
    return outcome


class _Judge:
    """Judges the marks of one batch, looking each session up once."""

    def __init__(self, user: CurrentUser, today: date, now: datetime) -> None:
        """Nothing looked up yet."""
        self.user, self.today, self.now = user, today, now
        self.sessions: dict[int, VisibleSession | None] = {}
        self.markable: dict[int, Markable] = {}

    async def check(self, mark: MarkIn) -> None:
        """Raise `Refused` when this user may not store this mark."""
        if mark.session_id not in self.sessions:
            self.sessions[mark.session_id] = await visible_session(self.user, mark.session_id)
        session = self.sessions[mark.session_id]
        if session is None:
            raise Refused(404, "session_id", _("There is no session %(id)s.", id=mark.session_id))
        _check_times(mark)
        made_on = min(mark.marked_at, self.now).astimezone(UTC).date()
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


async def _known(uuids: list[str]) -> dict[str, int]:
    """Stored marks among these UUIDs: UUID -> mark id."""
    rows = await AttendanceMark.select(AttendanceMark.id, AttendanceMark.client_uuid).where(
        AttendanceMark.client_uuid.is_in(sorted({u.lower() for u in uuids}))
    )
    return {row["client_uuid"]: row["id"] for row in rows}


def _check_times(mark: MarkIn) -> None:
    """Refuse times without a UTC offset, and leaving before arriving."""
    for name, value in (("marked_at", mark.marked_at), ("arrived_at", mark.arrived_at)):
        if value is not None and value.tzinfo is None:
            raise Refused(422, name, _("Give the time with its UTC offset."))
    if mark.left_at is not None and mark.left_at.tzinfo is None:
        raise Refused(422, "left_at", _("Give the time with its UTC offset."))
    if mark.arrived_at and mark.left_at and mark.left_at < mark.arrived_at:
        raise Refused(422, "left_at", _("Leaving must be after arriving."))


async def _store(
    actor: Actor,
    user: CurrentUser,
    device: str,
    accepted: list[tuple[int, MarkIn]],
    outcome: Stored,
    now: datetime,
) -> None:
    """Write the accepted marks in one transaction, each with its audit entry; a UUID
    another tablet stored meanwhile becomes a duplicate."""
    # Known UUIDs were answered before the write lock; ON CONFLICT settles two tablets
    # racing with the same one.
    async with _sqlite_turn(), transaction():
        for position, mark in accepted:
            result = outcome.results[position]
            mark_id = await _insert(user, device, mark, now)
            if mark_id is None:
                result.result, result.status = "duplicate", 200
                result.mark_id = await _stored_id(mark.uuid)
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


async def _insert(user: CurrentUser, device: str, mark: MarkIn, now: datetime) -> int | None:
    """Store one mark; its id, or None when its UUID is stored already."""
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
                # A tablet's clock may run ahead; a mark is never later than its arrival.
                marked_at=min(mark.marked_at, now),
                received_at=now,
                marked_by=user.id,
                device=device,
            )
        )
        .on_conflict(target=AttendanceMark.client_uuid, action="DO NOTHING")
        .returning(AttendanceMark.id)
    )
    return inserted[0]["id"] if inserted else None


async def _stored_id(uuid: str) -> int | None:
    """The id of the mark stored with this UUID."""
    existing = (
        await AttendanceMark.select(AttendanceMark.id)
        .where(AttendanceMark.client_uuid == uuid.lower())
        .first()
    )
    return existing["id"] if existing else None


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
