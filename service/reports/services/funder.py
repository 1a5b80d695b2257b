"""Funder and municipality files: per participant and month, the municipality's
reference and the days, visits and hours attended per activity kind; and a year's
summary of the figures a Finnish funder asks for. Aggregates can hide small numbers
("<5"). Every file is audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from service import db
from service.audit.services import Actor, record
from service.catalog.vocabulary import kind_label
from service.i18n import gettext as _
from service.people.tables import Participant
from service.reports import core
from service.reports.services.attendance import session_facts
from service.reports.services.outcomes import destination_labels

Table = tuple[str, list[str], list[list[Any]]]


async def funder_tables(
    actor: Actor, year: int, *, hide_small: bool, export: str
) -> tuple[Table, Table]:
    """The per participant-month table and the year's summary table."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    facts = await session_facts(None, start, end)
    lines = core.funder_lines(facts)
    people = await _people({line.participant_id for line in lines})
    detail: Table = (
        _("Participant months"),
        [
            _("Participant number"),
            _("Municipality reference"),
            _("Month"),
            _("Activity kind"),
            _("Days attended"),
            _("Visits"),
            _("Hours attended"),
        ],
        [
            [
                line.participant_id,
                people.get(line.participant_id, ""),
                line.month.isoformat()[:7],
                kind_label(line.kind),
                line.days,
                line.visits,
                core.rounded_hours(line.hours),
            ]
            for line in lines
        ],
    )
    _groups, total = core.attendance(facts, core.Grouping.provider)
    ends = await _ends(start, end)
    small = lambda count: core.small_number(count, hide_small)  # noqa: E731
    summary_rows: list[list[Any]] = [
        [_("Unique participants"), small(total.unique_participants)],
        [_("Visits"), small(total.attended)],
        [_("Participant-days"), small(total.participant_days)],
        [_("Hours attended"), core.rounded_hours(total.attended_hours)],
        [_("Plans ended"), small(sum(ends.values()))],
    ]
    labels = destination_labels()
    summary_rows += [
        [_("Destination: %(name)s", name=labels.get(key, key)), small(count)]
        for key, count in sorted(ends.items())
    ]
    summary: Table = (_("Year %(year)s", year=year), [_("Figure"), _("Value")], summary_rows)
    async with db.transaction():
        await record(
            actor,
            "report.export",
            entity="report",
            entity_id="funder",
            details={
                "format": export,
                "year": year,
                "rows": len(detail[2]),
                "small_numbers_hidden": hide_small,
            },
        )
    return detail, summary


def rows_of(table: Table) -> Iterator[list[Any]]:
    yield from table[2]


async def _people(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await Participant.select(Participant.id, Participant.municipality_ref).where(
        Participant.id.is_in(sorted(ids))
    )
    return {row["id"]: row["municipality_ref"] for row in rows}


async def _ends(start: date, end: date) -> dict[str, int]:
    rows = await Participant.select(Participant.destination).where(
        (Participant.ended_on >= start) & (Participant.ended_on <= end)
    )
    ends: dict[str, int] = {}
    for row in rows:
        key = row["destination"] or "unknown"
        ends[key] = ends.get(key, 0) + 1
    return ends
