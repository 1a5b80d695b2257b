"""Importing participants' goals, in their own words, with their goal domains.

A goal names its participant by Tupa's id, by the provider's own number or by name
(when only one participant has it). A goal has no number of its own: a row with the
same participant and the same words as a goal Tupa holds is that goal, so a second
import of the same file changes nothing.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from service import events
from service.audit.services import Actor, Entry, record_many
from service.catalog.tables import GoalDomain
from service.people.tables import Goal, GoalDomainLink, GoalStatus, Participant
from service.transfer.planning import (
    CREATE,
    UPDATE,
    Holdings,
    Planned,
    Rules,
    holdings_of,
    split_list,
)
from service.transfer.services.export import goal_rows
from service.transfer.sheets import N_, SHEETS_BY_KIND

SHEET = SHEETS_BY_KIND["goals"]
GOAL_TEXT_LENGTH = 1000
CHUNK = 500  # rows to an INSERT

NO_PARTICIPANT = N_("There is no participant named %(value)s.")
NO_PARTICIPANT_CLOSE = N_("There is no participant named %(value)s. Did you mean %(match)s?")
SEVERAL_PARTICIPANTS = N_(
    "Several participants are named %(value)s: give the participant's Tupa id or own number."
)
NO_PARTICIPANT_ID = N_("There is no participant with Tupa id %(value)s.")
NO_PARTICIPANT_NUMBER = N_("There is no participant with the number %(value)s.")


async def holdings() -> Holdings:
    return holdings_of(SHEET, await goal_rows())


async def rules() -> Rules:
    """The rules of a goal's row, with the participants as Tupa holds them now."""
    people = await Participant.select(
        Participant.id, Participant.display_name, Participant.external_id
    ).where(Participant.erased_at.is_null())
    finder = _ParticipantFinder(people)
    return Rules(
        lengths={"text": GOAL_TEXT_LENGTH},
        ranges={"priority": (1, 3)},
        prepare=finder.resolve,
        check=finder.problems,
        identify=_goal_identity,
        references=("participant_id", "participant_number", "participant"),
        identity_is_record=True,
    )


def _goal_identity(row: Mapping[str, Any]) -> tuple[Any, str]:
    return (row.get("participant_id"), " ".join(str(row.get("text") or "").split()).casefold())


class _ParticipantFinder:
    """Which participant a goal's row names."""

    def __init__(self, people: Sequence[Mapping[str, Any]]) -> None:
        self.ids = {row["id"] for row in people}
        self.by_number = {row["external_id"]: row["id"] for row in people if row["external_id"]}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.names: dict[str, str] = {}
        for row in people:
            plain = _plain(row["display_name"])
            self.by_name[plain].append(row["id"])
            self.names.setdefault(plain, row["display_name"])

    def resolve(self, values: dict[str, Any]) -> dict[str, Any]:
        """The row with `participant_id` filled in where its participant is found."""
        given = values.get("participant_id")
        if given is not None:
            return values
        number = values.get("participant_number")
        if number:
            return {**values, "participant_id": self.by_number.get(str(number))}
        named = self.by_name.get(_plain(str(values.get("participant") or "")), [])
        return {**values, "participant_id": named[0] if len(named) == 1 else None}

    def problems(self, row: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
        participant_id = row.get("participant_id")
        if participant_id is not None:
            if participant_id not in self.ids:
                return [("participant_id", NO_PARTICIPANT_ID, {"value": participant_id})]
            return []
        number = row.get("participant_number")
        if number:
            return [("participant_number", NO_PARTICIPANT_NUMBER, {"value": number})]
        name = str(row.get("participant") or "")
        if len(self.by_name.get(_plain(name), [])) > 1:
            return [("participant", SEVERAL_PARTICIPANTS, {"value": name})]
        close = difflib.get_close_matches(_plain(name), list(self.names), n=1, cutoff=0.6)
        if close:
            match = self.names[close[0]]
            return [("participant", NO_PARTICIPANT_CLOSE, {"value": name, "match": match})]
        return [("participant", NO_PARTICIPANT, {"value": name})]


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()


async def write(
    actor: Actor, upload_id: int, planned: Sequence[Planned]
) -> tuple[list[int], list[int]]:
    """New goals in a few statements, changed ones one by one; then their domains, the
    audit events and the domain events."""
    domains = {r["key"]: r["id"] for r in await GoalDomain.select(GoalDomain.id, GoalDomain.key)}
    creating = [row for row in planned if row.action == CREATE]
    updating = [row for row in planned if row.action == UPDATE]
    new = [
        Goal(
            participant=row.values["participant_id"],
            text=str(row.values["text"]).strip(),
            priority=row.values.get("priority") or 2,
            status=row.values.get("status") or GoalStatus.active.value,
        )
        for row in creating
    ]
    for start in range(0, len(new), CHUNK):
        await Goal.insert(*new[start : start + CHUNK])
    created = [goal.id for goal in new]
    links = [
        GoalDomainLink(goal=goal_id, domain=domains[key])
        for row, goal_id in zip(creating, created, strict=True)
        for key in split_list(row.values.get("domains"))
    ]
    updated = []
    for row in updating:
        goal_id = row.record_id or 0
        values = {key: row.values[key] for key in row.changed}
        columns = _goal_columns(values)
        if columns:
            await Goal.update(columns).where(Goal.id == goal_id)
        if "domains" in values:
            await GoalDomainLink.delete().where(GoalDomainLink.goal == goal_id)
            links += [
                GoalDomainLink(goal=goal_id, domain=domains[key])
                for key in split_list(values["domains"])
            ]
        updated.append(goal_id)
    for start in range(0, len(links), CHUNK):
        await GoalDomainLink.insert(*links[start : start + CHUNK])
    done = [*zip(creating, created, strict=True), *zip(updating, updated, strict=True)]
    await record_many(
        actor,
        [
            Entry(
                f"goal.{row.action}",
                "participant",
                row.values["participant_id"],
                {"goal_id": goal_id, "import": upload_id, "row": row.number},
            )
            for row, goal_id in done
        ],
    )
    for participant_id in sorted({row.values["participant_id"] for row, _ in done}):
        await events.publish(events.ParticipantChanged(participant_id=participant_id))
    return created, updated


def _goal_columns(values: Mapping[str, Any]) -> dict[Any, Any]:
    columns: dict[Any, Any] = {}
    if "text" in values:
        columns[Goal.text] = str(values["text"]).strip()
    if "priority" in values:
        columns[Goal.priority] = values["priority"] or 2
    if "status" in values:
        columns[Goal.status] = values["status"] or GoalStatus.active.value
    return columns
