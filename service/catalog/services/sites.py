"""Sites and their rooms."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from service import events
from service.audit.services import Actor, record
from service.auth.schemas import CurrentUser
from service.catalog.schemas import RoomIn, RoomOut, SiteIn, SiteOut
from service.catalog.services.checks import (
    check_country,
    check_features,
    check_time_zone,
    exists,
    get_row,
)
from service.catalog.services.visibility import check_site_visible, site_scope
from service.catalog.tables import Activity, Partner, Room, Site, SiteFeature
from service.db import row_lock, save_row, transaction
from service.errors import Conflict, InvalidInput
from service.i18n import gettext as _


async def list_sites(user: CurrentUser | None = None) -> list[SiteOut]:
    query = Site.select().order_by(Site.name)
    scope = site_scope(user) if user else None
    if scope is not None:
        if not scope:
            return []
        query = query.where(Site.id.is_in(sorted(scope)))
    rows = await query
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    features: dict[int, list[str]] = defaultdict(list)
    for item in await SiteFeature.select().where(SiteFeature.site.is_in(ids)):
        features[item["site"]].append(item["feature"])
    rooms: dict[int, list[RoomOut]] = defaultdict(list)
    for room in await Room.select().where(Room.site.is_in(ids)).order_by(Room.name):
        rooms[room["site"]].append(_room_out(room))
    return [_site_out(row, sorted(features[row["id"]]), rooms[row["id"]]) for row in rows]


async def get_site(site_id: int, user: CurrentUser | None = None) -> SiteOut:
    if user is not None:
        check_site_visible(user, site_id)
    row = await get_row(Site, site_id, _("There is no site %(id)s.", id=site_id))
    features = await SiteFeature.select(SiteFeature.feature).where(SiteFeature.site == site_id)
    rooms = await Room.select().where(Room.site == site_id).order_by(Room.name)
    return _site_out(row, sorted(f["feature"] for f in features), [_room_out(r) for r in rooms])


async def save_site(actor: Actor, data: SiteIn, site_id: int | None = None) -> SiteOut:
    check_time_zone(data.time_zone)
    check_country(data.country)
    features = check_features(data.features)
    if data.partner_id is not None and not await exists(Partner, data.partner_id):
        raise InvalidInput("partner_id", _("There is no partner %(id)s.", id=data.partner_id))
    values = {
        Site.name: data.name.strip(),
        Site.time_zone: data.time_zone,
        Site.country: data.country.upper(),
        Site.address: data.address.strip(),
        Site.phone: data.phone.strip(),
        Site.partner: data.partner_id,
    }
    async with transaction():
        if site_id is not None:
            await get_site(site_id)
        site_id, verb = await save_row(Site, values, site_id)
        action = f"site.{verb}"
        await SiteFeature.delete().where(SiteFeature.site == site_id)
        if features:
            await SiteFeature.insert(*[SiteFeature(site=site_id, feature=f) for f in features])
        await record(
            actor,
            action,
            entity="site",
            entity_id=site_id,
            details={"name": data.name, "features": features},
        )
        await events.publish(events.SiteChanged(site_id=site_id))
    return await get_site(site_id)


async def delete_site(actor: Actor, site_id: int) -> None:
    site = await get_site(site_id)
    # Locked for deleting: an activity added at the same moment waits, then fails.
    async with transaction(row_lock(Site, site_id, deleting=True)):
        if await Activity.exists().where(Activity.site == site_id):
            raise Conflict(_("Activities are held at this site; move or delete them first."))
        await Site.delete().where(Site.id == site_id)
        await record(
            actor, "site.delete", entity="site", entity_id=site_id, details={"name": site.name}
        )


async def add_room(actor: Actor, site_id: int, data: RoomIn) -> RoomOut:
    await get_site(site_id)
    async with transaction(row_lock(Site, site_id)):  # rooms of a site added in turn
        site = await get_site(site_id)
        if any(room.name.lower() == data.name.strip().lower() for room in site.rooms):
            raise Conflict(_("The site already has a room called %(name)s.", name=data.name))
        room = Room(site=site_id, name=data.name.strip(), capacity=data.capacity)
        await room.save()
        await record(
            actor,
            "room.create",
            entity="room",
            entity_id=room.id,
            details={"site_id": site_id, "name": room.name},
        )
        await events.publish(events.SiteChanged(site_id=site_id))
    return RoomOut(id=room.id, site_id=site_id, name=room.name, capacity=room.capacity)


async def get_room(room_id: int) -> RoomOut:
    """One room, or NotFound."""
    return _room_out(await get_row(Room, room_id, _("There is no room %(id)s.", id=room_id)))


async def delete_room(actor: Actor, room_id: int) -> None:
    room = await get_room(room_id)
    async with transaction():
        await Room.delete().where(Room.id == room_id)
        await record(
            actor, "room.delete", entity="room", entity_id=room_id, details={"name": room.name}
        )
        await events.publish(events.SiteChanged(site_id=room.site_id))


def _room_out(row: dict[str, Any]) -> RoomOut:
    return RoomOut(id=row["id"], site_id=row["site"], name=row["name"], capacity=row["capacity"])


def _site_out(row: dict[str, Any], features: list[str], rooms: list[RoomOut]) -> SiteOut:
    return SiteOut(
        id=row["id"],
        name=row["name"],
        time_zone=row["time_zone"],
        country=row["country"],
        address=row["address"],
        phone=row["phone"],
        partner_id=row["partner"],
        features=features,
        rooms=rooms,
    )
