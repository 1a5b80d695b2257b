"""Matching: the JSON API (`/api/v1/matching/...`) and the coordinator's pages
(`/matching...`): start a run, watch it, review, change, publish; the waitlist."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import FormMultiDict, State
from litestar.params import FromQuery, JSONBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED

from service import clock
from service.auth.guards import permission
from service.errors import Conflict, DomainError, InvalidInput, RuleBroken, checked_days
from service.formats import format_number
from service.forms import Form
from service.i18n import gettext as _
from service.i18n import ngettext
from service.matching import review, services
from service.matching.schemas import (
    AllIn,
    ProposalAdd,
    ProposalChange,
    ProposalOut,
    PublishCounts,
    Published,
    RunDetail,
    RunIn,
    RunOut,
    UnplacedOut,
)
from service.params import PathId, QueryText
from service.web import actor_of, page

Req = Request[Any, Any, Any]


# --- JSON API ------------------------------------------------------------------------


@post(
    "/api/v1/matching/runs",
    guards=[permission("matching.run")],
    status_code=HTTP_202_ACCEPTED,
    tags=["matching"],
)
async def start_run(request: Req, state: State, data: JSONBody[RunIn]) -> RunOut:
    """Start a matching run for a range of days (default one week); it runs as a job.
    `replan_for` re-plans after one participant's change, with continuity weighted so
    that others keep their places unless a change is clearly better."""
    return await services.start_run(actor_of(request), state.settings, state.queue, data)


@get("/api/v1/matching/runs", guards=[permission("matching.run")], tags=["matching"])
async def list_runs() -> list[RunOut]:
    return await services.list_runs()


@get("/api/v1/matching/runs/{run_id:int}", guards=[permission("matching.run")], tags=["matching"])
async def get_run(run_id: PathId) -> RunDetail:
    """The run's state and progress, and when done its proposal with the reasons."""
    return await services.run_detail(run_id)


@post(
    "/api/v1/matching/runs/{run_id:int}/proposals",
    guards=[permission("matching.run")],
    status_code=HTTP_201_CREATED,
    tags=["matching"],
)
async def add_proposal(
    request: Req, state: State, run_id: PathId, data: JSONBody[ProposalAdd]
) -> ProposalOut:
    """Place someone by hand in the proposal; 409 names the hard rule it would break."""
    return await review.add_proposal(actor_of(request), state.settings, run_id, data)


@post(
    "/api/v1/matching/runs/{run_id:int}/proposals/{proposal_id:int}",
    guards=[permission("matching.run")],
    status_code=HTTP_200_OK,
    tags=["matching"],
)
async def change_proposal(
    request: Req,
    state: State,
    run_id: PathId,
    proposal_id: PathId,
    data: JSONBody[ProposalChange],
) -> ProposalOut:
    """Accept or reject a proposal, or pin it."""
    return await review.change_proposal(
        actor_of(request), state.settings, run_id, proposal_id, data
    )


@post(
    "/api/v1/matching/runs/{run_id:int}/publish",
    guards=[permission("matching.run")],
    status_code=HTTP_200_OK,
    tags=["matching"],
)
async def publish(request: Req, state: State, run_id: PathId) -> Published:
    """Confirm the accepted placements; the session rosters fill from them."""
    return await review.publish(actor_of(request), state.settings, run_id)


@post(
    "/api/v1/matching/runs/{run_id:int}/accept-all",
    guards=[permission("matching.run")],
    status_code=HTTP_200_OK,
    tags=["matching"],
)
async def accept_all(request: Req, run_id: PathId, data: JSONBody[AllIn]) -> dict[str, int]:
    """Accept (`true`) or set aside (`false`) every change that is not pinned."""
    return {"changed": await review.set_all_accepted(actor_of(request), run_id, data.accepted)}


@post(
    "/api/v1/matching/runs/{run_id:int}/stop",
    guards=[permission("matching.run")],
    status_code=HTTP_202_ACCEPTED,
    tags=["matching"],
)
async def stop_run(request: Req, run_id: PathId) -> RunOut:
    """Stop a run under way; it stores the best plan found so far (202: it stops within
    a few seconds). 409 when the run has already finished."""
    return await services.request_stop(actor_of(request), run_id)


