"""JSON API of attendance: a batch of marks, the roster with its marks, the live stream
of a session's marks, and follow-up items."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.response import ServerSentEvent
from litestar.status_codes import HTTP_200_OK

from service.attendance import live, services
from service.attendance.schemas import (
    AttendanceSheet,
    FollowUpOut,
    MarkHistory,
    MarksIn,
    MarksOut,
)
from service.auth.guards import permission
from service.errors import NotFound
from service.i18n import gettext as _
from service.params import PathId
from service.web import PROBLEM_JSON, actor_of, current_user

Req = Request[Any, Any, Any]


@post(
    "/api/v1/attendance",
    guards=[permission("attendance.mark")],
    status_code=HTTP_200_OK,
    tags=["attendance"],
)
async def post_marks(
    request: Req, data: JSONBody[MarksIn], channels: NamedDependency[ChannelsPlugin]
) -> Response[Any]:
    """A batch of marks from a tablet. Each mark has the tablet's UUID: sending it again
    is harmless (`duplicate`). Each mark is judged on its own: one that is malformed or
    holds what cannot be stored (a NUL character, a time outside 1900-2199, an id of
    2^31 or more, an unknown field) is refused with its field and reason (422), and the
    others are stored. The answer has one result per mark, in order. A UUID stored
    before with other content is a `duplicate` with `differs: true` and the fields in
    `differing`: the stored mark stands. When every mark is refused, the status is the
    first refusal's (403, 404, 409 or 422). Only a batch that is not a list of 1 to 500
    objects, or a bad `device` or `sent_at`, is refused as a whole (400 or 422).

    `sent_at` is the tablet's clock when sending: each mark then counts as made as long
    before the server received it as it was made before `sent_at`, so a tablet's clock
    being off does not matter. That time must fall between the start of the session's
    day and the time received, else the mark counts as made when received; it orders
    conflicting marks (the later wins) and decides the limit of days for staff."""
    user = current_user(request)
    assert user is not None
    outcome = await services.record_marks(actor_of(request), user, data)
    for session_id, participant_ids in outcome.changed.items():
        marks = await services.current_marks(session_id, participant_ids)
        live.publish(channels, session_id, list(marks.values()))
    refused = [r for r in outcome.results if r.result == "refused"]
    if len(refused) == len(outcome.results):
        first = refused[0]
        return Response(
            {
                "type": "about:blank",
                "title": _("The marks were refused."),
                "status": first.status,
                "detail": first.detail,
                "errors": [{"field": r.field, "message": r.detail} for r in refused],
                "results": msgspec.to_builtins(outcome.results),
            },
            status_code=first.status,
            media_type=PROBLEM_JSON,
        )
    return Response(MarksOut(results=outcome.results))


@get(
    "/api/v1/sessions/{session_id:int}/attendance",
    guards=[permission("roster.view")],
    tags=["attendance"],
)
async def get_sheet(request: Req, session_id: PathId) -> AttendanceSheet:
    """The roster with each participant's current mark and the walk-ins possible."""
    user = current_user(request)
    assert user is not None
    return await services.sheet(actor_of(request), user, session_id)


@get(
    "/api/v1/sessions/{session_id:int}/attendance/marks",
    guards=[permission("attendance.history")],
    tags=["attendance"],
)
async def mark_history(request: Req, session_id: PathId) -> list[MarkHistory]:
    """Every mark made for the session, superseded ones too, oldest first."""
    user = current_user(request)
    assert user is not None
    return await services.mark_history(user, session_id)


@get(
    "/api/v1/sessions/{session_id:int}/attendance/events",
    guards=[permission("roster.view")],
    tags=["attendance"],
    include_in_schema=False,
)
async def mark_events(
    request: Req, session_id: PathId, channels: NamedDependency[ChannelsPlugin]
) -> ServerSentEvent:
    """Server-sent events: `marks` with the current marks that changed."""
    user = current_user(request)
    assert user is not None
    if await services.visible_session(user, session_id) is None:
        raise NotFound(_("There is no session %(id)s.", id=session_id))
    return ServerSentEvent(
        live.events(channels, session_id),
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@get("/api/v1/follow-ups", guards=[permission("follow_ups.view")], tags=["attendance"])
async def list_follow_ups(request: Req) -> list[FollowUpOut]:
    user = current_user(request)
    assert user is not None
    return await services.open_follow_ups(user)


@post(
    "/api/v1/follow-ups/{follow_up_id:int}/done",
    guards=[permission("follow_ups.view")],
    status_code=HTTP_200_OK,
    tags=["attendance"],
)
async def follow_up_done(request: Req, follow_up_id: PathId) -> dict[str, bool]:
    user = current_user(request)
    assert user is not None
    await services.close_follow_up(actor_of(request), user, follow_up_id)
    return {"done": True}


ROUTES = [post_marks, get_sheet, mark_history, mark_events, list_follow_ups, follow_up_done]
