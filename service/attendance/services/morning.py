"""The morning sheet: a site's day on one printed page, for the staff who open it."""

from __future__ import annotations

from datetime import date

from service.attendance.schemas import MorningSheet, SheetFollowUp, SheetSession
from service.attendance.services.daily import first_name_and_initial, lunch_list, transport_list
from service.attendance.services.follow_ups import open_follow_ups
from service.audit.services import Actor, record
from service.auth.schemas import CurrentUser
from service.catalog import services as catalog
from service.placements.queries import expected_at
from service.schedule.schemas import SessionOut
from service.schedule.services import list_sessions
from service.schedule.tables import Session, SessionStatus
from service.staff import services as staff


async def morning_sheet(actor: Actor, user: CurrentUser, site_id: int, day: date) -> MorningSheet:
    """The day's sessions at the site with staff and rooms, who is expected (first
    names and initials) and who said they can't come, the staff who are away (no
    reasons) and the open follow-ups of the site. The read is audited."""
    catalog.check_site_visible(user, site_id)
    site = await catalog.get_site(site_id)
    sessions = await list_sessions(day, day, user, site_id=site_id)
    rows = [await _sheet_session(session) for session in sessions]
    rides = await transport_list(actor, user, site_id, day)
    lunch = await lunch_list(actor, user, site_id, day)
    sheet = MorningSheet(
        site_id=site_id,
        site_name=site.name,
        date=day,
        sessions=rows,
        staff_away=await _staff_away(site_id, day, sessions),
        follow_ups=await _follow_ups(user, site_id),
        rides=rides.rides if rides.arranged else None,
        lunch=lunch.total if lunch.serves_lunch else None,
        expected_total=sum(
            len(row.expected) for row in rows if row.status != SessionStatus.cancelled
        ),
    )
    await record(
        actor,
        "site.morning_sheet",
        entity="site",
        entity_id=site_id,
        details={"date": day.isoformat(), "sessions": len(rows)},
    )
    return sheet


async def _sheet_session(session: SessionOut) -> SheetSession:
    expected = await expected_at(session.id)
    return SheetSession(
        id=session.id,
        title=session.title,
        start=session.start,
        end=session.end,
        room_name=session.room_name,
        status=session.status.value,
        cancel_reason=session.cancel_reason,
        staff=[s.name for s in session.staff],
        expected=[
            first_name_and_initial(e.display_name) for e in expected if e.absence_given_at is None
        ],
        cannot_come=[
            first_name_and_initial(e.display_name)
            for e in expected
            if e.absence_given_at is not None
        ],
    )


async def _staff_away(site_id: int, day: date, sessions: list[SessionOut]) -> list[str]:
    """Staff of the site or of its sessions who are away that day; no reasons."""
    at_site = {s.id for session in sessions for s in session.staff}
    at_site |= {m.user_id for m in await staff.list_staff() if site_id in m.site_ids}
    away = await staff.list_absences(None, day, day)
    return sorted({a.name for a in away if a.user_id in at_site})


async def _follow_ups(user: CurrentUser, site_id: int) -> list[SheetFollowUp]:
    """The user's open follow-up items from sessions at the site."""
    items = await open_follow_ups(user)
    if not items:
        return []
    here = {
        row["id"]
        for row in await Session.select(Session.id).where(
            Session.id.is_in(sorted({item.session_id for item in items}))
            & (Session.site == site_id)
        )
    }
    return [
        SheetFollowUp(
            name=first_name_and_initial(item.participant_name),
            session_title=item.session_title,
            session_date=item.session_date,
        )
        for item in items
        if item.session_id in here
    ]
