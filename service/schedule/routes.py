"""The schedule: JSON API for slots, sessions and closures, and the planner page."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from litestar import Request, Response, delete, get, patch, post, put
from litestar.datastructures import FormMultiDict, State
from litestar.params import FromQuery, JSONBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_201_CREATED,
    HTTP_202_ACCEPTED,
    HTTP_204_NO_CONTENT,
)

from service import clock
from service.audit.services import record
from service.auth.guards import permission
from service.auth.permissions import may
from service.catalog import services as catalog
from service.catalog.tables import ActivityKind
from service.catalog.vocabulary import kind_label
from service.errors import DomainError, InvalidInput, checked_days
from service.forms import Form, form_to
from service.i18n import current_language
from service.i18n import gettext as _
from service.params import OptionalQueryId, OptionalQueryText, PathId, QueryText
from service.schedule import services
from service.schedule.forms import (
    cancel_fields,
    optional_int,
    session_change_fields,
    session_fields,
)
from service.schedule.schemas import (
    CancelIn,
    ClosureIn,
    ClosureOut,
    SessionChange,
    SessionIn,
    SessionOut,
    SlotIn,
    SlotOut,
)
from service.staff.services import list_staff
from service.web import actor_of, current_user, page

Req = Request[Any, Any, Any]


# --- JSON API: slots -----------------------------------------------------------------


@get("/api/v1/slots", guards=[permission("schedule.view")], tags=["schedule"])
async def list_slots(request: Req, activity: OptionalQueryId = None) -> list[SlotOut]:
    return await services.list_slots(current_user(request), activity_id=activity)


@get("/api/v1/slots/{slot_id:int}", guards=[permission("schedule.view")], tags=["schedule"])
async def get_slot(request: Req, slot_id: PathId) -> SlotOut:
    return await services.get_slot(slot_id, current_user(request))


@post(
    "/api/v1/slots",
    guards=[permission("schedule.plan")],
    status_code=HTTP_201_CREATED,
    tags=["schedule"],
)
async def create_slot(request: Req, data: JSONBody[SlotIn]) -> SlotOut:
    """Create a weekly slot; its sessions over the horizon are made at once."""
    return await services.save_slot(actor_of(request), data)


@put("/api/v1/slots/{slot_id:int}", guards=[permission("schedule.plan")], tags=["schedule"])
async def update_slot(request: Req, slot_id: PathId, data: JSONBody[SlotIn]) -> SlotOut:
    """Change a slot; its coming sessions follow, except those edited by hand."""
    return await services.save_slot(actor_of(request), data, slot_id)


@delete(
    "/api/v1/slots/{slot_id:int}",
    guards=[permission("schedule.plan")],
    status_code=HTTP_204_NO_CONTENT,
    tags=["schedule"],
)
async def end_slot(request: Req, slot_id: PathId) -> None:
    """End a slot today: its coming sessions are cancelled, past ones kept."""
    await services.end_slot(actor_of(request), slot_id)


# --- JSON API: sessions --------------------------------------------------------------


@get("/api/v1/sessions", guards=[permission("schedule.view")], tags=["schedule"])
async def list_sessions(
    request: Req,
    start: FromQuery[date],
    end: FromQuery[date],
    site: OptionalQueryId = None,
    kind: FromQuery[ActivityKind | None] = None,
) -> list[SessionOut]:
    """Sessions from `start` to `end` (inclusive, at most 62 days), with warnings."""
    checked_days(start=start, end=end)
    return await services.list_sessions(
        start, end, current_user(request), site_id=site, kind=kind.value if kind else None
    )


@get("/api/v1/sessions/{session_id:int}", guards=[permission("schedule.view")], tags=["schedule"])
async def get_session(request: Req, session_id: PathId) -> SessionOut:
    return await services.get_session(session_id, current_user(request))


@post(
    "/api/v1/sessions",
    guards=[permission("schedule.plan")],
    status_code=HTTP_201_CREATED,
    tags=["schedule"],
)
async def create_session(request: Req, data: JSONBody[SessionIn]) -> SessionOut:
    """A one-off session. A room already booked at that time is refused with 409."""
    return await services.create_session(actor_of(request), data)


@patch("/api/v1/sessions/{session_id:int}", guards=[permission("schedule.plan")], tags=["schedule"])
async def change_session(
    request: Req, session_id: PathId, data: JSONBody[SessionChange]
) -> SessionOut:
    """Move a session or change its room, staff or note; the sequence number grows."""
    return await services.change_session(actor_of(request), session_id, data)


@post(
    "/api/v1/sessions/{session_id:int}/cancel",
    guards=[permission("schedule.plan")],
    status_code=HTTP_200_OK,
    tags=["schedule"],
)
async def cancel_session(request: Req, session_id: PathId, data: JSONBody[CancelIn]) -> SessionOut:
    return await services.cancel_session(actor_of(request), session_id, data.reason)


@post(
    "/api/v1/sessions/{session_id:int}/restore",
    guards=[permission("schedule.plan")],
    status_code=HTTP_200_OK,
    tags=["schedule"],
)
async def restore_session(request: Req, session_id: PathId) -> SessionOut:
    """Plan a session cancelled by hand again; 409 when a closure cancelled it or its
    room is booked meanwhile."""
    return await services.restore_session(actor_of(request), session_id)


@post(
    "/api/v1/sessions/generate",
    guards=[permission("schedule.plan")],
    status_code=HTTP_202_ACCEPTED,
    tags=["schedule"],
)
async def generate(request: Req, state: State) -> dict[str, Any]:
    """Queue the generation of sessions over the horizon (it also runs nightly)."""
    job_id = f"generate_sessions:{clock.now().strftime('%Y%m%dT%H%M')}"
    queued = await state.queue.enqueue("generate_sessions", job_id=job_id)
    await record(
        actor_of(request),
        "sessions.generate_requested",
        details={"job_id": job_id, "queued": queued},
    )
    return {"job_id": job_id, "queued": queued}


# --- JSON API: closures --------------------------------------------------------------


@get("/api/v1/closures", guards=[permission("schedule.view")], tags=["schedule"])
async def list_closures() -> list[ClosureOut]:
    return await services.list_closures()


@post(
    "/api/v1/closures",
    guards=[permission("closures.manage")],
    status_code=HTTP_201_CREATED,
    tags=["schedule"],
)
async def add_closure(request: Req, data: JSONBody[ClosureIn]) -> ClosureOut:
    """Close a site (or every site) for some days; the sessions it hits are cancelled."""
    return await services.add_closure(actor_of(request), data)


@delete(
    "/api/v1/closures/{closure_id:int}",
    guards=[permission("closures.manage")],
    status_code=HTTP_204_NO_CONTENT,
    tags=["schedule"],
)
async def remove_closure(request: Req, closure_id: PathId) -> None:
    await services.remove_closure(actor_of(request), closure_id)


# --- the planner page ----------------------------------------------------------------


def week_start(value: str | None) -> date:
    """The Monday of the week holding `value` (an ISO date), or of this week."""
    if not value:
        day = clock.today()
    else:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(
                "week", _("Give the week as a date, for example 2026-11-23.")
            ) from None
        checked_days(week=day)
    return day - timedelta(days=day.weekday())


def shown_days(week: list[date], sessions: list[SessionOut], every_day: bool) -> list[date]:
    """The days the planner shows: those with a session, unless every day is asked for
    (or the week has none, when every day is shown to add to)."""
    busy = {s.date for s in sessions}
    if every_day or not busy:
        return week
    return [day for day in week if day in busy]


async def planner_context(
    request: Req, monday: date, site: int | None, kind: str | None, every_day: bool = False
) -> dict[str, Any]:
    user = current_user(request)
    week = [monday + timedelta(days=n) for n in range(7)]
    sessions = await services.list_sessions(week[0], week[-1], user, site_id=site, kind=kind)
    days = shown_days(week, sessions, every_day)
    sites = await catalog.list_sites(user)
    shown_sites = [s for s in sites if site is None or s.id == site]
    grid: dict[tuple[int, date], list[SessionOut]] = {}
    for session in sessions:
        grid.setdefault((session.site_id, session.date), []).append(session)
    return {
        "monday": monday,
        "sunday": week[-1],
        "days": days,
        "hidden_days": len(week) - len(days),
        "every_day": every_day,
        "sites": sites,
        "shown_sites": shown_sites,
        "grid": grid,
        "site": site,
        "kind": kind or "",
        "kinds": [(k.value, kind_label(k.value)) for k in ActivityKind],
        "previous_week": monday - timedelta(days=7),
        "next_week": monday + timedelta(days=7),
        "warning_count": sum(1 for s in sessions for w in s.warnings if w.code != "below_minimum"),
        "can_edit": may(user, "schedule.plan"),
        "filter_query": urlencode({"filter_site": site or "", "filter_kind": kind or ""}),
        "today": clock.today(),
    }


@get("/planner", guards=[permission("schedule.view")])
async def planner_page(
    request: Req,
    week: OptionalQueryText = None,
    site: QueryText = "",
    kind: QueryText = "",
    print_view: FromQuery[bool] = False,
    every_day: FromQuery[bool] = False,
) -> Template:
    """The week grid. Empty filters (as a form sends them) mean "all"."""
    monday = week_start(week)
    site_id = optional_int(site, "site")
    if kind and kind not in ActivityKind.__members__:
        raise InvalidInput("kind", _("Choose one of the kinds."))
    context = await planner_context(request, monday, site_id, kind or None, every_day)
    template = "schedule/planner_print.html" if print_view else "schedule/planner.html"
    if request.headers.get("hx-request") and not print_view:
        template = "schedule/_grid.html"
    return page(request, template, **context)


async def _form_choices(request: Req, site_id: int | None) -> dict[str, Any]:
    user = current_user(request)
    activities = await catalog.list_activities(user, site_id=site_id)
    sites = {s.id: s for s in await catalog.list_sites(user)}
    shown = [s for s in sites.values() if site_id is None or s.id == site_id]
    return {
        "activities": [a for a in activities if a.is_active],
        "rooms": [(room, sites[room.site_id].name) for s in shown for room in s.rooms],
        "staff": [
            member
            for member in await list_staff()
            if site_id is None or not member.site_ids or site_id in member.site_ids
        ],
    }


def _filters(site: str, kind: str) -> dict[str, str]:
    """The planner's filters, carried through the dialog so the grid keeps them."""
    return {"site": site, "kind": kind}


