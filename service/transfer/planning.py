"""What an import would do with each row it read: create, update, leave unchanged or
refuse, and why. A pure core: the rows that `reading` took and what Tupa holds now
(as the export's rows) in, a plan out; nothing is written here.

A row names its record by Tupa's id (as an export has it) or by the provider's own
number (`external_id`), so that a second import of the same file updates the records
the first one made, and changes nothing when nothing changed. A new row with the same
name and contact as a record Tupa holds is flagged as a likely duplicate.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from service.transfer.reading import CellError, Problem, Row, parse_weekday
from service.transfer.sheets import LIST_SEPARATOR, N_, Sheet, cell

CREATE, UPDATE, UNCHANGED, REFUSE = "create", "update", "unchanged", "refuse"

WINDOW = re.compile(
    r"^(?P<day>\S+)\s+(?P<start>\d{1,2}[:.]\d{2})\s*[-–]\s*(?P<end>\d{1,2}[:.]\d{2})$"
)

NO_SUCH_RECORD = N_("There is no record with Tupa id %(value)s.")
OTHER_RECORD = N_("Your number %(value)s belongs to another record than this Tupa id.")
REPEATED = N_("This row is the same record as row %(row)s.")
TOO_LONG = N_("The text is longer than %(limit)s characters.")
BELOW = N_("%(value)s is less than %(limit)s.")
ABOVE = N_("%(value)s is more than %(limit)s.")
ENDS_BEFORE = N_("The plan must end on or after its start.")
NOT_A_WINDOW = N_("%(value)s is not a time of the week: write it as 1 09:00-15:00.")
WINDOW_BACKWARDS = N_("In %(value)s the end must be after the start.")
ITEM_TOO_LONG = N_("%(value)s is longer than %(limit)s characters.")
STRENGTH_LENGTH = 60


@dataclass(frozen=True)
class Holdings:
    """What Tupa holds of one kind, as the export's rows."""

    rows: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)  # by Tupa id

    def by_external_id(self) -> dict[str, int]:
        return {
            str(row["external_id"]): record_id
            for record_id, row in self.rows.items()
            if row.get("external_id")
        }

    def by_identity(self, identify: Callable[[Mapping[str, Any]], Any]) -> dict[Any, int]:
        """Each record by what identifies it (the first record where several agree)."""
        return {
            identify(row): record_id for record_id, row in sorted(self.rows.items(), reverse=True)
        }


@dataclass(frozen=True)
class Planned:
    """One row of the upload and what confirming would do with it."""

    number: int  # the row as the spreadsheet shows it
    action: str  # CREATE, UPDATE, UNCHANGED or REFUSE
    values: dict[str, Any]  # the row's cells, normalised (see `normalised`)
    record_id: int | None = None  # the record it updates
    changed: tuple[str, ...] = ()  # the keys of the columns that change
    problems: tuple[Problem, ...] = ()
    duplicate_of: int | None = None  # a record with the same name and contact

    @property
    def label(self) -> str:
        for key in ("name", "title", "participant", "participant_number"):
            if self.values.get(key):
                return str(self.values[key])
        return ""


@dataclass(frozen=True)
class Rules:
    """What a kind checks of a row beyond its cells' types."""

    lengths: Mapping[str, int] = field(default_factory=dict)  # the longest text per key
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    check: Callable[[Mapping[str, Any]], list[tuple[str, str, dict[str, Any]]]] | None = None
    """(key, message, variables) for each problem of a row merged with its record."""
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    """The normalised row written as the export writes it, where `normalised` cannot."""
    identify: Callable[[Mapping[str, Any]], Any] | None = None
    """What makes two records likely the same (by default their name and contact)."""
    references: tuple[str, ...] = ()
    """Columns that only name another record (a goal's participant): never a change."""
    identity_is_record: bool = False
    """A row without an id or number whose identity matches a record updates it (a goal
    is its participant and its words), rather than being flagged as a likely duplicate."""


Translate = Callable[..., str]


def plan(
    sheet: Sheet,
    rows: Sequence[Row],
    holdings: Holdings,
    rules: Rules,
    translate: Translate,
) -> list[Planned]:
    """A plan for every row read, in the file's order."""
    by_external_id = holdings.by_external_id()
    identify = rules.identify or identity
    by_identity = holdings.by_identity(identify)
    headings = {column.key: translate(column.heading) for column in sheet.columns}
    seen: dict[Any, int] = {}  # a record (its id, number or identity) -> the row that named it
    planned = []
    for row in rows:
        if row.refused:
            planned.append(Planned(row.number, REFUSE, {}, problems=row.errors))
            continue
        values = normalised(sheet, row.values)
        if rules.prepare is not None:
            values = rules.prepare(values)
        problems: list[Problem] = []
        refuse = _refuser(row.number, problems, headings, translate)

        record_id = _record_of(values, holdings, by_external_id, refuse)
        if record_id is None and rules.identity_is_record and not problems:
            record_id = by_identity.get(identify(values))
        for key in ("id", "external_id"):
            name = (key, values.get(key)) if key != "id" else ("id", record_id)
            if name[1] in (None, ""):
                continue
            if name in seen:
                refuse(key, REPEATED, row=seen[name])
            seen.setdefault(name, row.number)
        if rules.identity_is_record and record_id is None:
            same = ("identity", identify(values))
            if same in seen:
                refuse("id", REPEATED, row=seen[same])
            seen.setdefault(same, row.number)
        current = holdings.rows.get(record_id, {}) if record_id else {}
        _check(values, {**current, **values}, rules, refuse)
        if problems:
            planned.append(Planned(row.number, REFUSE, values, record_id, problems=tuple(problems)))
            continue
        if record_id is None:
            duplicate = None if rules.identity_is_record else by_identity.get(identify(values))
            planned.append(Planned(row.number, CREATE, values, duplicate_of=duplicate))
            continue
        changed = tuple(
            key
            for key in values
            if key != "id"
            and key not in rules.references
            and values[key] != _comparable(current.get(key))
        )
        action = UPDATE if changed else UNCHANGED
        planned.append(Planned(row.number, action, values, record_id, changed))
    return planned


