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
    """One column. `type` is what a cell holds: `id` (Tupa's own, empty for a new
    record), `text`, `int`, `number`, `date` (YYYY-MM-DD), `time` (HH:MM), `bool` (yes or
    no), `choice` (one of `choices`) or `list` (several, separated by `; `, each one of
    `choices` when it is named)."""

    key: str  # the JSON field and the stable name of the column
    heading: str  # in English; translated where shown
    type: str = "text"
    required: bool = False
    choices: str = ""  # the name of a list of allowed values, e.g. "sites", "weekdays"


def column(key: str, heading: str, spec: str = "text") -> Column:
    """A column from a short spec: `text`, `date!` (required), `choice:sites!`."""
    required = spec.endswith("!")
    type_, _, choices = spec.rstrip("!").partition(":")
    return Column(key, heading, type_, required, choices)


@dataclass(frozen=True)
class Sheet:
    kind: str
    title: str
    columns: tuple[Column, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(column.key for column in self.columns)


def _sheet(kind: str, title: str, *columns: tuple[str, str, str]) -> Sheet:
    return Sheet(kind, title, tuple(column(*spec) for spec in columns))


SHEETS: tuple[Sheet, ...] = (
    _sheet(
        "partners",
        N_("Partners"),
        ("id", N_("Tupa id"), "id"),
        ("name", N_("Name"), "text!"),
        ("kind", N_("Kind"), "choice:partner_kinds!"),
        ("contact_name", N_("Contact person"), "text"),
        ("phone", N_("Phone"), "text"),
        ("email", N_("Email"), "text"),
        ("notes", N_("Notes"), "text"),
    ),
    _sheet(
        "sites",
        N_("Sites"),
        ("id", N_("Tupa id"), "id"),
        ("name", N_("Name"), "text!"),
        ("partner", N_("Partner"), "choice:partners"),
        ("address", N_("Address"), "text"),
        ("phone", N_("Phone"), "text"),
        ("country", N_("Country"), "text"),
        ("time_zone", N_("Time zone"), "text"),
        ("features", N_("Accessibility features"), "list:features"),
    ),
    _sheet(
        "staff",
        N_("Staff"),
        ("id", N_("Tupa id"), "id"),
        ("name", N_("Name"), "text!"),
        ("email", N_("Email"), "text!"),
        ("role", N_("Role"), "choice:roles!"),
        ("language", N_("Language"), "choice:languages"),
        ("sites", N_("Sites"), "list:sites"),
        ("active", N_("Active"), "bool"),
    ),
    _sheet(
        "activities",
        N_("Activities"),
        ("id", N_("Tupa id"), "id"),
        ("title", N_("Title"), "text!"),
        ("kind", N_("Kind"), "choice:activity_kinds!"),
        ("site", N_("Site"), "choice:sites!"),
        ("description", N_("Description"), "text"),
        ("demand_level", N_("Demand (1-5)"), "int"),
        ("min_participants", N_("Fewest participants"), "int"),
        ("max_participants", N_("Most participants"), "int"),
        ("participants_per_staff", N_("Participants per staff member"), "int"),
        ("animal_contact", N_("Animal contact"), "bool"),
        ("what_to_bring", N_("What to bring"), "text"),
        ("domains", N_("Goal domains"), "list:domains"),
        ("skills", N_("Skills"), "list"),
        ("features", N_("Accessibility features"), "list:features"),
        ("active", N_("Active"), "bool"),
    ),
    _sheet(
        "slots",
        N_("Weekly slots"),
        ("id", N_("Tupa id"), "id"),
        ("activity", N_("Activity"), "choice:activities!"),
        ("site", N_("Site"), "choice:sites"),
        ("weekday", N_("Weekday (1 = Monday)"), "choice:weekdays!"),
        ("start", N_("Starts"), "time!"),
        ("end", N_("Ends"), "time!"),
        ("valid_from", N_("Valid from"), "date!"),
        ("valid_until", N_("Valid until"), "date"),
        ("room", N_("Room"), "text"),
        ("staff", N_("Staff"), "list"),
    ),
    _sheet(
        "participants",
        N_("Participants"),
        ("id", N_("Tupa id"), "id"),
        ("external_id", N_("Your own number"), "text"),
        ("name", N_("Name"), "text!"),
        ("language", N_("Language"), "choice:languages"),
        ("contact", N_("Contact"), "text"),
        ("support_person", N_("Support person"), "text"),
        ("support_contact", N_("Support person's contact"), "text"),
        ("referral_date", N_("Referral date"), "date"),
        ("plan_start", N_("Plan starts"), "date"),
        ("plan_end", N_("Plan ends"), "date"),
        ("status", N_("Status"), "choice:participant_statuses"),
        ("contact_staff", N_("Contact staff member"), "choice:staff_emails"),
        ("weekly_hours", N_("Hours a week"), "number"),
        ("max_sessions_per_day", N_("Sessions a day at most"), "int"),
        ("demand_tolerance", N_("Demand they can take (1-5)"), "int"),
        ("animal_contact_allowed", N_("Animals are fine"), "bool"),
        ("available", N_("Available (weekday start-end)"), "list"),
        ("sites", N_("Sites they can reach"), "list:sites"),
        ("needs", N_("Accessibility needs"), "list:features"),
        ("strengths", N_("Strengths"), "list"),
    ),
    _sheet(
        "goals",
        N_("Goals"),
        ("id", N_("Tupa id"), "id"),
        ("participant_id", N_("Participant's Tupa id"), "int"),
        ("participant_number", N_("Participant's own number"), "text"),
        ("participant", N_("Participant"), "text"),
        ("text", N_("Goal in their own words"), "text!"),
        ("priority", N_("Priority"), "int"),
        ("status", N_("Status"), "choice:goal_statuses"),
        ("domains", N_("Goal domains"), "list:domains"),
    ),
    _sheet(
        "placements",
        N_("Placements"),
        ("id", N_("Tupa id"), "id"),
        ("participant_id", N_("Participant's Tupa id"), "int"),
        ("participant", N_("Participant"), "text!"),
        ("slot_id", N_("Slot's Tupa id"), "int"),
        ("activity", N_("Activity"), "choice:activities!"),
        ("weekday", N_("Weekday (1 = Monday)"), "choice:weekdays!"),
        ("start", N_("Starts"), "time!"),
        ("start_date", N_("From"), "date!"),
        ("end_date", N_("Until"), "date"),
        ("status", N_("Status"), "choice:placement_statuses"),
        ("pinned", N_("Pinned"), "bool"),
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


#: What each kind of cell holds, said to the person filling in a template.
EXPLANATIONS: dict[str, str] = {
    "id": N_("Tupa's own id. Leave it empty for a new record; keep it to update one."),
    "text": N_("Text."),
    "int": N_("A whole number."),
    "number": N_("A number, such as 7.5."),
    "date": N_("A date, such as 2027-01-31."),
    "time": N_("A time of day, such as 09:30."),
    "bool": N_("Yes or no."),
    "choice": N_("One of the list that the cell offers."),
    "list": N_("Several, separated by semicolons."),
}
REQUIRED, OPTIONAL = N_("Required."), N_("Optional.")

#: One example row per sheet, shown in its template.
EXAMPLES: dict[str, dict[str, Any]] = {
    "partners": {"name": "Mäkelän tila", "kind": "farm", "contact_name": "Liisa Mäkelä"},
    "sites": {"name": "Pajatalo", "address": "Rantakatu 4, 40100 Jyväskylä", "country": "FI"},
    "staff": {"name": "Olli Ohjaaja", "email": "olli@example.org", "role": "staff"},
    "activities": {
        "title": "Woodwork",
        "kind": "workshop",
        "demand_level": 2,
        "min_participants": 2,
        "max_participants": 8,
        "participants_per_staff": 4,
        "animal_contact": False,
        "skills": ["woodwork", "hand_tools"],
    },
    "slots": {"weekday": 1, "start": "09:00", "end": "12:00", "valid_from": "2027-01-04"},
    "participants": {
        "name": "Maija Esimerkki",
        "language": "fi",
        "referral_date": "2026-11-02",
        "weekly_hours": 6,
        "max_sessions_per_day": 1,
        "demand_tolerance": 3,
        "animal_contact_allowed": True,
        "available": ["1 09:00-15:00", "3 09:00-12:00"],
    },
    "goals": {
        "participant": "Maija Esimerkki",
        "text": "I want to get out of the house twice a week.",
        "priority": 2,
    },
    "placements": {
        "participant": "Maija Esimerkki",
        "weekday": 1,
        "start": "09:00",
        "start_date": "2027-01-04",
    },
}


def explanation(column: Column, translate: Any) -> str:
    """What goes in `column`, in the reader's language."""
    kind = "list" if column.type == "list" else column.type
    said = translate(EXPLANATIONS.get(kind, EXPLANATIONS["text"]))
    return f"{said} {translate(REQUIRED if column.required else OPTIONAL)}"
