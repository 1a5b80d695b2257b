"""Importing activities. An activity is known by its title and its site, so a second
import of the same file changes nothing; each row is saved through the catalogue's own
`save_activity` (its checks, audit and events), keeping the titles in other languages
that the spreadsheet does not hold."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from service.audit.services import Actor
from service.catalog.schemas import KEY_PATTERN, ActivityIn, DomainStrength
from service.catalog.services import get_activity, save_activity
from service.catalog.tables import ActivityKind, Site
from service.transfer.planning import (
    CREATE,
    UPDATE,
    Holdings,
    Planned,
    Rules,
    holdings_of,
    split_list,
)
from service.transfer.services.export import activity_rows
from service.transfer.sheets import LIST_SEPARATOR, N_, SHEETS_BY_KIND

SHEET = SHEETS_BY_KIND["activities"]
SKILL = re.compile(KEY_PATTERN)
MAX_STRENGTH = 3

NOT_A_SKILL = N_("%(value)s is not a skill: write it in lower case, with _ between words.")
STRENGTH_TOO_HIGH = N_("%(value)s: a goal domain's weight is 1, 2 or 3.")
MAX_BELOW_MIN = N_("The most participants cannot be fewer than the fewest.")

RULES = Rules(
    lengths={"title": 120, "description": 4000, "what_to_bring": 1000},
    ranges={
        "demand_level": (1, 5),
        "min_participants": (0, 200),
        "max_participants": (1, 200),
        "participants_per_staff": (1, 50),
    },
    identify=lambda row: (
        " ".join(str(row.get("title") or "").split()).casefold(),
        " ".join(str(row.get("site") or "").split()).casefold(),
    ),
    identity_is_record=True,
)


async def holdings() -> Holdings:
    return holdings_of(SHEET, await activity_rows())


async def rules() -> Rules:
    return Rules(
        lengths=RULES.lengths,
        ranges=RULES.ranges,
        identify=RULES.identify,
        identity_is_record=True,
        prepare=_weighted_domains,
        check=_activity_problems,
    )


def _weighted_domains(values: dict[str, Any]) -> dict[str, Any]:
    """Goal domains as the export writes them, each with its weight (1 unless given)."""
    if not values.get("domains"):
        return values
    items = [item if ":" in item else f"{item}:1" for item in split_list(values["domains"])]
    return {**values, "domains": LIST_SEPARATOR.join(sorted(items))}


def _activity_problems(row: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    problems: list[tuple[str, str, dict[str, Any]]] = []
    for skill in split_list(row.get("skills")):
        if not SKILL.match(skill):
            problems.append(("skills", NOT_A_SKILL, {"value": skill}))
    for item in split_list(row.get("domains")):
        if int(item.rpartition(":")[2] or 1) > MAX_STRENGTH:
            problems.append(("domains", STRENGTH_TOO_HIGH, {"value": item}))
    low, high = row.get("min_participants"), row.get("max_participants")
    if low is not None and high is not None and high < low:
        problems.append(("max_participants", MAX_BELOW_MIN, {}))
    return problems


async def write(
    actor: Actor, upload_id: int, planned: Sequence[Planned]
) -> tuple[list[int], list[int]]:
    sites = {row["name"]: row["id"] for row in await Site.select(Site.id, Site.name)}
    current = (await holdings()).rows
    created: list[int] = []
    updated: list[int] = []
    for row in planned:
        if row.action not in (CREATE, UPDATE):
            continue
        merged = {**current.get(row.record_id or 0, {}), **row.values}
        titles = (await get_activity(row.record_id)).titles if row.record_id else {}
        saved = await save_activity(actor, _activity_in(merged, sites, titles), row.record_id)
        (created if row.action == CREATE else updated).append(saved.id)
    return created, updated


def _activity_in(
    values: Mapping[str, Any], sites: Mapping[str, int], titles: dict[str, str]
) -> ActivityIn:
    given = {
        key: values[key]
        for key in (
            "description",
            "demand_level",
            "min_participants",
            "max_participants",
            "participants_per_staff",
            "animal_contact",
            "what_to_bring",
        )
        if values.get(key) is not None
    }
    domains = []
    for item in split_list(values.get("domains")):
        key, _, strength = item.rpartition(":")
        domains.append(DomainStrength(key=key, strength=int(strength)))
    return ActivityIn(
        title=str(values["title"]).strip(),
        kind=ActivityKind(values["kind"]),
        site_id=sites[str(values["site"])],
        domains=domains,
        required_skills=split_list(values.get("skills")),
        features=split_list(values.get("features")),
        is_active=values.get("active") is not False,
        titles=titles,
        **given,
    )