@post(
    "/api/v1/matching/runs/{run_id:int}/discard",
    guards=[permission("matching.run")],
    status_code=HTTP_200_OK,
    tags=["matching"],
)
async def discard(request: Req, run_id: PathId) -> RunOut:
    """Set the whole proposal aside; nothing changes."""
    return await review.discard(actor_of(request), run_id)


@get("/api/v1/matching/waitlist", guards=[permission("matching.run")], tags=["matching"])
async def waitlist() -> list[UnplacedOut]:
    """Those the latest run could not place, with the reasons, oldest referral first."""
    _run, entries = await services.waitlist()
    return entries


# --- pages ---------------------------------------------------------------------------


def run_fields(form: FormMultiDict) -> dict[str, Any]:
    """The run form's fields that were filled in, as `RunIn` takes them (others ignored)."""
    return {k: value for k in ("first_day", "last_day", "replan_for") if (value := form.get(k))}


@get("/matching", guards=[permission("matching.run")])
async def matching_page(request: Req, first_day: FromQuery[date | None] = None) -> Template:
    checked_days(first_day=first_day)
    week = first_day or clock.next_monday()
    start = max(week, clock.today())  # the past stays as it was
    last = max(week + timedelta(days=6), start)
    return page(
        request,
        "matching/index.html",
        runs=await services.list_runs(),
        **Form(RunIn, {"first_day": start.isoformat(), "last_day": last.isoformat()}).context,
    )


@post("/matching/runs", guards=[permission("matching.run")], status_code=HTTP_200_OK)
async def start_run_submit(request: Req, state: State) -> Response[Any]:
    form = Form(RunIn, run_fields(await request.form()))
    try:
        run = await services.start_run(actor_of(request), state.settings, state.queue, form.parse())
    except DomainError as error:
        return page(
            request,
            "matching/index.html",
            status_code=error.status_code,
            runs=await services.list_runs(),
            **form.refused(error).context,
        )
    return Redirect(f"/matching/runs/{run.id}")


def _checked_view(view: str, changes: str) -> None:
    if view not in ("people", "slots"):
        raise InvalidInput("view", _("Choose people or slots."))
    if changes not in ("all", "only"):
        raise InvalidInput("changes", _("Choose everything or changes only."))


@get("/matching/runs/{run_id:int}", guards=[permission("matching.run")])
async def run_page(
    request: Req, run_id: PathId, view: QueryText = "people", changes: QueryText = "all"
) -> Template:
    _checked_view(view, changes)
    detail = await services.run_detail(run_id)
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "run-state":
        response = page(request, "matching/_state.html", detail=detail, run=detail.run)
        if detail.run.status.value not in ("queued", "running"):
            response.headers["HX-Refresh"] = "true"  # the review replaces the progress bar
        return response
    context = await _review_context(request, detail, view, changes)
    return page(request, "matching/run.html", **context)


def _is_change(p: ProposalOut) -> bool:
    """Whether the row changes something: all but a kept place that stays kept."""
    return not (p.change == "kept" and p.accepted)


async def _review_context(
    request: Req, detail: RunDetail, view: str, changes: str = "all"
) -> dict[str, Any]:
    by_person: dict[int, list[ProposalOut]] = {}
    by_slot: dict[int, list[ProposalOut]] = {}
    for p in detail.proposals:
        if changes == "only" and not _is_change(p):
            continue
        by_person.setdefault(p.participant_id, []).append(p)
        by_slot.setdefault(p.slot_id, []).append(p)
    reviewing = detail.run.status == "done"
    people, slots = await services.review_choices(detail.run) if reviewing else ([], [])
    return {
        "warning_lines": await services.warning_lines(detail.run.warnings),
        "figures": _figures(detail.run),
        "detail": detail,
        "run": detail.run,
        "view": view,
        "changes": changes,
        "losses": review.losses(detail.proposals),
        "fills": await review.fill_by_slot(detail.run.id) if view == "slots" else {},
        "by_person": by_person,
        "by_slot": sorted(
            by_slot.values(), key=lambda group: (group[0].weekday, group[0].slot_label)
        ),
        "counts": _counts(detail.proposals),
        "participant_choices": people,
        "slot_choices": slots,
    }


