"""The attendance report: the facts of the sessions a user may report on, read in a
few queries, added up by `service.reports.core`, and every file of it audited."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from piccolo.custom_types import Combinable

from service import db
from service.attendance import rules
from service.attendance.rules import MarkStatus
from service.attendance.tables import AttendanceMark
from service.audit.services import Actor, record
from service.auth.permissions import may
from service.auth.schemas import CurrentUser
from service.catalog.vocabulary import kind_label, weekday_names
from service.errors import Forbidden, InvalidInput, checked_days
from service.i18n import gettext as _
from service.people.tables import Participant
from service.placements.queries import NOBODY, Holding, held
from service.placements.tables import AbsenceNotice
from service.reports import core
from service.reports.core import Grouping, GroupKey, SessionFact
from service.reports.schemas import AttendanceOverview, AttendanceReport, report_row
from service.schedule.tables import Closure, Session, SessionStatus

#: The longest period one report covers (a custom period of two years and a day).
MAX_DAYS = 731


@dataclass(frozen=True)
class ReportQuery:
    start: date
    end: date
    group_by: Grouping


def checked_query(start: date, end: date, group_by: Grouping) -> ReportQuery:
    """The period and grouping asked for, or 422 naming the field at fault."""
    checked_days(start=start, end=end)
    if end < start:
        raise InvalidInput("end", _("The end of the period comes before its start."))
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput("end", _("A report covers at most two years."))
    return ReportQuery(start=start, end=end, group_by=group_by)


async def attendance_report(
    actor: Actor, user: CurrentUser, query: ReportQuery, *, export: str = ""
) -> AttendanceReport:
    """The report for the sites this user may report on. Grouped by participant it
    names people, which needs `reports.names`. A file (`export`: its format) and every
    report naming people is written to the audit log."""
    _check_grouping(user, query.group_by)
    facts = await session_facts(user, query.start, query.end)
    report = await _report(facts, query, query.group_by)
    await _audit(actor, query, export, len(report.rows))
    return report


async def attendance_overview(
    actor: Actor, user: CurrentUser, query: ReportQuery
) -> AttendanceOverview:
    """The report as the page shows it, with what its charts draw: the figures by week,
    by activity and by weekday, all from one reading of the sessions."""
    _check_grouping(user, query.group_by)
    facts = await session_facts(user, query.start, query.end)
    report = await _report(facts, query, query.group_by)
    await _audit(actor, query, "", len(report.rows))
    return AttendanceOverview(
        report=report,
        by_week=(await _report(facts, query, Grouping.week)).rows,
        by_activity=(await _report(facts, query, Grouping.activity)).rows,
        by_weekday=(await _report(facts, query, Grouping.weekday)).rows,
    )


def _check_grouping(user: CurrentUser, grouping: Grouping) -> None:
    if grouping == Grouping.participant and not may(user, "reports.names"):
        raise Forbidden(_("Your role does not give access to reports that name participants."))


async def _report(
    facts: list[SessionFact], query: ReportQuery, grouping: Grouping
) -> AttendanceReport:
    names = await _participant_names(facts) if grouping == Grouping.participant else {}
    groups, total = core.attendance(
        facts, grouping, weekday_names=weekday_names(), participant_names=names
    )
    return AttendanceReport(
        start=query.start,
        end=query.end,
        group_by=grouping,
        rows=[report_row(_labelled(grouping, key), figures) for key, figures in groups],
        total=report_row(GroupKey("total", _("Total")), total),
    )


async def _audit(actor: Actor, query: ReportQuery, export: str, rows: int) -> None:
    """A file of a report, and any report that names people, go to the audit log."""
    if not export and query.group_by != Grouping.participant:
        return
    async with db.transaction():
        await record(
            actor,
            "report.export" if export else "report.read",
            entity="report",
            entity_id="attendance",
            details={
                "format": export or "json",
                "start": query.start.isoformat(),
                "end": query.end.isoformat(),
                "group_by": query.group_by.value,
                "rows": rows,
            },
        )


def _labelled(grouping: Grouping, key: GroupKey) -> GroupKey:
    if grouping == Grouping.kind:
        return GroupKey(key.key, kind_label(key.key))
    return key


def site_scope(user: CurrentUser) -> Combinable | None:
    """The condition on a session's site for what this user may report on: None for
    every site; staff and partners their own sites."""
    if may(user, "reports.all_sites"):
        return None
    return Session.site.is_in(list(user.site_ids) or [NOBODY])


async def session_facts(user: CurrentUser | None, start: date, end: date) -> list[SessionFact]:
    """Every session from `start` to `end` (its local date) at the user's sites (with
    no user: at every site), with who was expected, who gave notice and each
    participant's current mark."""
    in_period: Combinable = (Session.date >= start) & (Session.date <= end)
    scope = site_scope(user) if user is not None else None
    if scope is not None:
        in_period = in_period & scope
    rows = await Session.select(
        Session.id,
        Session.slot,
        Session.date,
        Session.starts_at,
        Session.ends_at,
        Session.status,
        Session.site,
        Session.site.name.as_alias("site_name"),
        Session.activity,
        Session.activity.title.as_alias("activity_title"),
        Session.activity.kind.as_alias("kind"),
        Session.activity.max_participants.as_alias("places"),
    ).where(in_period)
    if not rows:
        return []
    ids = {row["id"] for row in rows}
    sites = sorted({row["site"] for row in rows}) if scope is not None else None
    marks = await _current_marks(start, end, ids, sites)
    notices = await _notices(start, end, ids, sites)
    holders = await _holders(rows, start, end)
    closures = await _closures(start, end)
    return [
        SessionFact(
            id=row["id"],
            day=row["date"],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            cancelled=row["status"] == SessionStatus.cancelled.value,
            places=row["places"],
            site_id=row["site"],
            site_name=row["site_name"],
            activity_id=row["activity"],
            activity_title=row["activity_title"],
            kind=row["kind"],
            expected=_holding_on(holders, row["slot"], row["date"]),
            notices=frozenset(notices.get(row["id"], ())),
            marks=marks.get(row["id"], {}),
            closed=core.closed_on(closures, row["site"], row["date"]),
        )
        for row in sorted(rows, key=lambda r: (r["date"], r["starts_at"], r["id"]))
    ]


