"""JSON API of staff profiles, staff absences and cover."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, delete, get, post, put
from litestar.datastructures import State
from litestar.params import FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from service.auth.guards import permission
from service.errors import checked_days
from service.params import OptionalQueryId, PathId
from service.staff import services
from service.staff.schemas import (
    AbsenceIn,
    AbsenceOut,
    CoverAssignIn,
    CoverCancelIn,
    CoverDayOut,
    CoverResult,
    RotaOut,
    StaffProfileIn,
    StaffProfileOut,
)
from service.web import actor_of, current_user

Req = Request[Any, Any, Any]


@get("/api/v1/staff", guards=[permission("staff.manage")], tags=["staff"])
async def list_staff() -> list[StaffProfileOut]:
    return await services.list_staff()


@get("/api/v1/staff/{user_id:int}", guards=[permission("staff.manage")], tags=["staff"])
async def get_staff(user_id: PathId) -> StaffProfileOut:
    return await services.get_staff(user_id)


@put("/api/v1/staff/{user_id:int}", guards=[permission("staff.manage")], tags=["staff"])
async def save_staff(
    request: Req, user_id: PathId, data: JSONBody[StaffProfileIn]
) -> StaffProfileOut:
    """Replace a staff member's skills, sites, weekly availability and contract hours."""
    return await services.save_staff(actor_of(request), user_id, data)


@post(
    "/api/v1/staff/absences",
    guards=[permission("staff_absence.record")],
    status_code=HTTP_201_CREATED,
    tags=["staff"],
)
async def record_absence(request: Req, data: JSONBody[AbsenceIn]) -> AbsenceOut:
    """Record a staff absence: staff their own, coordinators anyone's (`user_id`)."""
    return await services.record_absence(actor_of(request), data)


@get("/api/v1/staff/absences", guards=[permission("staff_absence.view")], tags=["staff"])
async def list_absences(
    request: Req, start: FromQuery[date], end: FromQuery[date], user: OptionalQueryId = None
) -> list[AbsenceOut]:
    """Staff absences touching `start`..`end` (staff: only their own)."""
    checked_days(start=start, end=end)
    return await services.list_absences(current_user(request), start, end, user)


@delete(
    "/api/v1/staff/absences/{absence_id:int}",
    guards=[permission("staff_absence.record")],
    status_code=HTTP_204_NO_CONTENT,
    tags=["staff"],
)
async def delete_absence(request: Req, absence_id: PathId) -> None:
    await services.delete_absence(actor_of(request), absence_id)


@get("/api/v1/staff/rota", guards=[permission("rota.view")], tags=["staff"])
async def week_rota(request: Req, week: FromQuery[date]) -> RotaOut:
    """The staff week around `week`: everyone's for planners, one's own for staff."""
    checked_days(week=week)
    user = current_user(request)
    assert user is not None
    return await services.week_rota(user, week)


@get("/api/v1/cover", guards=[permission("cover.plan")], tags=["staff"])
async def cover_day(state: State, date: FromQuery[date]) -> CoverDayOut:
    """The sessions of a day that staff absences leave without enough staff, with who
    could step in (best first; the proposed ones first) and why others cannot."""
    checked_days(date=date)
    return await services.cover_day(date, state.settings.match_travel_buffer)


@post(
    "/api/v1/cover/sessions/{session_id:int}/assign",
    guards=[permission("cover.plan")],
    status_code=HTTP_200_OK,
    tags=["staff"],
)
async def assign_cover(
    request: Req, session_id: PathId, data: JSONBody[CoverAssignIn]
) -> CoverResult:
    """A staff member steps in for the absent staff; 409 if the session changed."""
    return await services.assign_cover(actor_of(request), session_id, data)


@post(
    "/api/v1/cover/sessions/{session_id:int}/cancel",
    guards=[permission("cover.plan")],
    status_code=HTTP_200_OK,
    tags=["staff"],
)
async def cancel_uncovered(
    request: Req, session_id: PathId, data: JSONBody[CoverCancelIn]
) -> CoverResult:
    """Cancel a session nobody can cover; 409 if the session changed."""
    return await services.cancel_uncovered(actor_of(request), session_id, data)


ROUTES = [
    list_staff,
    get_staff,
    save_staff,
    record_absence,
    list_absences,
    delete_absence,
    week_rota,
    cover_day,
    assign_cover,
    cancel_uncovered,
]
