"""The attendance report as a table for files: headings in the request's language and
one row per group, then the total, with typed values (the rate as a share)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from service.i18n import gettext as _
from service.reports.core import COLUMNS
from service.reports.schemas import (
    AttendanceReport,
    GoalsReport,
    LedgerMonth,
    OutcomesReport,
    ReportRow,
)


def figure_headings() -> dict[str, str]:
    """Each figure's heading, in the reader's language."""
    return {
        "sessions_held": _("Sessions held"),
        "sessions_cancelled": _("Sessions cancelled"),
        "places_offered": _("Places offered"),
        "expected": _("Expected"),
        "present": _("Present"),
        "late": _("Late"),
        "left_early": _("Left early"),
        "absent_notice": _("Absent with notice"),
        "absent_no_notice": _("Absent without notice"),
        "excused": _("Excused"),
        "unmarked": _("Not marked"),
        "walk_ins": _("Walk-ins"),
        "attended": _("Attended"),
        "attendance_rate": _("Attendance rate"),
        "participant_days": _("Participant-days"),
        "unique_participants": _("Unique participants"),
        "hours": _("Hours of activity"),
        "attended_hours": _("Hours attended"),
    }


def attendance_headings(group_heading: str) -> list[str]:
    headings = figure_headings()
    return [group_heading, *(headings[name] for name in COLUMNS)]


def outcomes_table(report: OutcomesReport) -> tuple[list[str], list[list[Any]]]:
    """The outcomes as figure-value rows, then one row per destination."""
    rows: list[list[Any]] = [
        [_("Plans started"), report.starts],
        [_("Plans ended"), report.ends],
        [_("Young participants whose plan ended"), report.young_ended],
        [_("Of them, to work or study"), report.young_to_work_or_study],
        [_("Share of young to work or study"), report.young_share],
        [_("Days in service, mean"), report.mean_days_in_service],
        [_("Days in service, median"), report.median_days_in_service],
    ]
    rows += [[_("Destination: %(name)s", name=d.label), d.count] for d in report.destinations]
    return [_("Figure"), _("Value")], rows


def goals_table(report: GoalsReport) -> tuple[list[str], list[list[Any]]]:
    headings = [
        _("Goal domain"),
        _("Goals reviewed"),
        _("Reviewed at least twice"),
        _("Improved"),
        _("Stayed the same"),
        _("Fell"),
        _("Share improved"),
        _("Share stayed the same"),
        _("Share fell"),
    ]
    rows = [
        [
            row.label,
            row.reviewed,
            row.compared,
            row.improved,
            row.same,
            row.fell,
            row.improved_share,
            row.same_share,
            row.fell_share,
        ]
        for row in [*report.rows, report.total]
    ]
    return headings, rows


def ledger_table(ledger: LedgerMonth) -> tuple[list[str], list[list[Any]]]:
    """The payroll file: one row per line, amounts as numbers."""
    headings = [
        _("Participant"),
        _("Participant number"),
        _("Month"),
        _("For month"),
        _("Line"),
        _("Days present"),
        _("Hours present"),
        _("Amount"),
        _("Currency"),
    ]
    kinds = {"attendance": _("Attendance"), "correction": _("Correction")}
    rows = [
        [
            line.participant,
            line.participant_id,
            ledger.month,
            line.for_month,
            kinds.get(line.kind, line.kind),
            line.days,
            line.hours,
            line.amount,
            line.currency,
        ]
        for line in ledger.lines
    ]
    return headings, rows


def attendance_rows(report: AttendanceReport) -> Iterator[list[Any]]:
    for row in [*report.rows, report.total]:
        yield _cells(row)


def _cells(row: ReportRow) -> list[Any]:
    return [row.label, *(getattr(row, name) for name in COLUMNS)]
