"""The outcomes report: the plans of the period, read from the participants' records
(erased ones too: what is left of them is kept for these statistics)."""

from __future__ import annotations

from fractions import Fraction

from service import db
from service.audit.services import Actor, record
from service.i18n import gettext as _
from service.people.tables import Destination, Participant
from service.reports import core
from service.reports.core import Journey
from service.reports.schemas import DestinationCount, OutcomesReport
from service.reports.services.attendance import ReportQuery


def destination_labels() -> dict[str, str]:
    return {
        Destination.work.value: _("Work"),
        Destination.study.value: _("Study"),
        Destination.other_service.value: _("Another service"),
        Destination.moved.value: _("Moved away"),
        Destination.own_choice.value: _("Own choice"),
        Destination.no_longer_needs_support.value: _("No longer needs support"),
        Destination.other.value: _("Other"),
        "unknown": _("Not recorded"),
    }


async def outcomes_report(actor: Actor, query: ReportQuery, *, export: str = "") -> OutcomesReport:
    rows = await Participant.select(
        Participant.id,
        Participant.plan_start,
        Participant.ended_on,
        Participant.destination,
        Participant.birth_year,
    ).where(Participant.plan_start.is_not_null() | Participant.ended_on.is_not_null())
    journeys = [
        Journey(
            participant_id=row["id"],
            plan_start=row["plan_start"],
            ended_on=row["ended_on"],
            destination=row["destination"],
            birth_year=row["birth_year"],
        )
        for row in rows
    ]
    found = core.outcomes_of(journeys, query.start, query.end)
    labels = destination_labels()
    if export:
        async with db.transaction():
            await record(
                actor,
                "report.export",
                entity="report",
                entity_id="outcomes",
                details={
                    "format": export,
                    "start": query.start.isoformat(),
                    "end": query.end.isoformat(),
                },
            )
    return OutcomesReport(
        start=query.start,
        end=query.end,
        starts=found.starts,
        ends=found.ends,
        destinations=[
            DestinationCount(destination=key, label=labels.get(key, key), count=count)
            for key, count in found.destinations.items()
        ],
        young_ended=found.young_ended,
        young_to_work_or_study=found.young_to_work_or_study,
        young_share=core.rounded_rate(found.young_share),
        mean_days_in_service=_one_decimal(found.mean_days),
        median_days_in_service=_one_decimal(found.median_days),
    )


def _one_decimal(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 1)