def _refuser(
    number: int, problems: list[Problem], headings: Mapping[str, str], translate: Translate
) -> Callable[..., None]:
    """A function that adds one problem of row `number` to `problems`."""

    def refuse(key: str, message: str, **variables: Any) -> None:
        problems.append(Problem(number, headings.get(key, key), translate(message, **variables)))

    return refuse


def _record_of(
    values: Mapping[str, Any],
    holdings: Holdings,
    by_external_id: Mapping[str, int],
    refuse: Callable[..., None],
) -> int | None:
    """The record a row names: by Tupa's id, else by the provider's own number."""
    record_id = values.get("id")
    external = values.get("external_id") or None
    if record_id is not None and record_id not in holdings.rows:
        refuse("id", NO_SUCH_RECORD, value=record_id)
        return None
    if external is not None and external in by_external_id:
        if record_id is not None and by_external_id[external] != record_id:
            refuse("external_id", OTHER_RECORD, value=external)
        return by_external_id[external] if record_id is None else record_id
    return record_id


def _check(
    values: Mapping[str, Any], merged: Mapping[str, Any], rules: Rules, refuse: Callable[..., None]
) -> None:
    for key, limit in rules.lengths.items():
        value = values.get(key)
        if isinstance(value, str) and len(value) > limit:
            refuse(key, TOO_LONG, limit=limit)
    for key, (low, high) in rules.ranges.items():
        value = values.get(key)
        if value is None:
            continue
        if value < low:
            refuse(key, BELOW, value=value, limit=_number(low))
        elif value > high:
            refuse(key, ABOVE, value=value, limit=_number(high))
    if rules.check is not None:
        for key, message, variables in rules.check(merged):
            refuse(key, message, **variables)


def _number(value: float) -> str:
    return f"{value:g}"


def holdings_of(sheet: Sheet, rows: Sequence[Mapping[str, Any]]) -> Holdings:
    """What Tupa holds, from the export's rows of `sheet`."""
    return Holdings({row["id"]: normalised(sheet, row) for row in rows})


def identity(row: Mapping[str, Any]) -> tuple[str, str]:
    """A record's name and contact as compared: case and spaces do not matter."""
    name = row.get("name") or row.get("title") or ""
    return (_plain(str(name)), _plain(str(row.get("contact") or "")))


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()


def normalised(sheet: Sheet, values: Mapping[str, Any]) -> dict[str, Any]:
    """A row's values as the export has them (dates as text, lists sorted and joined),
    so that a row and a record compare equal when they say the same."""
    types = {column.key: column.type for column in sheet.columns}
    result: dict[str, Any] = {}
    for key, value in values.items():
        if types.get(key) == "list":
            value = sorted(set(value or []), key=str)
        result[key] = _comparable(cell(value))
    return result


def _comparable(value: Any) -> Any:
    """A cell as compared: an empty text is no value; a whole number of hours is the
    number (an export writes 6.0 where a person writes 6)."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def split_list(value: Any) -> list[str]:
    """The items of a list cell as `normalised` keeps it."""
    return [item for item in str(value or "").split(LIST_SEPARATOR) if item]


def week_window(text: str) -> tuple[int, str, str] | None:
    """A time of the week, "1 09:00-15:00" (the weekday as a number or a name), as
    (weekday 1-7, "HH:MM", "HH:MM"); None if it is not one."""
    match = WINDOW.match(text.strip())
    if match is None:
        return None
    try:
        day = parse_weekday(match["day"])
    except CellError:
        return None
    start, end = (_clock(match[part]) for part in ("start", "end"))
    if start is None or end is None:
        return None
    return day, start, end


def _clock(text: str) -> str | None:
    hour, _, minute = text.replace(".", ":").partition(":")
    if int(hour) > 23 or int(minute) > 59:
        return None
    return f"{int(hour):02d}:{int(minute):02d}"


def participant_problems(row: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """What a participant's record must hold together: a plan that ends after it
    starts, times of the week that are times of the week."""
    problems: list[tuple[str, str, dict[str, Any]]] = []
    start, end = row.get("plan_start"), row.get("plan_end")
    if start and end and str(end) < str(start):
        problems.append(("plan_end", ENDS_BEFORE, {}))
    for text in split_list(row.get("strengths")):
        if len(text) > STRENGTH_LENGTH:
            problems.append(("strengths", ITEM_TOO_LONG, {"value": text, "limit": STRENGTH_LENGTH}))
    for text in split_list(row.get("available")):
        window = week_window(text)
        if window is None:
            problems.append(("available", NOT_A_WINDOW, {"value": text}))
        elif window[2] <= window[1]:
            problems.append(("available", WINDOW_BACKWARDS, {"value": text}))
    return problems


def normalise_windows(values: dict[str, Any]) -> dict[str, Any]:
    """The row with its times of the week written as an export writes them."""
    if not values.get("available"):
        return values
    windows = []
    for text in split_list(values["available"]):
        window = week_window(text)
        # One that is wrong stays as it was written, for the refusal to quote it.
        fine = window is not None and window[2] > window[1]
        windows.append(f"{window[0]} {window[1]}-{window[2]}" if window and fine else text)
    return {**values, "available": LIST_SEPARATOR.join(sorted(set(windows))) or None}
