"""JSON API of staff profiles."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, put
from litestar.params import JSONBody

from service.auth.guards import permission
from service.params import PathId
from service.staff import services
from service.staff.schemas import StaffProfileIn, StaffProfileOut
from service.web import actor_of


@get("/api/v1/staff", guards=[permission("staff.manage")], tags=["staff"])
async def list_staff() -> list[StaffProfileOut]:
    return await services.list_staff()


@get("/api/v1/staff/{user_id:int}", guards=[permission("staff.manage")], tags=["staff"])
async def get_staff(user_id: PathId) -> StaffProfileOut:
    return await services.get_staff(user_id)


@put("/api/v1/staff/{user_id:int}", guards=[permission("staff.manage")], tags=["staff"])
async def save_staff(
    request: Request[Any, Any, Any], user_id: PathId, data: JSONBody[StaffProfileIn]
) -> StaffProfileOut:
    """Replace a staff member's skills, sites and weekly availability."""
    return await services.save_staff(actor_of(request), user_id, data)


ROUTES = [list_staff, get_staff, save_staff]
