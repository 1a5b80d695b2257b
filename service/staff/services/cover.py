"""Cover for a day: the sessions staff absences leave without enough staff, who could
step in (from the pure core `service.staff.cover`), and the two ways to act on it:
assign cover, or cancel the session with a reason."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from service import clock, events
from service.audit.services import Actor, record
from service.auth.tables import Role, User
from service.catalog.tables import ActivitySkill
from service.db import transaction
from service.errors import Conflict, InvalidInput
from service.i18n import gettext as _
from service.i18n import ngettext
from service.schedule import services as schedule
from service.schedule.conflicts import AvailabilityWindow
from service.schedule.schemas import SessionOut, SessionRow
from service.schedule.tables import Session, SessionStaff, SessionStatus
from service.staff import cover
from service.staff.schemas import (
    CoverAssignIn,
    CoverCancelIn,
    CoverDayOut,
    CoverResult,
    GapOut,
    RefusalOut,
    StaffProfileOut,
    StaffRef,
    SuggestionOut,
)
from service.staff.services.absences import absences_between
from service.staff.services.profiles import list_staff

__all__ = ["assign_cover", "cancel_uncovered", "cover_day"]


async def cover_day(day: date, travel_buffer: int = 30) -> CoverDayOut:
    """Every session on `day` that absences leave without its only instructor or below
    its staffing ratio, each with suggestions (best first) and why others are not."""
    rows = _live(await schedule.session_rows(Session.date == day))
    absences = await absences_between(day, day)
    needs = await _needs(rows)
    gaps = cover.find_gaps(needs, absences)
    if not gaps:
        return CoverDayOut(date=day, gaps=[])
    staff = await list_staff()
    skills = {member.user_id: frozenset(member.skills) for member in staff}
    gaps = [cover.with_remaining_skills(gap, skills) for gap in gaps]
    members = await _members(staff, day, absences)
    plans = cover.plan_cover(gaps, members, travel_buffer)
    names = {member.user_id: member.name for member in staff} | await _names(gaps)
    by_id = {row.id: row for row in rows}
    return CoverDayOut(date=day, gaps=[_gap_out(plan, by_id, names) for plan in plans])


async def assign_cover(actor: Actor, session_id: int, data: CoverAssignIn) -> CoverResult:
    """`data.user_id` steps in for the absent staff of the session: they leave it, the
    cover joins it, the session's sequence grows (feeds show the new instructor)."""
    current = await _unchanged(session_id, data.sequence)
    await _active_staff(data.user_id)
    if data.user_id in {s.id for s in current.staff}:
        raise Conflict(_("%(name)s is already in this session.", name=_name(current, data.user_id)))
    absent = await _absent_from(current)
    staff_ids = ({s.id for s in current.staff} - absent) | {data.user_id}
    async with transaction():
        await _raise_sequence(session_id, data.sequence, {})
        await schedule.replace_staff(session_id, staff_ids)
        await record(
            actor,
            "session.cover",
            entity="session",
            entity_id=session_id,
            details={"cover_user_id": data.user_id, "absent_user_ids": sorted(absent)},
        )
        # the staff who leave it see it go from their feeds
        await events.publish(
            events.SessionsChanged(
                session_ids=(session_id,), staff_ids=tuple(sorted(s.id for s in current.staff))
            )
        )
    return CoverResult(session=await schedule.get_session(session_id), participants_told=False)


async def cancel_uncovered(actor: Actor, session_id: int, data: CoverCancelIn) -> CoverResult:
    """Cancel a session nobody can cover. Feeds show it cancelled; the participants are
    not told automatically (notifications do not exist yet), and the roster says so."""
    await _unchanged(session_id, data.sequence)
    reason = data.reason.strip()
    if not reason:
        raise InvalidInput("reason", _("Give a reason."))
    async with transaction():
        await _raise_sequence(
            session_id,
            data.sequence,
            {Session.status: SessionStatus.cancelled.value, Session.cancel_reason: reason},
        )
        await record(
            actor,
            "session.cancel",
            entity="session",
            entity_id=session_id,
            details={"reason": reason, "staff_absent": True, "participants_told": False},
        )
        await events.publish(events.SessionsChanged(session_ids=(session_id,)))
    return CoverResult(session=await schedule.get_session(session_id), participants_told=False)


