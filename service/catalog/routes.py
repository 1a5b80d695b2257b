"""JSON API of the catalogue: sites and rooms, partners, goal domains, activities."""

from __future__ import annotations

from typing import Any

from litestar import Request, delete, get, post, put
from litestar.params import FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from service.auth.guards import permission
from service.catalog import services
from service.catalog.schemas import (
    ActivityIn,
    ActivityOut,
    GoalDomainIn,
    GoalDomainOut,
    PartnerIn,
    PartnerOut,
    RoomIn,
    RoomOut,
    SiteDayServiceIn,
    SiteDayServiceOut,
    SiteIn,
    SiteOut,
)
from service.catalog.tables import ActivityKind
from service.params import OptionalQueryId, PathId
from service.web import actor_of, current_user

Req = Request[Any, Any, Any]


# --- sites ---------------------------------------------------------------------------


@get("/api/v1/sites", guards=[permission("catalog.view")], tags=["catalogue"])
async def list_sites(request: Req) -> list[SiteOut]:
    """Administrators and coordinators see every site; staff and partners their own."""
    return await services.list_sites(current_user(request))


@get("/api/v1/sites/{site_id:int}", guards=[permission("catalog.view")], tags=["catalogue"])
async def get_site(request: Req, site_id: PathId) -> SiteOut:
    return await services.get_site(site_id, current_user(request))


@post(
    "/api/v1/sites",
    guards=[permission("catalog.edit")],
    status_code=HTTP_201_CREATED,
    tags=["catalogue"],
)
async def create_site(request: Req, data: JSONBody[SiteIn]) -> SiteOut:
    return await services.save_site(actor_of(request), data)


@put("/api/v1/sites/{site_id:int}", guards=[permission("catalog.edit")], tags=["catalogue"])
async def update_site(request: Req, site_id: PathId, data: JSONBody[SiteIn]) -> SiteOut:
    return await services.save_site(actor_of(request), data, site_id)


@delete(
    "/api/v1/sites/{site_id:int}",
    guards=[permission("catalog.edit")],
    status_code=HTTP_204_NO_CONTENT,
    tags=["catalogue"],
)
async def delete_site(request: Req, site_id: PathId) -> None:
    await services.delete_site(actor_of(request), site_id)


@post(
    "/api/v1/sites/{site_id:int}/rooms",
    guards=[permission("catalog.edit")],
    status_code=HTTP_201_CREATED,
    tags=["catalogue"],
)
async def add_room(request: Req, site_id: PathId, data: JSONBody[RoomIn]) -> RoomOut:
    return await services.add_room(actor_of(request), site_id, data)


@delete(
    "/api/v1/rooms/{room_id:int}",
    guards=[permission("catalog.edit")],
    status_code=HTTP_204_NO_CONTENT,
    tags=["catalogue"],
)
async def delete_room(request: Req, room_id: PathId) -> None:
    await services.delete_room(actor_of(request), room_id)


# --- partners ------------------------------------------------------------------------


@get("/api/v1/partners", guards=[permission("catalog.edit")], tags=["catalogue"])
async def list_partners() -> list[PartnerOut]:
    return await services.list_partners()


@get("/api/v1/partners/{partner_id:int}", guards=[permission("catalog.edit")], tags=["catalogue"])
async def get_partner(partner_id: PathId) -> PartnerOut:
    return await services.get_partner(partner_id)


@post(
    "/api/v1/partners",
    guards=[permission("catalog.edit")],
    status_code=HTTP_201_CREATED,
    tags=["catalogue"],
)
async def create_partner(request: Req, data: JSONBody[PartnerIn]) -> PartnerOut:
    return await services.save_partner(actor_of(request), data)


@put("/api/v1/partners/{partner_id:int}", guards=[permission("catalog.edit")], tags=["catalogue"])
async def update_partner(request: Req, partner_id: PathId, data: JSONBody[PartnerIn]) -> PartnerOut:
    return await services.save_partner(actor_of(request), data, partner_id)


@delete(
    "/api/v1/partners/{partner_id:int}",
    guards=[permission("catalog.edit")],
    status_code=HTTP_204_NO_CONTENT,
    tags=["catalogue"],
)
async def delete_partner(request: Req, partner_id: PathId) -> None:
    await services.delete_partner(actor_of(request), partner_id)


# --- goal domains --------------------------------------------------------------------


@get("/api/v1/goal-domains", guards=[permission("account.use")], tags=["catalogue"])
async def list_domains() -> list[GoalDomainOut]:
    return await services.list_domains()


@post(
    "/api/v1/goal-domains",
    guards=[permission("goal_domains.manage")],
    status_code=HTTP_200_OK,
    tags=["catalogue"],
)
async def save_domain(request: Req, data: JSONBody[GoalDomainIn]) -> GoalDomainOut:
    """Add a goal domain, or relabel or retire the one with this key."""
    return await services.save_domain(actor_of(request), data)


# --- activities ----------------------------------------------------------------------


@get("/api/v1/activities", guards=[permission("catalog.view")], tags=["catalogue"])
async def list_activities(
    request: Req, site: OptionalQueryId = None, kind: FromQuery[ActivityKind | None] = None
) -> list[ActivityOut]:
    return await services.list_activities(current_user(request), site_id=site, kind=kind)


@get(
    "/api/v1/activities/{activity_id:int}", guards=[permission("catalog.view")], tags=["catalogue"]
)
async def get_activity(request: Req, activity_id: PathId) -> ActivityOut:
    return await services.get_activity(activity_id, current_user(request))


@post(
    "/api/v1/activities",
    guards=[permission("catalog.edit")],
    status_code=HTTP_201_CREATED,
    tags=["catalogue"],
)
async def create_activity(request: Req, data: JSONBody[ActivityIn]) -> ActivityOut:
    return await services.save_activity(actor_of(request), data)


@put(
    "/api/v1/activities/{activity_id:int}", guards=[permission("catalog.edit")], tags=["catalogue"]
)
async def update_activity(
    request: Req, activity_id: PathId, data: JSONBody[ActivityIn]
) -> ActivityOut:
    return await services.save_activity(actor_of(request), data, activity_id)


@delete(
    "/api/v1/activities/{activity_id:int}",
    guards=[permission("catalog.edit")],
    status_code=HTTP_204_NO_CONTENT,
    tags=["catalogue"],
)
async def delete_activity(request: Req, activity_id: PathId) -> None:
    await services.delete_activity(actor_of(request), activity_id)


@get(
    "/api/v1/sites/{site_id:int}/day-service",
    guards=[permission("catalog.view")],
    tags=["catalogue"],
)
async def get_day_service(request: Req, site_id: PathId) -> SiteDayServiceOut:
    """Whether the site serves lunch, and its transport arrangement."""
    await services.get_site(site_id, current_user(request))
    return await services.get_day_service(site_id)


@put(
    "/api/v1/sites/{site_id:int}/day-service",
    guards=[permission("catalog.edit")],
    tags=["catalogue"],
)
async def save_day_service(
    request: Req, site_id: PathId, data: JSONBody[SiteDayServiceIn]
) -> SiteDayServiceOut:
    return await services.save_day_service(actor_of(request), site_id, data)


ROUTES = [
    get_day_service,
    save_day_service,
    list_sites,
    get_site,
    create_site,
    update_site,
    delete_site,
    add_room,
    delete_room,
    list_partners,
    get_partner,
    create_partner,
    update_partner,
    delete_partner,
    list_domains,
    save_domain,
    list_activities,
    get_activity,
    create_activity,
    update_activity,
    delete_activity,
]
