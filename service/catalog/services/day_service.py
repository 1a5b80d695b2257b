"""What a site arranges for the day: lunch, and transport with its lead time."""

from __future__ import annotations

from service import events
from service.audit.services import Actor, record
from service.catalog.schemas import SiteDayServiceIn, SiteDayServiceOut
from service.catalog.services.sites import get_site
from service.catalog.tables import Site, SiteDayService
from service.db import row_lock, transaction


async def get_day_service(site_id: int) -> SiteDayServiceOut:
    """The site's lunch and transport; a site that set none has neither."""
    await get_site(site_id)
    row = await SiteDayService.select().where(SiteDayService.site == site_id).first()
    if row is None:
        return SiteDayServiceOut(site_id=site_id)
    return SiteDayServiceOut(
        site_id=site_id,
        serves_lunch=row["serves_lunch"],
        transport_lead_minutes=row["transport_lead_minutes"],
        transport_notes=row["transport_notes"],
    )


async def save_day_service(actor: Actor, site_id: int, data: SiteDayServiceIn) -> SiteDayServiceOut:
    await get_site(site_id)
    async with transaction(row_lock(Site, site_id)):  # two saves replace one after the other
        await SiteDayService.delete().where(SiteDayService.site == site_id)
        await SiteDayService(
            site=site_id,
            serves_lunch=data.serves_lunch,
            transport_lead_minutes=data.transport_lead_minutes,
            transport_notes=data.transport_notes.strip(),
        ).save()
        await record(
            actor,
            "site.day_service",
            entity="site",
            entity_id=site_id,
            details={
                "serves_lunch": data.serves_lunch,
                "transport_lead_minutes": data.transport_lead_minutes,
            },
        )
        await events.publish(events.SiteChanged(site_id=site_id))
    return await get_day_service(site_id)
