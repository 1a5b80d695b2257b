"""The reports page: a period and a grouping to choose, the figures as a table, the
charts that show them, and buttons that download the same report as files."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from service import clock
from service.audit.reads import AUDIT_READS
from service.auth.guards import permission
from service.auth.permissions import may
from service.catalog.vocabulary import weekday_names
from service.errors import checked_days
from service.i18n import gettext as _
from service.reports import services
from service.reports.core import COLUMNS, Grouping, PeriodKind, period
from service.reports.files import figure_headings
from service.reports.routes import group_heading
from service.reports.schemas import AttendanceOverview, GoalsReport, OutcomesReport, ReportRow
from service.web import actor_of, current_user, page

Req = Request[Any, Any, Any]
OptionalDate = Annotated[date | None, QueryParameter()]


def period_labels() -> dict[str, str]:
    return {
        PeriodKind.week.value: _("Week"),
        PeriodKind.month.value: _("Month"),
        PeriodKind.quarter.value: _("Quarter"),
        PeriodKind.year.value: _("Year"),
        PeriodKind.custom.value: _("Custom period"),
    }


def chosen_period(
    kind: PeriodKind, day: date | None, start: date | None, end: date | None
) -> tuple[date, date]:
    """The first and last day the page reports on: a custom period's own dates (its
    missing end the start), or the week, month, quarter or year holding `day`."""
    checked_days(day=day, start=start, end=end)
    if kind == PeriodKind.custom and start is not None:
        return start, end or start
    return period(PeriodKind.month if kind == PeriodKind.custom else kind, day or clock.today())


@get(
    "/reports",
    guards=[permission("reports.view")],
    opt={AUDIT_READS: True},  # grouped by participant, the rows are named
)
async def reports_page(
    request: Req,
    period_kind: Annotated[PeriodKind, QueryParameter(name="period")] = PeriodKind.month,
    day: OptionalDate = None,
    start: OptionalDate = None,
    end: OptionalDate = None,
    group_by: Annotated[Grouping, QueryParameter()] = Grouping.site,
) -> Template:
    user = current_user(request)
    assert user is not None
    first, last = chosen_period(period_kind, day, start, end)
    query = services.checked_query(first, last, group_by)
    overview = await services.attendance_overview(actor_of(request), user, query)
    groupings = [g for g in Grouping if g != Grouping.participant or may(user, "reports.names")]
    extra: list[dict[str, Any]] = []
    if may(user, "reports.all_sites"):
        extra = journey_charts(
            await services.outcomes_report(actor_of(request), query),
            await services.goals_report(actor_of(request), query),
        )
    return page(
        request,
        "reports/index.html",
        overview=overview,
        period_kind=period_kind.value,
        day=day or first,
        start=first,
        end=last,
        group_by=group_by.value,
        periods=period_labels(),
        groupings={g.value: group_heading(g) for g in groupings},
        group_heading=group_heading(group_by),
        columns=COLUMNS,
        headings=figure_headings(),
        charts=charts(overview),
        journey_charts=extra,
    )


def charts(overview: AttendanceOverview) -> list[dict[str, Any]]:
    """What each chart draws: the attendance rate by week (line), the fill of places by
    activity (bar) and absences without notice by weekday (bar)."""
    weekdays = {str(n): name for n, name in enumerate(weekday_names(), start=1)}
    by_weekday = {row.key: row.absent_no_notice for row in overview.by_weekday}
    return [
        {
            "id": "chart-rate-by-week",
            "kind": "line",
            "title": _("Attendance rate by week"),
            "unit": "%",
            "labels": [row.label for row in overview.by_week],
            "series": [
                {
                    "label": _("Attendance rate (%)"),
                    "data": [_percent(row.attendance_rate) for row in overview.by_week],
                }
            ],
        },
        {
            "id": "chart-fill-by-activity",
            "kind": "bar",
            "title": _("Fill of places by activity"),
            "unit": "%",
            "labels": [row.label for row in overview.by_activity],
            "series": [
                {
                    "label": _("Places filled (%)"),
                    "data": [_fill(row) for row in overview.by_activity],
                }
            ],
        },
        {
            "id": "chart-absences-by-weekday",
            "kind": "bar",
            "title": _("Absences without notice by weekday"),
            "unit": "",
            "labels": list(weekdays.values()),
            "series": [
                {
                    "label": _("Absences without notice"),
                    "data": [by_weekday.get(key, 0) for key in weekdays],
                }
            ],
        },
    ]


def journey_charts(outcomes: OutcomesReport, goals: GoalsReport) -> list[dict[str, Any]]:
    """Where those whose plan ended went (bar), and goal progress by domain (bars of
    improved, the same and fell, per cent of the goals compared)."""
    return [
        {
            "id": "chart-destinations",
            "kind": "bar",
            "title": _("Destinations of the plans that ended"),
            "unit": "",
            "labels": [d.label for d in outcomes.destinations],
            "series": [
                {"label": _("Plans ended"), "data": [d.count for d in outcomes.destinations]}
            ],
        },
        {
            "id": "chart-goal-progress",
            "kind": "bar",
            "title": _("Goal progress by domain"),
            "unit": "%",
            "labels": [row.label for row in goals.rows],
            "series": [
                {"label": _("Improved"), "data": [_percent(r.improved_share) for r in goals.rows]},
                {
                    "label": _("Stayed the same"),
                    "data": [_percent(r.same_share) for r in goals.rows],
                },
                {"label": _("Fell"), "data": [_percent(r.fell_share) for r in goals.rows]},
            ],
        },
    ]


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def _fill(row: ReportRow) -> float | None:
    """Those expected of the places offered, in per cent."""
    return round(100 * row.expected / row.places_offered, 1) if row.places_offered else None


PAGES = [reports_page]