@get("/planner/sessions/new", guards=[permission("schedule.plan")])
async def new_session_form(
    request: Req,
    day: FromQuery[date | None] = None,
    site: OptionalQueryId = None,
    filter_site: QueryText = "",
    filter_kind: QueryText = "",
) -> Template:
    """The dialog for a new session, on `day` (today if not given) from 09:00 to 12:00."""
    checked_days(day=day)
    form = Form.blank(
        SessionIn, date=(day or clock.today()).isoformat(), start="09:00", end="12:00"
    )
    return await _session_form(request, form, None, _filters(filter_site, filter_kind), site)


@get("/planner/sessions/{session_id:int}/edit", guards=[permission("schedule.plan")])
async def edit_session_form(
    request: Req,
    session_id: PathId,
    filter_site: QueryText = "",
    filter_kind: QueryText = "",
) -> Template:
    """The dialog to move or change a session, or cancel it."""
    session = await services.get_session(session_id)
    form = Form.of(
        SessionChange,
        session,
        start=session.start.strftime("%H:%M"),
        end=session.end.strftime("%H:%M"),
        room_id=session.room_id or "",
        staff_ids=[s.id for s in session.staff],
    )
    filters = _filters(filter_site, filter_kind)
    return await _session_form(request, form, session, filters, session.site_id)


