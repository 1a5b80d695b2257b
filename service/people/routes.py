"""JSON API of participants and their plans. Every route checks who may see whom;
another person's id answers 404."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from litestar import Request, Response, get, post, put
from litestar.datastructures import ResponseHeader
from litestar.params import FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from service.auth.guards import permission
from service.bounds import DB_INT_MAX
from service.params import OptionalQueryId, PathId, QueryText
from service.people import services
from service.people.schemas import (
    CapacityIn,
    CapacityOut,
    DayNeedsIn,
    DayNeedsOut,
    DueReview,
    GoalIn,
    GoalOut,
    InterestsIn,
    InterestsOut,
    ParticipantExport,
    ParticipantIn,
    ParticipantOut,
    PlanEndIn,
    ReportingIn,
    ReviewIn,
    ReviewOut,
)
from service.people.services import MAX_PAGE
from service.people.tables import ParticipantStatus
from service.web import actor_of, current_user

Req = Request[Any, Any, Any]
#: Who reads participant records at all (each is then limited to whom they may see).


def _user(request: Req) -> Any:
    user = current_user(request)
    assert user is not None
    return user


@get(
    "/api/v1/participants",
    guards=[permission("participant.follow")],
    tags=["participants"],
    response_headers=[
        ResponseHeader(
            name="Link",
            description='The next page, `<...>; rel="next"`; absent on the last page.',
            documentation_only=True,
        ),
        ResponseHeader(
            name="X-Total-Count",
            description="How many participants all the pages hold.",
            documentation_only=True,
        ),
    ],
)
async def list_participants(
    request: Req,
    q: QueryText = "",
    status: FromQuery[ParticipantStatus | None] = None,
    site: OptionalQueryId = None,
    review_due: FromQuery[bool] = False,
    sort: Annotated[
        Literal["name", "id"], QueryParameter(description="Sorted by this, then by id.")
    ] = "name",
    limit: Annotated[
        int, QueryParameter(ge=1, le=MAX_PAGE, description="Participants on a page.")
    ] = 100,
    after: Annotated[
        int | None,
        QueryParameter(
            ge=1,
            le=DB_INT_MAX,
            description="The id of the last participant of the previous page (from `Link`).",
        ),
    ] = None,
) -> Response[list[ParticipantOut]]:
    """Participants the user may see, a page at a time (keyset paging: rows added
    meanwhile never make one appear twice)."""
    page = await services.page_participants(
        actor_of(request),
        _user(request),
        search=q.strip(),
        status=status,
        site_id=site,
        review_due=review_due,
        sort=sort,
        limit=limit,
        after=after,
    )
    headers = {"X-Total-Count": str(page.total)}
    if page.next_after is not None:
        following = request.url.query_params.dict()
        following["after"] = [str(page.next_after)]
        query = urlencode([(k, v) for k, values in following.items() for v in values])
        headers["Link"] = f'<{request.url.path}?{query}>; rel="next"'
    return Response(page.items, headers=headers)


@post(
    "/api/v1/participants",
    guards=[permission("participant.edit")],
    status_code=HTTP_201_CREATED,
    tags=["participants"],
)
async def create_participant(request: Req, data: JSONBody[ParticipantIn]) -> ParticipantOut:
    return await services.save_participant(actor_of(request), data)


@get(
    "/api/v1/participants/{participant_id:int}",
    guards=[permission("participant.view")],
    tags=["participants"],
)
async def get_participant(request: Req, participant_id: PathId) -> ParticipantOut:
    return await services.get_participant(actor_of(request), _user(request), participant_id)


@put(
    "/api/v1/participants/{participant_id:int}",
    guards=[permission("participant.edit")],
    tags=["participants"],
)
async def update_participant(
    request: Req, participant_id: PathId, data: JSONBody[ParticipantIn]
) -> ParticipantOut:
    return await services.save_participant(actor_of(request), data, participant_id)


@post(
    "/api/v1/participants/{participant_id:int}/end",
    guards=[permission("participant.edit")],
    status_code=HTTP_200_OK,
    tags=["participants"],
)
async def end_plan(
    request: Req, participant_id: PathId, data: JSONBody[PlanEndIn]
) -> ParticipantOut:
    """End the participant's plan: the day, the destination (work, study, another
    service, moved, own choice, no longer needs support, other) and why, for the
    outcomes report."""
    return await services.end_plan(actor_of(request), participant_id, data)


@put(
    "/api/v1/participants/{participant_id:int}/reporting",
    guards=[permission("participant.edit")],
    tags=["participants"],
)
async def save_reporting(
    request: Req, participant_id: PathId, data: JSONBody[ReportingIn]
) -> ParticipantOut:
    """The year of birth (optional) and the municipality's reference for the person."""
    return await services.save_reporting(actor_of(request), participant_id, data)


@get(
    "/api/v1/participants/{participant_id:int}/capacity",
    guards=[permission("participant.view")],
    tags=["participants"],
)
async def get_capacity(request: Req, participant_id: PathId) -> CapacityOut:
    return await services.get_capacity(actor_of(request), _user(request), participant_id)


