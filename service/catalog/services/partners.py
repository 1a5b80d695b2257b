"""Partners: the organisations whose sites host activities."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from service import events
from service.audit.services import Actor, record
from service.catalog.schemas import PartnerIn, PartnerOut
from service.catalog.services.checks import get_row
from service.catalog.tables import Partner, PartnerKind, Site
from service.db import row_lock, save_row, transaction
from service.errors import Conflict
from service.i18n import gettext as _


async def list_partners() -> list[PartnerOut]:
    rows = await Partner.select().order_by(Partner.name)
    sites = await Site.select(Site.id, Site.partner).where(Site.partner.is_not_null())
    by_partner: dict[int, list[int]] = defaultdict(list)
    for site in sites:
        by_partner[site["partner"]].append(site["id"])
    return [_partner_out(row, by_partner[row["id"]]) for row in rows]


async def get_partner(partner_id: int) -> PartnerOut:
    row = await get_row(Partner, partner_id, _("There is no partner %(id)s.", id=partner_id))
    sites = await Site.select(Site.id).where(Site.partner == partner_id).order_by(Site.id)
    return _partner_out(row, [site["id"] for site in sites])


async def save_partner(actor: Actor, data: PartnerIn, partner_id: int | None = None) -> PartnerOut:
    values = {
        Partner.name: data.name.strip(),
        Partner.kind: data.kind.value,
        Partner.contact_name: data.contact_name.strip(),
        Partner.phone: data.phone.strip(),
        Partner.email: data.email.strip(),
        Partner.notes: data.notes,
    }
    async with transaction():
        if partner_id is not None:
            await get_partner(partner_id)
        partner_id, verb = await save_row(Partner, values, partner_id)
        action = f"partner.{verb}"
        await record(
            actor,
            action,
            entity="partner",
            entity_id=partner_id,
            details={"name": data.name, "kind": data.kind.value},
        )
        await events.publish(events.PartnerChanged(partner_id=partner_id))
    return await get_partner(partner_id)


async def delete_partner(actor: Actor, partner_id: int) -> None:
    await get_partner(partner_id)
    # Locked for deleting: a site given this partner at the same moment waits, then fails.
    async with transaction(row_lock(Partner, partner_id, deleting=True)):
        partner = await get_partner(partner_id)
        if partner.site_ids:
            raise Conflict(_("The partner still has sites; remove or reassign them first."))
        await Partner.delete().where(Partner.id == partner_id)
        await record(
            actor,
            "partner.delete",
            entity="partner",
            entity_id=partner_id,
            details={"name": partner.name},
        )


def _partner_out(row: dict[str, Any], site_ids: list[int]) -> PartnerOut:
    return PartnerOut(
        id=row["id"],
        name=row["name"],
        kind=PartnerKind(row["kind"]),
        contact_name=row["contact_name"],
        phone=row["phone"],
        email=row["email"],
        notes=row["notes"],
        site_ids=site_ids,
    )