async def _session_form(
    request: Req,
    form: Form[Any],
    session: SessionOut | None,
    filters: dict[str, str],
    site_id: int | None,
    status: int = HTTP_200_OK,
) -> Template:
    """The session dialog with its form, the filters it carries and the choices."""
    return page(
        request,
        "schedule/_session_form.html",
        status_code=status,
        session=session,
        filters=filters,
        **form.context,
        **await _form_choices(request, site_id),
    )


async def _after_change(request: Req, day: date, values: Mapping[str, Any]) -> Response[Any]:
    """htmx gets the refreshed grid of the session's week, with the filters it had; a
    plain form post goes back to the planner on that week."""
    monday = day - timedelta(days=day.weekday())
    site = optional_int(values.get("filter_site"), "filter_site")
    kind = str(values.get("filter_kind") or "")
    kind = kind if kind in ActivityKind.__members__ else ""
    if not request.headers.get("hx-request"):
        query = urlencode({"week": monday.isoformat(), "site": site or "", "kind": kind})
        return Redirect(f"/planner?{query}")
    context = await planner_context(request, monday, site, kind or None)
    response = page(request, "schedule/_grid.html", **context)
    response.headers["HX-Trigger"] = "session-saved"
    response.headers["HX-Retarget"] = "#planner-grid"
    response.headers["HX-Reswap"] = "outerHTML"
    return response


