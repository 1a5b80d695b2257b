"""Importing sites. A site is known by its name: a row with the name of a site Tupa
holds updates that site (names are what activities, slots and participants' sites
refer to), so a second import of the same file changes nothing. Each row is saved
through the catalogue's own `save_site`, with its rules, audit and events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from service.audit.services import Actor
from service.catalog.schemas import SiteIn
from service.catalog.services import check_country, check_time_zone, save_site
from service.catalog.tables import Partner
from service.errors import InvalidInput
from service.transfer.planning import (
    CREATE,
    UPDATE,
    Holdings,
    Planned,
    Rules,
    holdings_of,
    split_list,
)
from service.transfer.services.export import site_rows
from service.transfer.sheets import SHEETS_BY_KIND

SHEET = SHEETS_BY_KIND["sites"]
RULES_LENGTHS = {"name": 120, "time_zone": 64, "address": 240, "phone": 40}


async def holdings() -> Holdings:
    return holdings_of(SHEET, await site_rows())


async def rules() -> Rules:
    return Rules(
        lengths=RULES_LENGTHS,
        check=_site_problems,
        prepare=_upper_country,
        identify=_name_of,
        identity_is_record=True,
    )


def _name_of(row: Mapping[str, Any]) -> str:
    return " ".join(str(row.get("name") or "").split()).casefold()


def _upper_country(values: dict[str, Any]) -> dict[str, Any]:
    """A country code as the catalogue stores it (DK, not dk)."""
    if values.get("country"):
        return {**values, "country": str(values["country"]).upper()}
    return values


def _site_problems(row: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """The catalogue's own checks of a time zone and a country, said for the row."""
    problems: list[tuple[str, str, dict[str, Any]]] = []
    for key, check in (("time_zone", check_time_zone), ("country", check_country)):
        if row.get(key):
            try:
                check(str(row[key]))
            except InvalidInput as error:
                problems.append((key, "%(reason)s", {"reason": error.detail}))
    return problems


async def write(
    actor: Actor, upload_id: int, planned: Sequence[Planned]
) -> tuple[list[int], list[int]]:
    partners = {row["name"]: row["id"] for row in await Partner.select(Partner.id, Partner.name)}
    current = (await holdings()).rows
    created: list[int] = []
    updated: list[int] = []
    for row in planned:
        if row.action not in (CREATE, UPDATE):
            continue
        merged = {**current.get(row.record_id or 0, {}), **row.values}
        site = await save_site(actor, _site_in(merged, partners), row.record_id)
        (created if row.action == CREATE else updated).append(site.id)
    return created, updated


def _site_in(values: Mapping[str, Any], partners: Mapping[str, int]) -> SiteIn:
    given = {
        key: str(values[key]).strip()
        for key in ("time_zone", "country", "address", "phone")
        if values.get(key)
    }
    if "country" in given:
        given["country"] = given["country"].upper()
    return SiteIn(
        name=str(values["name"]).strip(),
        partner_id=partners.get(str(values.get("partner") or "")),
        features=split_list(values.get("features")),
        **given,
    )
