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


def N_(message: str) -> str:
    """Mark a heading for translation; it is translated where it is shown."""
    return message


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
        N_("Partners"),
        ("id", N_("Tupa id")),
        ("name", N_("Name")),
        ("kind", N_("Kind")),
        ("contact_name", N_("Contact person")),
        ("phone", N_("Phone")),
        ("email", N_("Email")),
        ("notes", N_("Notes")),
    ),
    _sheet(
        "sites",
        N_("Sites"),
        ("id", N_("Tupa id")),
        ("name", N_("Name")),
        ("partner", N_("Partner")),
        ("address", N_("Address")),
        ("phone", N_("Phone")),
        ("country", N_("Country")),
        ("time_zone", N_("Time zone")),
        ("features", N_("Accessibility features")),
    ),
    _sheet(
        "staff",
        N_("Staff"),
        ("id", N_("Tupa id")),
        ("name", N_("Name")),
        ("email", N_("Email")),
        ("role", N_("Role")),
        ("language", N_("Language")),
        ("sites", N_("Sites")),
        ("active", N_("Active")),
    ),
    _sheet(
        "activities",
        N_("Activities"),
        ("id", N_("Tupa id")),
        ("title", N_("Title")),
        ("kind", N_("Kind")),
        ("site", N_("Site")),
        ("description", N_("Description")),
        ("demand_level", N_("Demand (1-5)")),
        ("min_participants", N_("Fewest participants")),
        ("max_participants", N_("Most participants")),
        ("participants_per_staff", N_("Participants per staff member")),
        ("animal_contact", N_("Animal contact")),
        ("what_to_bring", N_("What to bring")),
        ("domains", N_("Goal domains")),
        ("skills", N_("Skills")),
        ("features", N_("Accessibility features")),
        ("active", N_("Active")),
    ),
    _sheet(
        "slots",
        N_("Weekly slots"),
        ("id", N_("Tupa id")),
        ("activity", N_("Activity")),
        ("site", N_("Site")),
        ("weekday", N_("Weekday (1 = Monday)")),
        ("start", N_("Starts")),
        ("end", N_("Ends")),
        ("valid_from", N_("Valid from")),
        ("valid_until", N_("Valid until")),
        ("room", N_("Room")),
        ("staff", N_("Staff")),
    ),
    _sheet(
        "participants",
        N_("Participants"),
        ("id", N_("Tupa id")),
        ("name", N_("Name")),
        ("language", N_("Language")),
        ("contact", N_("Contact")),
        ("support_person", N_("Support person")),
        ("support_contact", N_("Support person's contact")),
        ("referral_date", N_("Referral date")),
        ("plan_start", N_("Plan starts")),
        ("plan_end", N_("Plan ends")),
        ("status", N_("Status")),
        ("contact_staff", N_("Contact staff member")),
        ("weekly_hours", N_("Hours a week")),
        ("max_sessions_per_day", N_("Sessions a day at most")),
        ("demand_tolerance", N_("Demand they can take (1-5)")),
        ("animal_contact_allowed", N_("Animals are fine")),
        ("available", N_("Available (weekday start-end)")),
        ("sites", N_("Sites they can reach")),
        ("needs", N_("Accessibility needs")),
        ("strengths", N_("Strengths")),
    ),
    _sheet(
        "goals",
        N_("Goals"),
        ("id", N_("Tupa id")),
        ("participant_id", N_("Participant's Tupa id")),
        ("participant", N_("Participant")),
        ("text", N_("Goal in their own words")),
        ("priority", N_("Priority")),
        ("status", N_("Status")),
        ("domains", N_("Goal domains")),
    ),
    _sheet(
        "placements",
        N_("Placements"),
        ("id", N_("Tupa id")),
        ("participant_id", N_("Participant's Tupa id")),
        ("participant", N_("Participant")),
        ("slot_id", N_("Slot's Tupa id")),
        ("activity", N_("Activity")),
        ("weekday", N_("Weekday (1 = Monday)")),
        ("start", N_("Starts")),
        ("start_date", N_("From")),
        ("end_date", N_("Until")),
        ("status", N_("Status")),
        ("pinned", N_("Pinned")),
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
