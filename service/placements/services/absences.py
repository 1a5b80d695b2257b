"""Absence notices: "I can't come" for a coming session of one's own."""

from __future__ import annotations

import contextlib
from typing import Any

from service import clock, events
from service.audit.services import Actor, record
from service.auth.permissions import may, note_for
from service.auth.schemas import CurrentUser
from service.db import transaction
from service.errors import ConcurrentChange, Conflict, InvalidInput, NotFound
from service.i18n import gettext as _
from service.people import services as people
from service.placements.schemas import (
    AbsenceIn,
    AbsenceOut,
    AbsenceTakeBack,
    AbsenceTakenBack,
)
from service.placements.services.sessions import my_sessions
from service.placements.tables import AbsenceNotice
from service.schedule.services import get_session
from service.schedule.tables import Session, SessionStatus


async def give_absence(actor: Actor, user: CurrentUser, data: AbsenceIn) -> AbsenceOut:
    """Record "I can't come" for a coming session of the participant's own. Giving it
    twice keeps the first notice and its time."""
    participant_id = await _absent_participant(user, data.participant_id)
    return await record_absence(actor, participant_id, data, given_by=user.id)


async def record_absence(
    actor: Actor, participant_id: int, data: AbsenceIn, *, given_by: int | None
) -> AbsenceOut:
    """`give_absence` once it is known whose absence it is (also reached by the secret
    "I can't come" link of a calendar feed, where nobody is signed in)."""
    session = await Session.select().where(Session.id == data.session_id).first()
    mine = session is not None and any(
        s.id == data.session_id
        for s in await my_sessions(participant_id, session["date"], session["date"])
    )
    if not mine:
        raise NotFound(
            _("There is no session %(id)s in this participant's week.", id=data.session_id)
        )
    assert session is not None
    if session["status"] == SessionStatus.cancelled:
        raise Conflict(_("The session is cancelled already."))
    if session["starts_at"] <= clock.utcnow():
        raise InvalidInput("session_id", _("The session has already started."))
    # The same notice sent twice at once: the other one was stored, answer as a repeat.
    with contextlib.suppress(ConcurrentChange):
        await _store_absence(actor, participant_id, data, given_by)
    existing = await _notice(participant_id, data.session_id)
    if existing is None:
        raise NotFound(_("There is no session %(id)s.", id=data.session_id))
    return AbsenceOut(
        id=existing["id"],
        participant_id=participant_id,
        session_id=data.session_id,
        given_at=existing["given_at"],
        note=existing["note"],
    )


async def _store_absence(
    actor: Actor, participant_id: int, data: AbsenceIn, given_by: int | None
) -> None:
    """Store the notice unless it was given before (the first one and its time stay)."""
    async with transaction():
        if await _notice(participant_id, data.session_id) is not None:
            return
        notice = AbsenceNotice(
            participant=participant_id,
            session=data.session_id,
            given_by=given_by,
            note=data.note.strip()[:300],
        )
        await notice.save()
        await record(
            actor,
            "absence.notice",
            entity="session",
            entity_id=data.session_id,
            details={"participant_id": participant_id},
        )
        await events.publish(
            events.AbsenceChanged(session_id=data.session_id, participant_id=participant_id)
        )


async def take_back_absence(
    actor: Actor, user: CurrentUser, data: AbsenceTakeBack
) -> AbsenceTakenBack:
    """ "I can come after all": take an absence notice back, until the session starts.
    404 when there is no notice to take back; taking it back twice finds none the
    second time."""
    participant_id = await _absent_participant(user, data.participant_id)
    async with transaction():
        session = await Session.select().where(Session.id == data.session_id).first()
        if session is None or await _notice(participant_id, data.session_id) is None:
            raise NotFound(_("You have not said you can't come to this session."))
        if session["status"] == SessionStatus.cancelled:
            raise Conflict(_("The session is cancelled."))
        if session["starts_at"] <= clock.utcnow():
            raise InvalidInput("session_id", _("The session has already started."))
        # A conditional delete: of two at once, one takes it back and the other finds none.
        taken = (
            await AbsenceNotice.delete()
            .where(
                (AbsenceNotice.participant == participant_id)
                & (AbsenceNotice.session == data.session_id)
            )
            .returning(AbsenceNotice.id)
        )
        if not taken:
            raise NotFound(_("You have not said you can't come to this session."))
        await record(
            actor,
            "absence.take_back",
            entity="session",
            entity_id=data.session_id,
            details={"participant_id": participant_id},
        )
        await events.publish(
            events.AbsenceChanged(session_id=data.session_id, participant_id=participant_id)
        )
    return AbsenceTakenBack(participant_id=participant_id, session_id=data.session_id)


async def _notice(participant_id: int, session_id: int) -> dict[str, Any] | None:
    return (
        await AbsenceNotice.select()
        .where(
            (AbsenceNotice.participant == participant_id) & (AbsenceNotice.session == session_id)
        )
        .first()
    )


async def _absent_participant(user: CurrentUser, participant_id: int | None) -> int:
    if may(user, "participant.self"):
        own = await people.own_participant_id(user)
        if own is None or (participant_id is not None and participant_id != own):
            raise NotFound(_("There is no participant %(id)s.", id=participant_id or 0))
        return own
    if participant_id is None:
        raise InvalidInput("participant_id", _("Say whose absence this is."))
    await people.visible_row(user, participant_id)
    return participant_id


async def list_absences(user: CurrentUser, session_id: int) -> list[AbsenceOut]:
    """The absence notices of a session the user sees; notes under the rule of notes."""
    await get_session(session_id, user)  # 404 outside the user's sites
    rows = (
        await AbsenceNotice.select()
        .where(AbsenceNotice.session == session_id)
        .order_by(AbsenceNotice.given_at)
    )
    return [
        AbsenceOut(
            id=r["id"],
            participant_id=r["participant"],
            session_id=r["session"],
            given_at=r["given_at"],
            note=note_for(user, r["note"]),
        )
        for r in rows
    ]