# --- acting ----------------------------------------------------------------------------------


async def _unchanged(session_id: int, sequence: int) -> SessionOut:
    """The session, if it is live and still at the sequence the decision was made on."""
    current = await schedule.get_session(session_id)
    if current.status == SessionStatus.cancelled or current.sequence != sequence:
        raise _changed_meanwhile()
    return current


async def _raise_sequence(session_id: int, sequence: int, values: dict) -> None:
    """Write `values` and raise the sequence, only if nobody changed the session since
    it was read (a conditional update: works alike on both engines)."""
    changed = (
        await Session.update(
            {
                **values,
                Session.edited_by_hand: True,
                Session.sequence: Session.sequence + 1,
                Session.updated_at: clock.utcnow(),
            }
        )
        .where(
            (Session.id == session_id)
            & (Session.sequence == sequence)
            & (Session.status != SessionStatus.cancelled.value)
        )
        .returning(Session.id)
    )
    if not changed:
        raise _changed_meanwhile()


def _changed_meanwhile() -> Conflict:
    return Conflict(_("The session was changed or cancelled meanwhile; reload and try again."))


async def _active_staff(user_id: int) -> None:
    row = (
        await User.select(User.id)
        .where((User.id == user_id) & (User.role == Role.staff.value) & (User.is_active == True))  # noqa: E712
        .first()
    )
    if row is None:
        raise InvalidInput("user_id", _("Not an active staff member: %(ids)s.", ids=user_id))


async def _absent_from(session: SessionOut) -> set[int]:
    """The session's staff who are away during it."""
    ids = {s.id for s in session.staff}
    return {
        a.user_id
        for a in await absences_between(session.date, session.date)
        if a.user_id in ids and a.starts_at < session.ends_at and session.starts_at < a.ends_at
    }


def _name(session: SessionOut, user_id: int) -> str:
    return next((s.name for s in session.staff if s.id == user_id), str(user_id))


# --- the facts for the core -----------------------------------------------------------------


def _live(rows: list[SessionRow]) -> list[SessionRow]:
    return [row for row in rows if row.status != SessionStatus.cancelled]


async def _needs(rows: list[SessionRow]) -> list[cover.SessionNeed]:
    activity_ids = sorted({row.activity_id for row in rows})
    skills: dict[int, set[str]] = defaultdict(set)
    if activity_ids:
        for item in await ActivitySkill.select().where(ActivitySkill.activity.is_in(activity_ids)):
            skills[item["activity"]].add(item["skill"])
    return [
        cover.SessionNeed(
            session_id=row.id,
            activity_id=row.activity_id,
            title=row.title,
            site_id=row.site_id,
            date=row.date,
            start=row.start,
            end=row.end,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            staff_ids=frozenset(row.staff_ids),
            required_skills=frozenset(skills[row.activity_id]),
            placed=row.placed,
            participants_per_staff=row.participants_per_staff,
        )
        for row in rows
    ]