def _figures(run: RunOut) -> dict[str, str]:
    """The run's numbers in the reader's language."""
    return {
        "seconds": format_number(round(run.seconds, 1)),
        "gap": format_number(round((run.gap or 0) * 100, 2)),
        "share": format_number(round((run.greedy_share or 0) * 100)),
    }


def _counts(proposals: list[ProposalOut]) -> dict[str, int]:
    counts = {"new": 0, "kept": 0, "moved": 0, "removed": 0}
    for p in proposals:
        if p.change == "new":
            counts["moved" if p.moved else "new"] += 1
        else:
            counts[p.change.value] += 1
    return counts


async def _view_of(request: Req) -> tuple[str, str]:
    """The review's view and filter a form was sent from (unknown values: the default)."""
    form = await request.form()
    view = form.get("view") if form.get("view") in ("people", "slots") else "people"
    changes = form.get("changes") if form.get("changes") in ("all", "only") else "all"
    return str(view), str(changes)


async def _review_redirect(request: Req, run_id: int, message: str) -> Redirect:
    flash(request, message, category="info")
    view, changes = await _view_of(request)
    return Redirect(f"/matching/runs/{run_id}?view={view}&changes={changes}")


async def _review_error(request: Req, run_id: int, error: DomainError) -> Template:
    detail = await services.run_detail(run_id)
    view, changes = await _view_of(request)
    context = await _review_context(request, detail, view, changes)
    rules = error.rules if isinstance(error, RuleBroken) else []
    return page(
        request,
        "matching/run.html",
        status_code=error.status_code,
        change_error=error.detail,
        change_rules=rules,
        **context,
    )


@post(
    "/matching/runs/{run_id:int}/proposals/{proposal_id:int}",
    guards=[permission("matching.run")],
    status_code=HTTP_200_OK,
)
async def change_proposal_submit(
    request: Req, state: State, run_id: PathId, proposal_id: PathId
) -> Response[Any]:
    form = await request.form()
    values = {k: form.get(k) for k in ("accepted", "pinned") if form.get(k) in ("true", "false")}
    row = request.headers.get("hx-request") == "true"
    try:
        change = Form(ProposalChange, values).parse()
        changed = await review.change_proposal(
            actor_of(request), state.settings, run_id, proposal_id, change
        )
    except DomainError as error:
        if row and error.status_code in (409, 422):
            return await _proposal_row(request, run_id, proposal_id, error)
        return await _review_error(request, run_id, error)
    if row:
        return await _proposal_row(request, run_id, changed.id)
    return await _review_redirect(request, run_id, _("The proposal is changed."))


async def _proposal_row(
    request: Req, run_id: int, proposal_id: int, error: DomainError | None = None
) -> Template:
    """The one row htmx swaps after a change (or a refused one, its reason named)."""
    detail = await services.run_detail(run_id)
    proposal = next(p for p in detail.proposals if p.id == proposal_id)
    view, changes = await _view_of(request)
    return page(
        request,
        "matching/_proposal.html",
        status_code=error.status_code if error else HTTP_200_OK,
        p=proposal,
        run=detail.run,
        view=view,
        changes=changes,
        row_error=error.detail if error else None,
        row_rules=error.rules if isinstance(error, RuleBroken) else [],
    )


@post(
    "/matching/runs/{run_id:int}/proposals",
    guards=[permission("matching.run")],
    status_code=HTTP_200_OK,
)
async def add_proposal_submit(request: Req, state: State, run_id: PathId) -> Response[Any]:
    form = await request.form()
    try:
        data = Form(ProposalAdd, {k: form.get(k) for k in ("participant_id", "slot_id")}).parse()
        await review.add_proposal(actor_of(request), state.settings, run_id, data)
    except DomainError as error:
        return await _review_error(request, run_id, error)
    return await _review_redirect(request, run_id, _("The placement is added to the proposal."))


