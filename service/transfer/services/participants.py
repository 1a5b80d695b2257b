"""Importing participants: their records and their capacity (times of the week,
sites they can reach, accessibility needs, strengths)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, time
from typing import Any

from service import clock, events
from service.audit.services import Actor, record
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
    sites = {row["name"]: row["id"] for row in await Site.select(Site.id, Site.name)}
    staff = {row["email"]: row["id"] for row in await User.select(User.id, User.email)}
    today = clock.today()
    created: list[int] = []
    updated: list[int] = []
    for row in planned:
        if row.action not in (CREATE, UPDATE):
            continue
        values = row.values if row.action == CREATE else {k: row.values[k] for k in row.changed}
        columns = _participant_columns(values, staff)
        if row.action == CREATE:
            columns.setdefault(Participant.status, ParticipantStatus.waiting.value)
            columns.setdefault(Participant.preferred_language, "fi")
            for key, default in TEXT_DEFAULTS.items():
                columns[PARTICIPANT_FIELDS[key]] = columns.get(PARTICIPANT_FIELDS[key]) or default
            start = columns.get(Participant.plan_start) or today
            columns[Participant.next_review] = start + REVIEW_INTERVAL
            participant = Participant(**{column._meta.name: v for column, v in columns.items()})
            await participant.save()
            participant_id = participant.id
            created.append(participant_id)
        else:
            participant_id = row.record_id or 0
            columns[Participant.updated_at] = clock.utcnow()
            await Participant.update(columns).where(Participant.id == participant_id)
            updated.append(participant_id)
        await _write_capacity_lists(participant_id, values, sites)
        await record(
            actor,
            f"participant.{'create' if row.action == CREATE else 'update'}",
            entity="participant",
            entity_id=participant_id,
            details={"import": upload_id, "row": row.number},
        )
        await events.publish(events.ParticipantChanged(participant_id=participant_id))
    return created, updated


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
        ("language", "fi"),
    ):
        if key in values and values[key] is None:
            columns[PARTICIPANT_FIELDS[key]] = default
    return columns


async def _write_capacity_lists(
    participant_id: int, values: Mapping[str, Any], sites: Mapping[str, int]
) -> None:
    """The lists a row holds, each replacing what the participant had."""
    if "available" in values:
        await AvailabilityWindow.delete().where(AvailabilityWindow.participant == participant_id)
        windows = [week_window(text) for text in split_list(values["available"])]
        if windows:
            await AvailabilityWindow.insert(
                *[
                    AvailabilityWindow(
                        participant=participant_id,
                        weekday=day - 1,
                        start=clock_time(start),
                        end=clock_time(end),
                    )
                    for day, start, end in filter(None, windows)
                ]
            )
    lists: tuple[tuple[str, Any, Callable[[str], Any]], ...] = (
        (
            "sites",
            ReachableSite,
            lambda v: ReachableSite(participant=participant_id, site=sites[v]),
        ),
        (
            "needs",
            AccessibilityNeed,
            lambda v: AccessibilityNeed(participant=participant_id, feature=v),
        ),
        ("strengths", Strength, lambda v: Strength(participant=participant_id, tag=v)),
    )
    for key, table, make in lists:
        if key not in values:
            continue
        await table.delete().where(table.participant == participant_id)
        items = split_list(values[key])
        if items:
            await table.insert(*[make(item) for item in items])


def clock_time(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))