async def _current_marks(
    start: date, end: date, ids: set[int], sites: list[int] | None
) -> dict[int, dict[int, MarkStatus]]:
    """Each session's current marks by participant (the later mark replaces)."""
    found = await AttendanceMark.select(
        AttendanceMark.id,
        AttendanceMark.session,
        AttendanceMark.participant,
        AttendanceMark.status,
        AttendanceMark.marked_at,
        AttendanceMark.received_at,
    ).where(_in_period(AttendanceMark.session, start, end, sites))
    by_session: dict[int, list[rules.Mark]] = defaultdict(list)
    for row in found:
        if row["session"] in ids:
            by_session[row["session"]].append(
                rules.Mark(
                    mark_id=row["id"],
                    participant_id=row["participant"],
                    status=MarkStatus(row["status"]),
                    marked_at=row["marked_at"],
                    received_at=row["received_at"],
                )
            )
    return {
        session: {pid: mark.status for pid, mark in rules.current_marks(marks).items()}
        for session, marks in by_session.items()
    }


def _in_period(session: Any, start: date, end: date, sites: list[int] | None) -> Combinable:
    """The condition on a row's session: in the period, at these sites (None: any)."""
    condition: Combinable = (session._.date >= start) & (session._.date <= end)
    if sites is not None:
        condition = condition & session._.site.is_in(sites or [NOBODY])
    return condition


async def _notices(
    start: date, end: date, ids: set[int], sites: list[int] | None
) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for row in await AbsenceNotice.select(AbsenceNotice.session, AbsenceNotice.participant).where(
        _in_period(AbsenceNotice.session, start, end, sites)
    ):
        if row["session"] in ids:
            found[row["session"]].add(row["participant"])
    return found


async def _holders(rows: list[dict[str, Any]], start: date, end: date) -> dict[int, list[Holding]]:
    slots = sorted({row["slot"] for row in rows if row["slot"] is not None})
    by_slot: dict[int, list[Holding]] = defaultdict(list)
    if slots:
        for holding in await held(start, end, slot_ids=slots):
            by_slot[holding.slot_id].append(holding)
    return by_slot


def _holding_on(
    by_slot: dict[int, list[Holding]], slot_id: int | None, day: date
) -> frozenset[int]:
    if slot_id is None:
        return frozenset()
    return frozenset(h.participant_id for h in by_slot.get(slot_id, ()) if h.covers(day))


async def _closures(start: date, end: date) -> list[tuple[int | None, date, date]]:
    rows = await Closure.select(Closure.site, Closure.start_date, Closure.end_date).where(
        (Closure.start_date <= end) & (Closure.end_date >= start)
    )
    return [(row["site"], row["start_date"], row["end_date"]) for row in rows]


async def _participant_names(facts: list[SessionFact]) -> dict[int, str]:
    ids = sorted({pid for f in facts for pid in (*f.expected, *f.marks)})
    if not ids:
        return {}
    rows = await Participant.select(Participant.id, Participant.display_name).where(
        Participant.id.is_in(ids)
    )
    return {row["id"]: row["display_name"] or str(row["id"]) for row in rows}
