"""JSON API of placements, the participant's own sessions, and absence notices."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import Request, get, post
from litestar.params import FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from service import clock
from service.auth.guards import permission
from service.bounds import Input
from service.errors import InvalidInput, NotFound, checked_days
from service.i18n import gettext as _
from service.params import OptionalQueryId, PathId, QueryId
from service.people.services import own_participant_id
from service.placements import services
from service.placements.schemas import (
    AbsenceIn,
    AbsenceOut,
    AbsenceTakeBack,
    AbsenceTakenBack,
    MySession,
    PlacementIn,
    PlacementOut,
    RosterEntry,
)
from service.web import actor_of, current_user

Req = Request[Any, Any, Any]


class EndIn(Input):
    end_date: date


@get("/api/v1/placements", guards=[permission("placements.manage")], tags=["placements"])
async def list_placements(
    participant: OptionalQueryId = None, slot: OptionalQueryId = None
) -> list[PlacementOut]:
    return await services.list_placements(participant_id=participant, slot_id=slot)


@post(
    "/api/v1/placements",
    guards=[permission("placements.manage")],
    status_code=HTTP_201_CREATED,
    tags=["placements"],
)
async def create_placement(request: Req, data: JSONBody[PlacementIn]) -> PlacementOut:
    """Place a participant in a weekly slot by hand (confirmed at once)."""
    return await services.place(actor_of(request), data)


@post(
    "/api/v1/placements/{placement_id:int}/end",
    guards=[permission("placements.manage")],
    status_code=HTTP_200_OK,
    tags=["placements"],
)
async def end_placement(request: Req, placement_id: PathId, data: JSONBody[EndIn]) -> PlacementOut:
    return await services.end_placement(actor_of(request), placement_id, data.end_date)


@get("/api/v1/me/sessions", guards=[permission("participant.self")], tags=["placements"])
async def my_sessions(
    request: Req, start: FromQuery[date | None] = None, end: FromQuery[date | None] = None
) -> list[MySession]:
    """The signed-in participant's sessions (default: today and the next 13 days)."""
    checked_days(start=start, end=end)
    first = start or clock.today()
    last = end or first + timedelta(days=13)
    if last < first or (last - first).days > 62:
        raise InvalidInput("end", _("Ask for at most 62 days, ending after the start."))
    user = current_user(request)
    assert user is not None
    participant_id = await own_participant_id(user)
    if participant_id is None:
        raise NotFound(_("Your account is not linked to a participant record yet."))
    return await services.my_sessions(participant_id, first, last)


@post(
    "/api/v1/absences",
    guards=[permission("absence.give")],
    status_code=HTTP_201_CREATED,
    tags=["placements"],
)
async def give_absence(request: Req, data: JSONBody[AbsenceIn]) -> AbsenceOut:
    """ "I can't come": an absence notice for a coming session, with the time given."""
    user = current_user(request)
    assert user is not None
    return await services.give_absence(actor_of(request), user, data)


@post(
    "/api/v1/absences/take-back",
    guards=[permission("absence.give")],
    status_code=HTTP_200_OK,
    tags=["placements"],
)
async def take_back_absence(request: Req, data: JSONBody[AbsenceTakeBack]) -> AbsenceTakenBack:
    """ "I can come after all": take back an absence notice until the session starts."""
    user = current_user(request)
    assert user is not None
    return await services.take_back_absence(actor_of(request), user, data)


@get("/api/v1/absences", guards=[permission("roster.view")], tags=["placements"])
async def list_absences(request: Req, session: QueryId) -> list[AbsenceOut]:
    user = current_user(request)
    assert user is not None
    return await services.list_absences(user, session)


@get(
    "/api/v1/sessions/{session_id:int}/roster",
    guards=[permission("roster.view")],
    tags=["placements"],
)
async def session_roster(request: Req, session_id: PathId) -> list[RosterEntry]:
    """Who is expected at the session. Partners see first names only."""
    user = current_user(request)
    assert user is not None
    return await services.roster(actor_of(request), user, session_id)


ROUTES = [
    session_roster,
    list_placements,
    create_placement,
    end_placement,
    my_sessions,
    give_absence,
    take_back_absence,
    list_absences,
]
