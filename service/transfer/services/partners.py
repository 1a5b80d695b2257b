"""Importing partners. A partner is known by its name (sites refer to it by name), so a
second import of the same file changes nothing; each row is saved through the
catalogue's own `save_partner`, with its audit and events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from service.audit.services import Actor
from service.catalog.schemas import PartnerIn
from service.catalog.services import save_partner
from service.catalog.tables import PartnerKind
from service.transfer.planning import CREATE, UPDATE, Holdings, Planned, Rules, holdings_of
from service.transfer.services.export import partner_rows
from service.transfer.sheets import SHEETS_BY_KIND

SHEET = SHEETS_BY_KIND["partners"]
RULES = Rules(
    lengths={"name": 120, "contact_name": 120, "phone": 40, "email": 254, "notes": 2000},
    identify=lambda row: " ".join(str(row.get("name") or "").split()).casefold(),
    identity_is_record=True,
)


async def holdings() -> Holdings:
    return holdings_of(SHEET, await partner_rows())


async def rules() -> Rules:
    return RULES


async def write(
    actor: Actor, upload_id: int, planned: Sequence[Planned]
) -> tuple[list[int], list[int]]:
    current = (await holdings()).rows
    created: list[int] = []
    updated: list[int] = []
    for row in planned:
        if row.action not in (CREATE, UPDATE):
            continue
        merged = {**current.get(row.record_id or 0, {}), **row.values}
        partner = await save_partner(actor, _partner_in(merged), row.record_id)
        (created if row.action == CREATE else updated).append(partner.id)
    return created, updated


def _partner_in(values: Mapping[str, Any]) -> PartnerIn:
    return PartnerIn(
        name=str(values["name"]).strip(),
        kind=PartnerKind(values["kind"]),
        **{
            key: str(values[key]).strip()
            for key in ("contact_name", "phone", "email", "notes")
            if values.get(key)
        },
    )