@put(
    "/api/v1/participants/{participant_id:int}/capacity",
    guards=[permission("participant.edit")],
    tags=["participants"],
)
async def save_capacity(
    request: Req, participant_id: PathId, data: JSONBody[CapacityIn]
) -> CapacityOut:
    return await services.save_capacity(actor_of(request), participant_id, data)


@get(
    "/api/v1/participants/{participant_id:int}/day-needs",
    guards=[permission("participant.view")],
    tags=["participants"],
)
async def get_day_needs(request: Req, participant_id: PathId) -> DayNeedsOut:
    """A ride (pickup address, notes) and diets (short list, allergy in words)."""
    return await services.get_day_needs(actor_of(request), _user(request), participant_id)


@put(
    "/api/v1/participants/{participant_id:int}/day-needs",
    guards=[permission("participant.edit")],
    tags=["participants"],
)
async def save_day_needs(
    request: Req, participant_id: PathId, data: JSONBody[DayNeedsIn]
) -> DayNeedsOut:
    return await services.save_day_needs(actor_of(request), participant_id, data)


@get(
    "/api/v1/participants/{participant_id:int}/goals",
    guards=[permission("participant.view")],
    tags=["participants"],
)
async def list_goals(request: Req, participant_id: PathId) -> list[GoalOut]:
    return await services.list_goals(actor_of(request), _user(request), participant_id)


@post(
    "/api/v1/participants/{participant_id:int}/goals",
    guards=[permission("participant.contribute")],
    status_code=HTTP_201_CREATED,
    tags=["participants"],
)
async def add_goal(request: Req, participant_id: PathId, data: JSONBody[GoalIn]) -> GoalOut:
    """Staff write goals with the participant; a participant may add a wish of their own."""
    return await services.save_goal(actor_of(request), _user(request), participant_id, data)


@put(
    "/api/v1/participants/{participant_id:int}/goals/{goal_id:int}",
    guards=[permission("participant.follow")],
    tags=["participants"],
)
async def update_goal(
    request: Req, participant_id: PathId, goal_id: PathId, data: JSONBody[GoalIn]
) -> GoalOut:
    return await services.save_goal(
        actor_of(request), _user(request), participant_id, data, goal_id
    )


@get(
    "/api/v1/participants/{participant_id:int}/reviews",
    guards=[permission("participant.view")],
    tags=["participants"],
)
async def list_reviews(request: Req, participant_id: PathId) -> list[ReviewOut]:
    return await services.list_reviews(actor_of(request), _user(request), participant_id)


@post(
    "/api/v1/participants/{participant_id:int}/reviews",
    guards=[permission("participant.follow")],
    status_code=HTTP_201_CREATED,
    tags=["participants"],
)
async def add_review(request: Req, participant_id: PathId, data: JSONBody[ReviewIn]) -> ReviewOut:
    return await services.add_review(actor_of(request), _user(request), participant_id, data)


WithinDays = Annotated[int, QueryParameter(ge=0, le=365)]


@get("/api/v1/reviews/due", guards=[permission("participant.follow")], tags=["participants"])
async def due_reviews(
    request: Req, within_days: Annotated[int, QueryParameter(ge=0, le=366)] = 14
) -> list[DueReview]:
    return await services.due_reviews(_user(request), within_days=max(0, min(within_days, 365)))


@get(
    "/api/v1/participants/{participant_id:int}/interests",
    guards=[permission("participant.view")],
    tags=["participants"],
)
async def get_interests(request: Req, participant_id: PathId) -> InterestsOut:
    return await services.get_interests(actor_of(request), _user(request), participant_id)


@put(
    "/api/v1/participants/{participant_id:int}/interests",
    guards=[permission("participant.contribute")],
    tags=["participants"],
)
async def save_interests(
    request: Req, participant_id: PathId, data: JSONBody[InterestsIn]
) -> InterestsOut:
    return await services.save_interests(actor_of(request), _user(request), participant_id, data)


@get(
    "/api/v1/participants/{participant_id:int}/export",
    guards=[permission("participant.export")],
    tags=["participants"],
)
async def export_participant(request: Req, participant_id: PathId) -> ParticipantExport:
    """All data about one participant, as JSON (a subject access request)."""
    return await services.export(actor_of(request), participant_id)


@post(
    "/api/v1/participants/{participant_id:int}/erase",
    guards=[permission("participant.erase")],
    status_code=HTTP_200_OK,
    tags=["participants"],
)
async def erase_participant(request: Req, participant_id: PathId) -> dict[str, Any]:
    """Erase a participant's personal data everywhere; anonymous counts stay."""
    await services.erase(actor_of(request), participant_id)
    return {"erased": participant_id}


@get("/api/v1/me/participant", guards=[permission("participant.self")], tags=["participants"])
async def my_record(request: Req) -> ParticipantOut:
    """The signed-in participant's own record."""
    user = _user(request)
    participant_id = await services.own_participant_id(user)
    return await services.get_participant(actor_of(request), user, participant_id or -1)


ROUTES = [
    end_plan,
    save_reporting,
    get_day_needs,
    save_day_needs,
    list_participants,
    create_participant,
    get_participant,
    update_participant,
    get_capacity,
    save_capacity,
    list_goals,
    add_goal,
    update_goal,
    list_reviews,
    add_review,
    due_reviews,
    get_interests,
    save_interests,
    export_participant,
    erase_participant,
    my_record,
]
