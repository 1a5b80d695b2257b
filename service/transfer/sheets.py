"""The sheets of a provider's workbook: one per kind of record, with its columns.

The export writes these columns and the import (to come) reads the same ones, so that an
export imports again. References between sheets are by name, as a person keeps them in
a spreadsheet (an activity's site by the site's name), with Tupa's id beside them so
that a second import of the same file updates rather than duplicates. Lists inside a
cell are separated by `; `. A pure core: plain data in and out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class Column:
    key: str  # the JSON field and the stable name of the column
    heading: str  # in English; translated where shown


@dataclass(frozen=True)
class Sheet:
    kind: str
    title: str
    columns: tuple[Column, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(column.key for column in self.columns)


def _sheet(kind: str, title: str, *columns: tuple[str, str]) -> Sheet:
    return Sheet(kind, title, tuple(Column(key, heading) for key, heading in columns))


SHEETS: tuple[Sheet, ...] = (
    _sheet(
        "partners",
        "Partners",
        ("id", "Tupa id"),
        ("name", "Name"),
        ("kind", "Kind"),
        ("contact_name", "Contact person"),
        ("phone", "Phone"),
        ("email", "Email"),
        ("notes", "Notes"),
    ),
    _sheet(
        "sites",
        "Sites",
        ("id", "Tupa id"),
        ("name", "Name"),
        ("partner", "Partner"),
        ("address", "Address"),
        ("phone", "Phone"),
        ("country", "Country"),
        ("time_zone", "Time zone"),
        ("features", "Accessibility features"),
    ),
    _sheet(
        "staff",
        "Staff",
        ("id", "Tupa id"),
        ("name", "Name"),
        ("email", "Email"),
        ("role", "Role"),
        ("language", "Language"),
        ("sites", "Sites"),
        ("active", "Active"),
    ),
    _sheet(
        "activities",
        "Activities",
        ("id", "Tupa id"),
        ("title", "Title"),
        ("kind", "Kind"),
        ("site", "Site"),
        ("description", "Description"),
        ("demand_level", "Demand (1-5)"),
        ("min_participants", "Fewest participants"),
        ("max_participants", "Most participants"),
        ("participants_per_staff", "Participants per staff member"),
        ("animal_contact", "Animal contact"),
        ("what_to_bring", "What to bring"),
        ("domains", "Goal domains"),
        ("skills", "Skills"),
        ("features", "Accessibility features"),
        ("active", "Active"),
    ),
    _sheet(
        "slots",
        "Weekly slots",
        ("id", "Tupa id"),
        ("activity", "Activity"),
        ("site", "Site"),
        ("weekday", "Weekday (1 = Monday)"),
        ("start", "Starts"),
        ("end", "Ends"),
        ("valid_from", "Valid from"),
        ("valid_until", "Valid until"),
        ("room", "Room"),
        ("staff", "Staff"),
    ),
    _sheet(
        "participants",
        "Participants",
        ("id", "Tupa id"),
        ("name", "Name"),
        ("language", "Language"),
        ("contact", "Contact"),
        ("support_person", "Support person"),
        ("support_contact", "Support person's contact"),
        ("referral_date", "Referral date"),
        ("plan_start", "Plan starts"),
        ("plan_end", "Plan ends"),
        ("status", "Status"),
        ("contact_staff", "Contact staff member"),
        ("weekly_hours", "Hours a week"),
        ("max_sessions_per_day", "Sessions a day at most"),
        ("demand_tolerance", "Demand they can take (1-5)"),
        ("animal_contact_allowed", "Animals are fine"),
        ("available", "Available (weekday start-end)"),
        ("sites", "Sites they can reach"),
        ("needs", "Accessibility needs"),
        ("strengths", "Strengths"),
    ),
    _sheet(
        "goals",
        "Goals",
        ("id", "Tupa id"),
        ("participant_id", "Participant's Tupa id"),
        ("participant", "Participant"),
        ("text", "Goal in their own words"),
        ("priority", "Priority"),
        ("status", "Status"),
        ("domains", "Goal domains"),
    ),
    _sheet(
        "placements",
        "Placements",
        ("id", "Tupa id"),
        ("participant_id", "Participant's Tupa id"),
        ("participant", "Participant"),
        ("slot_id", "Slot's Tupa id"),
        ("activity", "Activity"),
        ("weekday", "Weekday (1 = Monday)"),
        ("start", "Starts"),
        ("start_date", "From"),
        ("end_date", "Until"),
        ("status", "Status"),
        ("pinned", "Pinned"),
    ),
)

SHEETS_BY_KIND = {sheet.kind: sheet for sheet in SHEETS}


def cell(value: Any) -> str | int | float | bool | None:
    """A value as a spreadsheet cell and a JSON field: dates as ISO dates, times as
    HH:MM, lists joined, enums by their value."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(cell(item)) for item in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(getattr(value, "value", value))


def as_row(sheet: Sheet, values: dict[str, Any]) -> dict[str, Any]:
    """One row of `sheet` from `values` (every column, in order, as cells)."""
    return {key: cell(values.get(key)) for key in sheet.keys}