@post(
    "/matching/runs/{run_id:int}/accept-all",
    guards=[permission("matching.run")],
    status_code=HTTP_200_OK,
)
async def accept_all_submit(request: Req, run_id: PathId) -> Response[Any]:
    form = await request.form()
    accepted = form.get("accepted") != "false"
    try:
        await review.set_all_accepted(actor_of(request), run_id, accepted)
    except DomainError as error:
        return await _review_error(request, run_id, error)
    message = _("Every change is accepted.") if accepted else _("Every change is set aside.")
    return await _review_redirect(request, run_id, message)


def publish_message(counts: PublishCounts) -> str:
    """What was published, in words: the same counts (`review.publish_counts`) that the
    confirmation listed."""
    parts = ", ".join(
        (
            ngettext("%(num)s new placement", "%(num)s new placements", counts.new),
            ngettext("%(num)s moved", "%(num)s moved", counts.moved),
            ngettext("%(num)s ending", "%(num)s ending", counts.ending),
            ngettext(
                "%(num)s person without a place",
                "%(num)s people without a place",
                counts.without_place,
            ),
        )
    )
    return _("Published: %(parts)s.", parts=parts)


@get("/matching/runs/{run_id:int}/publish", guards=[permission("matching.run")])
async def publish_confirm_page(request: Req, run_id: PathId) -> Response[Any]:
    """Publishing asks first, with the counts of what it would change."""
    try:
        counts = await review.publish_preview(run_id)
    except Conflict:
        return Redirect(f"/matching/runs/{run_id}")
    detail = await services.run_detail(run_id)
    return page(
        request,
        "matching/publish.html",
        run=detail.run,
        publish_counts=counts,
        losses=review.losses(detail.proposals),
    )


@post(
    "/matching/runs/{run_id:int}/publish",
    guards=[permission("matching.run")],
    status_code=HTTP_200_OK,
)
async def publish_submit(request: Req, state: State, run_id: PathId) -> Response[Any]:
    try:
        result = await review.publish(actor_of(request), state.settings, run_id)
    except DomainError as error:
        return await _review_error(request, run_id, error)
    counts = result.counts or PublishCounts()
    return await _review_redirect(request, run_id, publish_message(counts))


@post(
    "/matching/runs/{run_id:int}/discard",
    guards=[permission("matching.run")],
    status_code=HTTP_200_OK,
)
async def discard_submit(request: Req, run_id: PathId) -> Response[Any]:
    try:
        await review.discard(actor_of(request), run_id)
    except DomainError as error:
        return await _review_error(request, run_id, error)
    flash(request, _("The proposal is set aside."), category="info")
    return Redirect("/matching")


@post(
    "/matching/runs/{run_id:int}/stop",
    guards=[permission("matching.run")],
    status_code=HTTP_200_OK,
)
async def stop_submit(request: Req, run_id: PathId) -> Response[Any]:
    try:
        await services.request_stop(actor_of(request), run_id)
    except DomainError as error:
        return await _review_error(request, run_id, error)
    flash(request, _("The run stops and keeps the best plan found so far."), category="info")
    return Redirect(f"/matching/runs/{run_id}")


@get("/matching/waitlist", guards=[permission("matching.run")])
async def waitlist_page(request: Req) -> Template:
    run, entries = await services.waitlist()
    return page(request, "matching/waitlist.html", run=run, entries=entries)


ROUTES = [
    start_run,
    list_runs,
    get_run,
    add_proposal,
    change_proposal,
    publish,
    accept_all,
    discard,
    stop_run,
    waitlist,
    matching_page,
    start_run_submit,
    run_page,
    change_proposal_submit,
    add_proposal_submit,
    accept_all_submit,
    publish_confirm_page,
    publish_submit,
    discard_submit,
    stop_submit,
    waitlist_page,
]
