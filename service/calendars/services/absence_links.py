"""The "I can't come" links in a participant's feed: a per-session secret, the
participant and session it stands for, and the absence it records."""

from __future__ import annotations

import base64
import hashlib
import hmac

from service.audit.services import Actor
from service.calendars.schemas import AbsenceLink
from service.calendars.tables import FeedKind, FeedToken
from service.people.tables import Participant
from service.placements import services as placements
from service.schedule.tables import Session


def absence_code(secret_key: str, feed_id: int, session_id: int) -> str:
    """A per-session secret for the feed's "I can't come" link: HMAC of the feed and the
    session, so it needs no table and stops working when the feed is rotated."""
    mac = hmac.new(
        secret_key.encode(), f"tupa-absence:{feed_id}:{session_id}".encode(), hashlib.sha256
    )
    return f"{feed_id}.{session_id}.{base64.urlsafe_b64encode(mac.digest()[:18]).decode()}"


async def absence_link(secret_key: str, code: str) -> AbsenceLink | None:
    """The participant and session of a live link; None for anything else."""
    try:
        feed_part, session_part, _mac = code.split(".")
        feed_id, session_id = int(feed_part), int(session_part)
    except ValueError:
        return None
    if not hmac.compare_digest(code, absence_code(secret_key, feed_id, session_id)):
        return None
    row = (
        await FeedToken.select(FeedToken.kind, FeedToken.owner_id)
        .where((FeedToken.id == feed_id) & FeedToken.revoked_at.is_null())
        .first()
    )
    if row is None or row["kind"] not in (FeedKind.participant, FeedKind.support):
        return None
    if not await Participant.exists().where(
        (Participant.id == row["owner_id"]) & Participant.erased_at.is_null()
    ):
        return None
    return AbsenceLink(feed_id=feed_id, participant_id=row["owner_id"], session_id=session_id)


async def absence_session(link: AbsenceLink) -> placements.MySession | None:
    """The session as its participant sees it, if it is still in their schedule."""
    session = await Session.select(Session.date).where(Session.id == link.session_id).first()
    if session is None:
        return None
    for item in await placements.my_sessions(link.participant_id, session["date"], session["date"]):
        if item.id == link.session_id:
            return item
    return None


async def give_absence(actor: Actor, link: AbsenceLink, note: str) -> placements.AbsenceOut:
    """Record the absence through the placements service, as the participant."""
    return await placements.record_absence(
        actor,
        link.participant_id,
        placements.AbsenceIn(session_id=link.session_id, note=note),
        given_by=None,
    )
