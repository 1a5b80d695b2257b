"""JSON API of reports, and the same reports as files (`?format=xlsx|csv`, or an
`Accept` header asking for one of them)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType
from litestar.params import JSONBody, QueryParameter
from litestar.response import Response, Stream
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from service.audit.reads import AUDIT_READS
from service.auth.guards import permission
from service.i18n import gettext as _
from service.reports import services
from service.reports.core import Grouping
from service.reports.files import (
    attendance_headings,
    attendance_rows,
    goals_table,
    ledger_table,
    outcomes_table,
)
from service.reports.schemas import (
    AttendanceReport,
    GoalsReport,
    LedgerMonth,
    MonthIn,
    OutcomesReport,
    RateIn,
    RateOut,
)
from service.transfer.delimited import csv_lines
from service.transfer.workbook import table_workbook, tables_workbook
from service.web import actor_of, current_user

Req = Request[Any, Any, Any]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
FORMATS = {"xlsx": XLSX, "csv": CSV, "json": "application/json"}
Format = Annotated[
    str | None, QueryParameter(name="format", pattern="^(json|xlsx|csv)$", max_length=4)
]


def file_format(request: Req, asked: str | None) -> str:
    """`json`, `xlsx` or `csv`: the `format` asked for, else what `Accept` prefers."""
    if asked:
        return asked
    accept = request.headers.get("accept", "")
    for name, media in (("xlsx", XLSX), ("csv", CSV)):
        if media in accept:
            return name
    return "json"


def group_heading(grouping: Grouping) -> str:
    return {
        Grouping.provider: _("Provider"),
        Grouping.site: _("Site"),
        Grouping.kind: _("Activity kind"),
        Grouping.activity: _("Activity"),
        Grouping.weekday: _("Weekday"),
        Grouping.week: _("Week"),
        Grouping.participant: _("Participant"),
    }[grouping]


@dataclass
class FileOperation(Operation):
    """The OpenAPI operation of a report that is also a file: its 200 answer may be
    XLSX or CSV besides JSON (`?format=` or `Accept`)."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse):
            binary = OpenAPIMediaType(
                schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            )
            ok.content = {**(ok.content or {}), XLSX: binary, CSV: binary}


class FileStream(Stream):
    """A streamed file that keeps its own media type: Litestar's `Stream` takes the
    handler's (JSON) before its own, unlike `Response`."""

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["media_type"] = self.media_type
        return super().to_asgi_response(*args, **kwargs)


def download(
    name: str, kind: str, headings: list[str], rows: Iterator[list[Any]], title: str
) -> Response[Any]:
    """A file of rows: XLSX built row by row, CSV streamed line by line."""
    disposition = {
        "Content-Disposition": f'attachment; filename="{name}.{kind}"',
        "Cache-Control": "no-store",
    }
    if kind == "csv":
        return FileStream(
            csv_lines(headings, rows), media_type="text/csv; charset=utf-8", headers=disposition
        )
    return Response(table_workbook(title, headings, rows), media_type=XLSX, headers=disposition)


@get(
    "/api/v1/reports/attendance",
    guards=[permission("reports.view")],
    tags=["reports"],
    operation_class=FileOperation,
    opt={AUDIT_READS: True},  # grouped by participant, the labels are names
)
async def attendance_api(
    request: Req,
    start: Annotated[date, QueryParameter()],
    end: Annotated[date, QueryParameter()],
    group_by: Annotated[Grouping, QueryParameter()] = Grouping.site,
    format_: Format = None,
) -> AttendanceReport:
    """Sessions held and cancelled, places, expected, each kind of mark, walk-ins, the
    attendance rate, participant-days, unique participants and hours, per group and in
    total, for sessions from `start` to `end` (their local dates). Coordinators and
    administrators: every site; staff and partners: their sites; by participant (names)
    not for partners. `format=xlsx|csv` (or `Accept`) gives a file; files are audited."""
    user = current_user(request)
    assert user is not None
    kind = file_format(request, format_)
    query = services.checked_query(start, end, group_by)
    report = await services.attendance_report(
        actor_of(request), user, query, export="" if kind == "json" else kind
    )
    if kind == "json":
        return report
    return attendance_file(report, kind)  # type: ignore[return-value]  # a file instead


@get(
    "/api/v1/reports/outcomes",
    guards=[permission("reports.all_sites")],
    tags=["reports"],
    operation_class=FileOperation,
)
async def outcomes_api(
    request: Req,
    start: Annotated[date, QueryParameter()],
    end: Annotated[date, QueryParameter()],
    format_: Format = None,
) -> OutcomesReport:
    """Plans started and ended from `start` to `end`, the destinations of those that
    ended, the share of young participants (under 30 at the start, by their year of
    birth) who went to work or study, and the days in service. Counts only, no names.
    `format=xlsx|csv` (or `Accept`) gives a file; files are audited."""
    kind = file_format(request, format_)
    query = services.checked_query(start, end, Grouping.provider)
    report = await services.outcomes_report(
        actor_of(request), query, export="" if kind == "json" else kind
    )
    if kind == "json":
        return report
    headings, rows = outcomes_table(report)
    name = f"tupa-outcomes-{start.isoformat()}-{end.isoformat()}"
    return download(name, kind, headings, iter(rows), _("Outcomes"))  # type: ignore[return-value]


