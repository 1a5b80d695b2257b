"""Reports: what the attendance, the journeys and the goals of a period add up to.

One module per report; the arithmetic is in the pure `service.reports.core`."""

from service.reports.services.allowances import (
    approve_month,
    ledger_month,
    list_rates,
    month_of,
    save_rate,
)
from service.reports.services.attendance import (
    MAX_DAYS,
    ReportQuery,
    attendance_overview,
    attendance_report,
    checked_query,
    session_facts,
)
from service.reports.services.funder import funder_tables
from service.reports.services.goals import goals_report
from service.reports.services.outcomes import destination_labels, outcomes_report

__all__ = [
    "MAX_DAYS",
    "ReportQuery",
    "approve_month",
    "attendance_overview",
    "attendance_report",
    "checked_query",
    "destination_labels",
    "funder_tables",
    "goals_report",
    "ledger_month",
    "list_rates",
    "month_of",
    "outcomes_report",
    "save_rate",
    "session_facts",
]
