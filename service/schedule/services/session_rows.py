"""Reading sessions: their rows with staff and placements, their warnings, and the shape
pages and the API get."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from service.auth.tables import User
from service.catalog.tables import ActivityKind, ActivitySkill
from service.catalog.vocabulary import skill_label
from service.i18n import gettext as _
from service.placements.queries import SessionDay, placed_counts
from service.schedule import conflicts
from service.schedule.schemas import SessionOut, SessionRow, StaffName, WarningOut
from service.schedule.services._shared import links
from service.schedule.tables import Session, SessionStaff, SessionStatus
from service.staff.tables import StaffAvailability, StaffSkill


async def session_rows(where: Any) -> list[SessionRow]:
    """Sessions with activity, site and room, their staff ids and placed count."""
    rows = (
        await Session.select(
            *Session.all_columns(),
            Session.activity.title,
            Session.activity.kind,
            Session.activity.min_participants,
            Session.activity.max_participants,
            Session.activity.participants_per_staff,
            Session.site.name,
            Session.room.name,
        )
        .where(where)
        .order_by(Session.starts_at)
        .order_by(Session.id)
    )
    staff = await links(SessionStaff, SessionStaff.session, [row["id"] for row in rows])
    placed = await placed_counts(SessionDay(row["id"], row["slot"], row["date"]) for row in rows)
    return [_session_row(row, staff[row["id"]], placed.get(row["id"], 0)) for row in rows]


def _session_row(row: dict[str, Any], staff_ids: list[int], placed: int) -> SessionRow:
    """One selected row as a `SessionRow`."""
    return SessionRow(
        id=row["id"],
        activity_id=row["activity"],
        title=row["activity.title"],
        kind=row["activity.kind"],
        min_participants=row["activity.min_participants"],
        max_participants=row["activity.max_participants"],
        participants_per_staff=row["activity.participants_per_staff"],
        site_id=row["site"],
        site_name=row["site.name"],
        room_id=row["room"],
        room_name=row["room.name"],
        slot_id=row["slot"],
        date=row["date"],
        start=row["start"],
        end=row["end"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        status=row["status"],
        cancel_reason=row["cancel_reason"],
        sequence=row["sequence"],
        edited_by_hand=row["edited_by_hand"],
        slot_changed_since_edit=row["slot_changed_since_edit"],
        note=row["note"],
        staff_ids=staff_ids,
        placed=placed,
    )


def session_facts(
    row: SessionRow, staff_ids: list[int], skills: frozenset[str]
) -> conflicts.SessionFacts:
    """A session as the conflicts core reads it."""
    return conflicts.SessionFacts(
        session_id=row.id,
        title=row.title,
        site_id=row.site_id,
        room_id=row.room_id,
        date=row.date,
        start=row.start,
        end=row.end,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        staff_ids=frozenset(staff_ids),
        required_skills=skills,
        min_participants=row.min_participants,
        participants_per_staff=row.participants_per_staff,
        placed=row.placed,
        cancelled=row.status == SessionStatus.cancelled,
    )


async def session_warnings(rows: list[SessionRow]) -> dict[int, list[WarningOut]]:
    """Warnings for these sessions. The caller passes every session of the days they
    fall on (from `session_rows`), so that clashes across sites are seen."""
    if not rows:
        return {}
    context = {row.id: row for row in rows}
    activity_ids = sorted({row.activity_id for row in context.values()})
    skills: dict[int, set[str]] = defaultdict(set)
    for item in await ActivitySkill.select().where(ActivitySkill.activity.is_in(activity_ids)):
        skills[item["activity"]].add(item["skill"])
    facts = [
        session_facts(row, row.staff_ids, frozenset(skills[row.activity_id]))
        for row in context.values()
    ]
    staff_ids = sorted({user for row in context.values() for user in row.staff_ids})
    staff = await _staff_facts(staff_ids)
    found = conflicts.find_warnings(facts, staff)
    return {
        session_id: [_warning_out(w, staff) for w in found.get(session_id, [])]
        for session_id in (row.id for row in rows)
    }


async def _staff_facts(user_ids: list[int]) -> dict[int, conflicts.StaffFacts]:
    """Names, skills and availability of these staff members."""
    if not user_ids:
        return {}
    users = await User.select(User.id, User.display_name, User.email).where(User.id.is_in(user_ids))
    skills: dict[int, set[str]] = defaultdict(set)
    for item in await StaffSkill.select().where(StaffSkill.user.is_in(user_ids)):
        skills[item["user"]].add(item["skill"])
    windows: dict[int, list[conflicts.AvailabilityWindow]] = defaultdict(list)
    for item in await StaffAvailability.select().where(StaffAvailability.user.is_in(user_ids)):
        windows[item["user"]].append(
            conflicts.AvailabilityWindow(
                weekday=item["weekday"], start=item["start"], end=item["end"]
            )
        )
    return {
        user["id"]: conflicts.StaffFacts(
            user_id=user["id"],
            name=user["display_name"] or user["email"],
            skills=frozenset(skills[user["id"]]),
            windows=tuple(windows[user["id"]]),
        )
        for user in users
    }


def _warning_out(warning: conflicts.Warning, staff: dict[int, conflicts.StaffFacts]) -> WarningOut:
    """A warning in words, naming the staff member it is about."""
    name = staff[warning.staff_id].name if warning.staff_id in staff else ""
    messages = {
        "staff_double_booked": _(
            "%(name)s is also in session %(other)s at the same time.",
            name=name,
            other=warning.other_session_id,
        ),
        "staff_unavailable": _("%(name)s is not available at this time.", name=name),
        "missing_skill": _(
            "No staff member here has the skill %(skill)s.", skill=skill_label(warning.skill or "")
        ),
        "too_few_staff": _(
            "%(needed)s staff members are needed, %(have)s are assigned.",
            needed=warning.needed,
            have=warning.have,
        ),
        "below_minimum": _(
            "%(have)s placed, fewer than the minimum of %(needed)s.",
            have=warning.have,
            needed=warning.needed,
        ),
    }
    return WarningOut(
        code=warning.code,
        message=messages.get(warning.code, warning.code),
        staff_id=warning.staff_id,
        other_session_id=warning.other_session_id,
    )


async def staff_names(rows: list[SessionRow]) -> dict[int, str]:
    """The names of the staff of these rows, by user id."""
    ids = sorted({user for row in rows for user in row.staff_ids})
    if not ids:
        return {}
    users = await User.select(User.id, User.display_name, User.email).where(User.id.is_in(ids))
    return {user["id"]: user["display_name"] or user["email"] for user in users}


def session_out(row: SessionRow, names: dict[int, str], warnings: list[WarningOut]) -> SessionOut:
    """A session as pages and the API show it."""
    return SessionOut(
        id=row.id,
        activity_id=row.activity_id,
        title=row.title,
        kind=ActivityKind(row.kind),
        site_id=row.site_id,
        site_name=row.site_name,
        room_id=row.room_id,
        room_name=row.room_name,
        slot_id=row.slot_id,
        date=row.date,
        start=row.start,
        end=row.end,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        status=SessionStatus(row.status),
        cancel_reason=row.cancel_reason,
        sequence=row.sequence,
        edited_by_hand=row.edited_by_hand,
        slot_changed_since_edit=row.slot_changed_since_edit,
        placed=row.placed,
        capacity=row.max_participants,
        min_participants=row.min_participants,
        staff=[StaffName(id=user, name=names.get(user, "")) for user in sorted(row.staff_ids)],
        warnings=warnings,
        note=row.note,
    )
