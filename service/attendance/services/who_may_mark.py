"""Who may mark what: the sessions a user sees, who may be marked at a session
(expected, or a walk-in from the site), and why a session cannot be marked."""

from __future__ import annotations

from datetime import date, timedelta

from service.attendance import rules
from service.attendance.schemas import VisibleSession
from service.attendance.services._shared import Refused
from service.auth.permissions import may
from service.auth.schemas import CurrentUser
from service.catalog import services as catalog
from service.i18n import gettext as _
from service.people.tables import Participant, ReachableSite
from service.placements import queries
from service.schedule.tables import Session, SessionStatus


async def visible_session(user: CurrentUser, session_id: int) -> VisibleSession | None:
    """The session if this user may see it (staff and partners: at their sites)."""
    row = (
        await Session.select(Session.id, Session.site, Session.date, Session.status)
        .where(Session.id == session_id)
        .first()
    )
    scope = catalog.site_scope(user)
    if row is None or (scope is not None and row["site"] not in scope):
        return None
    return VisibleSession(
        id=row["id"], site_id=row["site"], date=row["date"], status=SessionStatus(row["status"])
    )


async def _expected(session: VisibleSession) -> set[int]:
    """Participants expected at the session (placed in its slot on its date)."""
    return {e.participant_id for e in await queries.expected_at(session.id)}


async def site_participants(user: CurrentUser, site_id: int, today: date) -> set[int]:
    """Who this user may add to a session at this site as a walk-in: placed at the site
    (a current or coming placement), or able to reach it; and visible to the user
    (`visible_participants`), so that nobody outside their participants is named."""
    placed = set(await queries.participants_placed_at((site_id,), today))
    reach = await ReachableSite.select(ReachableSite.participant).where(
        ReachableSite.site == site_id
    )
    ids = placed | {row["participant"] for row in reach}
    if not ids:
        return set()
    alive = await Participant.select(Participant.id).where(
        Participant.id.is_in(sorted(ids)) & await queries.visible_participants(user, today)
    )
    return {row["id"] for row in alive}


class Markable:
    """Who may be marked at a session: partners mark those expected; staff may also
    add walk-ins from the site (looked up only when someone unexpected is marked)."""

    def __init__(self, user: CurrentUser, session: VisibleSession, today: date) -> None:
        """Nobody is looked up yet: `allows` looks up as it needs."""
        self.user, self.session, self.today = user, session, today
        self.expected: set[int] | None = None
        self.site: set[int] | None = None

    async def allows(self, participant_id: int) -> bool:
        """Whether this participant may be marked at the session by this user."""
        if self.expected is None:
            self.expected = await _expected(self.session)
        if participant_id in self.expected:
            return True
        if not may(self.user, "attendance.walk_ins"):
            return False
        if self.site is None:
            self.site = await site_participants(self.user, self.session.site_id, self.today)
        return participant_id in self.site


def refusal(
    user: CurrentUser, session: VisibleSession, today: date, made_on: date | None = None
) -> Refused | None:
    """Why this user may not mark this session, if they may not. `made_on` is the day
    the mark was made on the tablet: a mark made in time but sent late is in time."""
    if session.status == SessionStatus.cancelled:
        return Refused(409, "session_id", _("The session is cancelled."))
    if session.date > today + timedelta(days=1):
        return Refused(422, "session_id", _("The session has not happened yet."))
    late = rules.needs_coordinator(session.date, made_on or today)
    if late and not may(user, "attendance.mark_late"):
        return Refused(
            403,
            "session_id",
            _(
                "The session is more than %(days)s days old: ask a coordinator.",
                days=rules.STAFF_MARKING_DAYS,
            ),
        )
    return None
