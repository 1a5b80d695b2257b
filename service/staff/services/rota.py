"""The staff week: who works where, hours planned against contract hours, absences."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from service.auth.permissions import may
from service.auth.schemas import CurrentUser
from service.schedule import services as schedule
from service.schedule.schemas import SessionRow
from service.schedule.tables import Session, SessionStatus
from service.staff.schemas import RotaItem, RotaOut, RotaPerson, StaffProfileOut
from service.staff.services.absences import list_absences
from service.staff.services.profiles import list_staff


async def week_rota(user: CurrentUser, monday: date) -> RotaOut:
    """The week from `monday` for every active staff member (a staff member: only
    themself). Planned hours count the sessions that are not cancelled."""
    monday = monday - timedelta(days=monday.weekday())
    sunday = monday + timedelta(days=6)
    everyone = await list_staff()
    shown = [m for m in everyone if may(user, "cover.plan") or m.user_id == user.id]
    rows = await schedule.session_rows((Session.date >= monday) & (Session.date <= sunday))
    absences = await list_absences(user, monday, sunday)
    return RotaOut(
        monday=monday,
        people=[_person(member, monday, rows, absences) for member in shown],
    )


def _person(
    member: StaffProfileOut, monday: date, rows: list[SessionRow], absences: list
) -> RotaPerson:
    days: list[list[RotaItem]] = [[] for _ in range(7)]
    minutes = 0
    for row in rows:
        if member.user_id not in row.staff_ids:
            continue
        cancelled = row.status == SessionStatus.cancelled
        days[(row.date - monday).days].append(
            RotaItem(
                session_id=row.id,
                title=row.title,
                site_name=row.site_name,
                start=row.start,
                end=row.end,
                cancelled=cancelled,
            )
        )
        if not cancelled:
            minutes += int((row.ends_at - row.starts_at).total_seconds() // 60)
    away: dict[int, str] = defaultdict(str)
    for absence in absences:
        if absence.user_id != member.user_id:
            continue
        for offset in range(7):
            if absence.start_date <= monday + timedelta(days=offset) <= absence.end_date:
                away[offset] = absence.reason.value
    planned = round(minutes / 60, 2)
    return RotaPerson(
        user_id=member.user_id,
        name=member.name,
        contract_hours=member.contract_hours,
        planned_hours=planned,
        over_contract=member.contract_hours is not None and planned > member.contract_hours,
        days=days,
        away=[away[offset] for offset in range(7)],
    )
