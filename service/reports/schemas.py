"""What the reports give: msgspec structs for the API, the pages and the files."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from service.bounds import Input, RowId
from service.catalog.tables import ActivityKind
from service.reports.core import Figures, Grouping, GroupKey, Progress, rounded_hours, rounded_rate
from service.reports.ledger import Basis


class ReportRow(msgspec.Struct):
    """One group's figures (see `service.reports.core` for what each counts). The rate
    is a share (0.8333), hours are decimal hours."""

    key: str
    label: str
    sessions_held: int
    sessions_cancelled: int
    places_offered: int
    expected: int
    present: int
    late: int
    left_early: int
    absent_notice: int
    absent_no_notice: int
    excused: int
    unmarked: int
    walk_ins: int
    attended: int
    attendance_rate: float | None
    participant_days: int
    unique_participants: int
    hours: float
    attended_hours: float


class AttendanceReport(msgspec.Struct):
    start: date
    end: date
    group_by: Grouping
    rows: list[ReportRow]
    total: ReportRow


def report_row(key: GroupKey, figures: Figures) -> ReportRow:
    return ReportRow(
        key=key.key,
        label=key.label,
        sessions_held=figures.sessions_held,
        sessions_cancelled=figures.sessions_cancelled,
        places_offered=figures.places_offered,
        expected=figures.expected,
        present=figures.present,
        late=figures.late,
        left_early=figures.left_early,
        absent_notice=figures.absent_notice,
        absent_no_notice=figures.absent_no_notice,
        excused=figures.excused,
        unmarked=figures.unmarked,
        walk_ins=figures.walk_ins,
        attended=figures.attended,
        attendance_rate=rounded_rate(figures.attendance_rate),
        participant_days=figures.participant_days,
        unique_participants=figures.unique_participants,
        hours=rounded_hours(figures.hours),
        attended_hours=rounded_hours(figures.attended_hours),
    )


class AttendanceOverview(msgspec.Struct):
    """The report and what the page's charts draw."""

    report: AttendanceReport
    by_week: list[ReportRow]
    by_activity: list[ReportRow]
    by_weekday: list[ReportRow]


class DestinationCount(msgspec.Struct):
    destination: str
    label: str
    count: int


class OutcomesReport(msgspec.Struct):
    """Plans started and ended in the period, where those who ended went, the share of
    young participants (under 30 at the start, by year of birth) who went to work or
    study, and the days in service of those who ended (mean and median)."""

    start: date
    end: date
    starts: int
    ends: int
    destinations: list[DestinationCount]
    young_ended: int
    young_to_work_or_study: int
    young_share: float | None
    mean_days_in_service: float | None
    median_days_in_service: float | None


class GoalProgressRow(msgspec.Struct):
    """One goal domain: goals reviewed in the period, those reviewed at least twice
    (compared), and how many of those improved, stayed or fell between the first and
    the last review, with their shares of the compared."""

    domain: str
    label: str
    reviewed: int
    compared: int
    improved: int
    same: int
    fell: int
    improved_share: float | None
    same_share: float | None
    fell_share: float | None


class GoalsReport(msgspec.Struct):
    start: date
    end: date
    rows: list[GoalProgressRow]
    total: GoalProgressRow


def progress_row(domain: str, label: str, progress: Progress) -> GoalProgressRow:
    return GoalProgressRow(
        domain=domain,
        label=label,
        reviewed=progress.reviewed,
        compared=progress.compared,
        improved=progress.improved,
        same=progress.same,
        fell=progress.fell,
        improved_share=rounded_rate(progress.share(progress.improved)),
        same_share=rounded_rate(progress.share(progress.same)),
        fell_share=rounded_rate(progress.share(progress.fell)),
    )


#: The largest rate Tupa takes (msgspec bounds no Decimal: `services.check_amount`).
MAX_AMOUNT = Decimal(100_000)


class RateIn(Input):
    """A rate for an activity (`activity_id`) or an activity kind (`kind`), one of
    them; per day or per hour present; an exact decimal amount; from a date."""

    basis: Basis
    amount: Decimal
    valid_from: date
    currency: Literal["EUR", "DKK"] = "EUR"
    activity_id: RowId | None = None
    kind: ActivityKind | None = None


class RateOut(msgspec.Struct):
    id: int
    activity_id: int | None
    kind: str | None
    basis: Basis
    amount: Decimal
    currency: str
    valid_from: date


class LedgerLine(msgspec.Struct):
    """One participant's line: what they earned in the month (`attendance`), or a
    correction of an earlier locked month (`for_month`)."""

    participant_id: int
    participant: str
    kind: str
    for_month: str
    days: int
    hours: Decimal
    amount: Decimal
    currency: str


class LedgerMonth(msgspec.Struct):
    month: str
    approved: bool
    approved_at: datetime | None
    lines: list[LedgerLine]


class MonthIn(Input):
    month: Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}(?!\n)$", max_length=7)]