async def _members(
    staff: list[StaffProfileOut], day: date, absences: list[cover.Absence]
) -> list[cover.StaffMember]:
    """Every active staff member as the cover rules read them."""
    monday = day - timedelta(days=day.weekday())
    week = _live(
        await schedule.session_rows(
            (Session.date >= monday) & (Session.date <= monday + timedelta(days=6))
        )
    )
    planned: dict[int, int] = defaultdict(int)
    bookings: dict[int, list[cover.Booking]] = defaultdict(list)
    for row in week:
        minutes = int((row.ends_at - row.starts_at).total_seconds() // 60)
        for user_id in row.staff_ids:
            planned[user_id] += minutes
            if row.date == day:
                bookings[user_id].append(
                    cover.Booking(row.id, row.site_id, row.starts_at, row.ends_at)
                )
    ran = await _activities_run([member.user_id for member in staff], day)
    away: dict[int, list[cover.Absence]] = defaultdict(list)
    for absence in absences:
        away[absence.user_id].append(absence)
    return [
        cover.StaffMember(
            user_id=member.user_id,
            name=member.name,
            skills=frozenset(member.skills),
            site_ids=frozenset(member.site_ids),
            windows=tuple(
                AvailabilityWindow(w.weekday, w.start, w.end) for w in member.availability
            ),
            bookings=tuple(bookings[member.user_id]),
            absences=tuple(away[member.user_id]),
            planned_minutes=planned[member.user_id],
            contract_minutes=(
                None if member.contract_hours is None else round(member.contract_hours * 60)
            ),
            activities_run=frozenset(ran[member.user_id]),
        )
        for member in staff
    ]


async def _activities_run(user_ids: list[int], day: date) -> dict[int, set[int]]:
    """The activities each staff member has run before `day` (continuity)."""
    ran: dict[int, set[int]] = defaultdict(set)
    if not user_ids:
        return ran
    rows = await SessionStaff.select(SessionStaff.user, SessionStaff.session.activity).where(
        SessionStaff.user.is_in(user_ids)
        & (SessionStaff.session.date < day)
        & (SessionStaff.session.status != SessionStatus.cancelled.value)
    )
    for row in rows:
        ran[row["user"]].add(row["session.activity"])
    return ran


async def _names(gaps: list[cover.Gap]) -> dict[int, str]:
    """Names of the absent and remaining staff (absent ones may be inactive now)."""
    ids = sorted({u for gap in gaps for u in gap.need.staff_ids})
    rows = await User.select(User.id, User.display_name, User.email).where(User.id.is_in(ids))
    return {row["id"]: row["display_name"] or row["email"] for row in rows}


# --- in words --------------------------------------------------------------------------------


def _gap_out(plan: cover.GapCover, rows: dict[int, SessionRow], names: dict[int, str]) -> GapOut:
    gap, row = plan.gap, rows[plan.gap.session_id]
    return GapOut(
        session_id=row.id,
        sequence=row.sequence,
        title=row.title,
        site_id=row.site_id,
        site_name=row.site_name,
        room_name=row.room_name,
        date=row.date,
        start=row.start,
        end=row.end,
        kind=gap.kind,
        missing=gap.missing,
        absent=[StaffRef(id=u, name=names.get(u, "")) for u in sorted(gap.absent_ids)],
        remaining=[StaffRef(id=u, name=names.get(u, "")) for u in sorted(gap.remaining_ids)],
        suggestions=[
            SuggestionOut(
                user_id=s.user_id, name=s.name, proposed=s.proposed, why=suggestion_words(s)
            )
            for s in plan.suggestions
        ],
        not_suggested=[
            RefusalOut(
                user_id=r.user_id,
                name=r.name,
                why=" ".join(reason_words(reason, row, rows) for reason in r.reasons),
            )
            for r in plan.refused
        ],
    )


def suggestion_words(suggestion: cover.Suggestion) -> str:
    """Why this person is a good choice, in one line."""
    parts = [
        _("Has run this activity before.")
        if suggestion.ran_before
        else _("Has not run this activity before.")
    ]
    if suggestion.minutes_left is None:
        parts.append(_("No contract hours recorded."))
    else:
        parts.append(
            _(
                "%(hours)s h of contract hours left this week.",
                hours=_hours(suggestion.minutes_left),
            )
        )
    if suggestion.other_sessions:
        parts.append(
            ngettext(
                "%(num)s other session that day.",
                "%(num)s other sessions that day.",
                suggestion.other_sessions,
            )
        )
    else:
        parts.append(_("No other sessions that day."))
    return " ".join(parts)


def reason_words(reason: cover.Reason, row: SessionRow, rows: dict[int, SessionRow]) -> str:
    """Why someone cannot step in, in a few words."""
    other = rows.get(reason.session_id or -1)
    other_title = f"{other.title} {other.start:%H:%M}" if other else ""
    words = {
        "absent": lambda: _("Is away at this time."),
        "missing_skill": lambda: _("Lacks the skill %(skills)s.", skills=", ".join(reason.skills)),
        "other_site": lambda: _("Does not work at %(site)s.", site=row.site_name),
        "unavailable": lambda: _("Is not available at this time."),
        "busy": lambda: _("Has %(session)s at the same time.", session=other_title),
        "travel": lambda: _(
            "Has %(session)s at another site, too close in time to travel.", session=other_title
        ),
        "over_hours": lambda: _(
            "Would go over their contract hours (%(hours)s h left this week).",
            hours=_hours(reason.minutes or 0),
        ),
        "proposed_elsewhere": lambda: _(
            "Proposed for %(session)s at the same time.", session=other_title
        ),
    }
    return words[reason.code]()


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f}".removesuffix(".0")