@get(
    "/api/v1/reports/goals",
    guards=[permission("reports.all_sites")],
    tags=["reports"],
    operation_class=FileOperation,
)
async def goals_api(
    request: Req,
    start: Annotated[date, QueryParameter()],
    end: Annotated[date, QueryParameter()],
    format_: Format = None,
) -> GoalsReport:
    """Per goal domain, the goals reviewed from `start` to `end` and, of those reviewed
    at least twice, how many improved, stayed or fell between the first and the last
    rating (1-5). A goal of two domains counts in both; the total counts it once.
    Counts only, no names. `format=xlsx|csv` (or `Accept`) gives a file, audited."""
    kind = file_format(request, format_)
    query = services.checked_query(start, end, Grouping.provider)
    report = await services.goals_report(
        actor_of(request), query, export="" if kind == "json" else kind
    )
    if kind == "json":
        return report
    headings, rows = goals_table(report)
    name = f"tupa-goals-{start.isoformat()}-{end.isoformat()}"
    return download(name, kind, headings, iter(rows), _("Goal progress"))  # type: ignore[return-value]


@get(
    "/api/v1/reports/allowances",
    guards=[permission("allowances.manage")],
    tags=["reports"],
    operation_class=FileOperation,
)
async def allowances_api(
    request: Req,
    month: Annotated[str, QueryParameter(pattern=r"^\d{4}-\d{2}(?!\n)$", max_length=7)],
    format_: Format = None,
) -> LedgerMonth:
    """The daily allowance ledger of a month (YYYY-MM): a line per participant with the
    days and hours present and the amount, and correction lines for earlier approved
    months whose marks changed since. An approved month shows what was approved.
    `format=xlsx|csv` (or `Accept`) gives the payroll file; files are audited."""
    kind = file_format(request, format_)
    ledger = await services.ledger_month(
        actor_of(request), services.month_of(month), export="" if kind == "json" else kind
    )
    if kind == "json":
        return ledger
    headings, rows = ledger_table(ledger)
    name = f"tupa-allowances-{ledger.month}"
    return download(name, kind, headings, iter(rows), _("Allowances"))  # type: ignore[return-value]


@post(
    "/api/v1/reports/allowances/approve",
    guards=[permission("allowances.manage")],
    status_code=HTTP_200_OK,
    tags=["reports"],
)
async def approve_allowances(request: Req, data: JSONBody[MonthIn]) -> LedgerMonth:
    """Approve a month: its lines are stored as they are now and the month is locked
    (409 when it already is). A later change of a mark in it becomes a correction line
    in the next open month."""
    return await services.approve_month(actor_of(request), services.month_of(data.month))


@get("/api/v1/allowances/rates", guards=[permission("allowances.manage")], tags=["reports"])
async def list_rates(request: Req) -> list[RateOut]:
    return await services.list_rates()


@post(
    "/api/v1/allowances/rates",
    guards=[permission("allowances.manage")],
    status_code=HTTP_201_CREATED,
    tags=["reports"],
)
async def add_rate(request: Req, data: JSONBody[RateIn]) -> RateOut:
    """A rate for an activity or an activity kind, per day or per hour present, from a
    date; the amount an exact decimal ("12.50"), in EUR or DKK."""
    return await services.save_rate(actor_of(request), data)


@get(
    "/api/v1/reports/funder",
    guards=[permission("reports.funder")],
    tags=["reports"],
    operation_class=FileOperation,
    include_in_schema=True,
)
async def funder_file(
    request: Req,
    year: Annotated[int, QueryParameter(ge=1900, le=2199)],
    small_numbers: Annotated[bool, QueryParameter()] = True,
    format_: Annotated[
        str, QueryParameter(name="format", pattern="^(xlsx|csv)$", max_length=4)
    ] = "xlsx",
) -> Response[Any]:
    """The year's funder and municipality file: per participant and month, the
    municipality's reference and the days, visits and hours attended per activity kind
    (XLSX: with a summary sheet of unique participants, visits, hours and outcomes,
    counts from 1 to 4 shown as "<5" unless `small_numbers=false`; CSV: the
    participant months). Audited."""
    detail, summary = await services.funder_tables(
        actor_of(request), year, hide_small=small_numbers, export=format_
    )
    name = f"tupa-funder-{year}"
    if format_ == "csv":
        return download(name, "csv", detail[1], iter(detail[2]), detail[0])
    return Response(
        tables_workbook([summary, detail]),
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.xlsx"',
            "Cache-Control": "no-store",
        },
    )


def attendance_file(report: AttendanceReport, kind: str) -> Response[Any]:
    name = f"tupa-attendance-{report.start.isoformat()}-{report.end.isoformat()}"
    headings = attendance_headings(group_heading(report.group_by))
    return download(name, kind, headings, attendance_rows(report), _("Attendance"))


ROUTES = [
    attendance_api,
    outcomes_api,
    goals_api,
    allowances_api,
    approve_allowances,
    list_rates,
    add_rate,
    funder_file,
]