async def _form_error(
    request: Req, error: DomainError, form: Form[Any], session: SessionOut | None
) -> Template:
    """The dialog again, as posted, with the refusal next to its field."""
    values = form.values
    filters = _filters(str(values.get("filter_site", "")), str(values.get("filter_kind", "")))
    site_id = session.site_id if session else None
    return await _session_form(
        request, form.refused(error), session, filters, site_id, error.status_code
    )


def _posted(schema: type[Any], posted: FormMultiDict) -> Form[Any]:
    """What was posted to the session dialog, staff ticked as a list."""
    return Form.posted(schema, posted, lists=("staff_ids",))


@post("/planner/sessions", guards=[permission("schedule.plan")], status_code=HTTP_200_OK)
async def create_session_submit(request: Req) -> Response[Any]:
    """Create a one-off session from the dialog."""
    form = _posted(SessionIn, await request.form())
    try:
        data = form_to(SessionIn, session_fields(form.values))
        created = await services.create_session(actor_of(request), data)
    except DomainError as error:
        return await _form_error(request, error, form, None)
    return await _after_change(request, created.date, form.values)


@post(
    "/planner/sessions/{session_id:int}",
    guards=[permission("schedule.plan")],
    status_code=HTTP_200_OK,
)
async def change_session_submit(request: Req, session_id: PathId) -> Response[Any]:
    """Move or change a session from the dialog."""
    form = _posted(SessionChange, await request.form())
    session = await services.get_session(session_id)
    try:
        data = form_to(SessionChange, session_change_fields(form.values))
        changed = await services.change_session(actor_of(request), session_id, data)
    except DomainError as error:
        return await _form_error(request, error, form, session)
    return await _after_change(request, changed.date, form.values)


@post(
    "/planner/sessions/{session_id:int}/cancel",
    guards=[permission("schedule.plan")],
    status_code=HTTP_200_OK,
)
async def cancel_session_submit(request: Req, session_id: PathId) -> Response[Any]:
    """Cancel a session from the dialog, with a reason."""
    form = _posted(CancelIn, await request.form())
    session = await services.get_session(session_id)
    try:
        data = form_to(CancelIn, cancel_fields(form.values))
        await services.cancel_session(actor_of(request), session_id, data.reason)
    except DomainError as error:
        return await _form_error(request, error, form, session)
    return await _after_change(request, session.date, form.values)


@post(
    "/planner/sessions/{session_id:int}/restore",
    guards=[permission("schedule.plan")],
    status_code=HTTP_200_OK,
)
async def restore_session_submit(request: Req, session_id: PathId) -> Response[Any]:
    """ "Plan it again" on a cancelled session's card; a refusal shows the error page."""
    form = _posted(CancelIn, await request.form())
    session = await services.restore_session(actor_of(request), session_id)
    flash(
        request,
        _(
            "%(title)s on %(day)s is planned again.",
            title=session.title,
            day=format_date(session.date, format="medium", locale=current_language()),
        ),
        category="info",
    )
    return await _after_change(request, session.date, form.values)


ROUTES = [
    list_slots,
    get_slot,
    create_slot,
    update_slot,
    end_slot,
    list_sessions,
    get_session,
    create_session,
    change_session,
    cancel_session,
    generate,
    list_closures,
    add_closure,
    remove_closure,
    planner_page,
    new_session_form,
    edit_session_form,
    create_session_submit,
    change_session_submit,
    cancel_session_submit,
    restore_session,
    restore_session_submit,
]
