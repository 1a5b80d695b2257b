"""Importing participants: their records and their capacity (times of the week,
sites they can reach, accessibility needs, strengths)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, time
from typing import Any

from piccolo.table import Table

from service import clock, events
from service.audit.services import Actor, Entry, record_many
from service.auth.tables import User
from service.catalog.tables import Site
from service.people.services import REVIEW_INTERVAL
from service.people.tables import (
    AccessibilityNeed,
    AvailabilityWindow,
    Participant,
    ParticipantStatus,
    ReachableSite,
    Strength,
)
from service.transfer.planning import (
    CREATE,
    UPDATE,
    Holdings,
    Planned,
    Rules,
    holdings_of,
    normalise_windows,
    participant_problems,
    split_list,
    week_window,
)
from service.transfer.services.export import participant_rows
from service.transfer.sheets import SHEETS_BY_KIND

SHEET = SHEETS_BY_KIND["participants"]
CHUNK = 500  # rows to an INSERT
RULES = Rules(
    lengths={
        "external_id": 64,
        "name": 120,
        "contact": 254,
        "support_person": 120,
        "support_contact": 254,
    },
    ranges={"weekly_hours": (0, 40), "max_sessions_per_day": (1, 4), "demand_tolerance": (1, 5)},
    check=participant_problems,
    prepare=normalise_windows,
)


async def holdings() -> Holdings:
    return holdings_of(SHEET, await participant_rows())


async def rules() -> Rules:
    return RULES


#: Row keys and the participant's columns they fill.
PARTICIPANT_FIELDS = {
    "external_id": Participant.external_id,
    "name": Participant.display_name,
    "language": Participant.preferred_language,
    "contact": Participant.contact,
    "support_person": Participant.support_person,
    "support_contact": Participant.support_contact,
    "referral_date": Participant.referral_date,
    "plan_start": Participant.plan_start,
    "plan_end": Participant.plan_end,
    "status": Participant.status,
    "weekly_hours": Participant.weekly_hours,
    "max_sessions_per_day": Participant.max_sessions_per_day,
    "demand_tolerance": Participant.demand_tolerance,
    "animal_contact_allowed": Participant.animal_contact_allowed,
}
DATE_FIELDS = ("referral_date", "plan_start", "plan_end")
TEXT_DEFAULTS = {"contact": "", "support_person": "", "support_contact": ""}


async def write(
    actor: Actor, upload_id: int, planned: Sequence[Planned]
) -> tuple[list[int], list[int]]:
    """New participants in a few statements (thousands of rows at once), changed ones
    one by one; then what hangs on them, the audit events and the domain events."""
    sites = {row["name"]: row["id"] for row in await Site.select(Site.id, Site.name)}
    staff = {row["email"]: row["id"] for row in await User.select(User.id, User.email)}
    creating = [row for row in planned if row.action == CREATE]
    updating = [row for row in planned if row.action == UPDATE]
    new = [_new_participant(row.values, staff, clock.today()) for row in creating]
    for start in range(0, len(new), CHUNK):
        await Participant.insert(*new[start : start + CHUNK])
    created = [participant.id for participant in new]
    children: list[Table] = []
    for row, participant_id in zip(creating, created, strict=True):
        children += _capacity_rows(participant_id, row.values, sites)
    updated = []
    for row in updating:
        participant_id = row.record_id or 0
        values = {key: row.values[key] for key in row.changed}
        columns = _participant_columns(values, staff)
        columns[Participant.updated_at] = clock.utcnow()
        await Participant.update(columns).where(Participant.id == participant_id)
        for key, table in CAPACITY_LISTS.items():
            if key in values:
                await table.delete().where(table.participant == participant_id)  # type: ignore[attr-defined]
        children += _capacity_rows(participant_id, values, sites)
        updated.append(participant_id)
    await _insert_all(children)
    await record_many(
        actor,
        [
            Entry(
                f"participant.{row.action}", "participant", participant_id, _detail(upload_id, row)
            )
            for row, participant_id in [
                *zip(creating, created, strict=True),
                *zip(updating, updated, strict=True),
            ]
        ],
    )
    for participant_id in [*created, *updated]:
        await events.publish(events.ParticipantChanged(participant_id=participant_id))
    return created, updated


def _detail(upload_id: int, row: Planned) -> dict[str, Any]:
    return {"import": upload_id, "row": row.number}


def _new_participant(
    values: Mapping[str, Any], staff: Mapping[str, int], today: date
) -> Participant:
    columns = _participant_columns(values, staff)
    columns.setdefault(Participant.status, ParticipantStatus.waiting.value)
    columns.setdefault(Participant.preferred_language, "")  # not recorded: the browser decides
    for key, default in TEXT_DEFAULTS.items():
        columns[PARTICIPANT_FIELDS[key]] = columns.get(PARTICIPANT_FIELDS[key]) or default
    start = columns.get(Participant.plan_start) or today
    columns[Participant.next_review] = start + REVIEW_INTERVAL
    return Participant(**{column._meta.name: value for column, value in columns.items()})


async def _insert_all(rows: list[Table]) -> None:
    """Rows of several tables, a few hundred to a statement."""
    by_table: dict[type[Table], list[Table]] = {}
    for row in rows:
        by_table.setdefault(type(row), []).append(row)
    for table, items in by_table.items():
        for start in range(0, len(items), CHUNK):
            await table.insert(*items[start : start + CHUNK])


def _participant_columns(values: Mapping[str, Any], staff: Mapping[str, int]) -> dict[Any, Any]:
    columns: dict[Any, Any] = {}
    for key, value in values.items():
        if key in PARTICIPANT_FIELDS:
            if key in DATE_FIELDS and value is not None:
                value = date.fromisoformat(value)
            if key in TEXT_DEFAULTS and value is None:
                value = ""
            columns[PARTICIPANT_FIELDS[key]] = value
    if "contact_staff" in values:
        columns[Participant.contact_staff] = staff.get(values["contact_staff"] or "")
    for key, default in (
        ("weekly_hours", 0.0),
        ("max_sessions_per_day", 1),
        ("demand_tolerance", 3),
        ("animal_contact_allowed", True),
        ("status", ParticipantStatus.waiting.value),
        ("language", ""),
    ):
        if key in values and values[key] is None:
            columns[PARTICIPANT_FIELDS[key]] = default
    return columns


CAPACITY_LISTS: dict[str, type[Table]] = {
    "available": AvailabilityWindow,
    "sites": ReachableSite,
    "needs": AccessibilityNeed,
    "strengths": Strength,
}


def _capacity_rows(
    participant_id: int, values: Mapping[str, Any], sites: Mapping[str, int]
) -> list[Table]:
    """The rows of the lists a row holds (each replaces what the participant had)."""
    rows: list[Table] = []
    for text in split_list(values.get("available")):
        window = week_window(text)
        if window is not None:
            day, start, end = window
            rows.append(
                AvailabilityWindow(
                    participant=participant_id,
                    weekday=day - 1,
                    start=clock_time(start),
                    end=clock_time(end),
                )
            )
    rows += [
        ReachableSite(participant=participant_id, site=sites[name])
        for name in split_list(values.get("sites"))
    ]
    rows += [
        AccessibilityNeed(participant=participant_id, feature=feature)
        for feature in split_list(values.get("needs"))
    ]
    rows += [
        Strength(participant=participant_id, tag=tag) for tag in split_list(values.get("strengths"))
    ]
    return rows


def clock_time(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))
