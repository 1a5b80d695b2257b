"""Participant pages for coordinators and staff: the list, the profile (goals,
capacity, interests, reviews, placements), the record form and goal reviews."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from service import clock
from service.auth.guards import permission
from service.calendars.services import live_feeds_of
from service.catalog import services as catalog
from service.catalog.tables import ActivityKind
from service.catalog.vocabulary import (
    ACCESSIBILITY_FEATURES,
    DIETS,
    diet_label,
    domain_label,
    kind_label,
    weekday_names,
)
from service.errors import DomainError, InvalidInput
from service.forms import Form, errors_of, form_to, posted_fields
from service.i18n import gettext as _
from service.i18n import pgettext
from service.notifications import services as notifications
from service.params import OptionalQueryId, PathId, QueryText
from service.people import services
from service.people.forms import (
    BLOCKED_ROWS,
    capacity_form,
    capacity_in,
    capacity_shown,
    goal_form,
    interests_form,
    record_form,
)
from service.people.schemas import CapacityIn, DayNeedsIn, ParticipantIn, ReviewIn
from service.people.tables import ParticipantStatus
from service.placements import services as placements
from service.schedule import services as schedule
from service.staff.services import list_staff
from service.web import actor_of, current_user, page

Req = Request[Any, Any, Any]
PAGE_SIZE = 100  # participants on a page of the list


def status_label(status: str) -> str:
    labels: dict[str, str] = {
        ParticipantStatus.waiting: _("Waiting"),
        ParticipantStatus.active: pgettext("participant", "Active"),
        ParticipantStatus.paused: _("Paused"),
        ParticipantStatus.ended: _("Ended"),
    }
    return labels.get(status, status)


@get("/participants", guards=[permission("participant.follow")])
async def participants_page(
    request: Req,
    q: QueryText = "",
    status: QueryText = "",
    site: QueryText = "",
    review_due: FromQuery[bool] = False,
    after: OptionalQueryId = None,
) -> Template:
    """A page of participants at a time (the list API's keyset paging), with search
    and filters."""
    user = current_user(request)
    assert user is not None
    if status and status not in ParticipantStatus.__members__:
        raise InvalidInput("status", _("Choose one of the statuses."))
    site_id = int(site) if site.isdigit() else None
    listed = await services.page_participants(
        actor_of(request),
        user,
        search=q.strip(),
        status=ParticipantStatus(status) if status else None,
        site_id=site_id,
        review_due=review_due,
        limit=PAGE_SIZE,
        after=after,
    )
    people = listed.items
    following = None
    if listed.next_after is not None:
        query = {k: v for k, v in request.query_params.items() if k != "after"}
        following = "/participants?" + urlencode({**query, "after": listed.next_after})
    staff = {s.user_id: s.name for s in await list_staff()}
    return page(
        request,
        "participants/list.html",
        people=people,
        total=listed.total,
        following=following,
        q=q,
        status=status,
        site=site_id,
        review_due=review_due,
        sites=await catalog.list_sites(),
        statuses=[(s.value, status_label(s.value)) for s in ParticipantStatus],
        staff=staff,
        today=clock.today(),
        status_label=status_label,
    )


@get("/participants/{participant_id:int}", guards=[permission("participant.follow")])
async def profile_page(request: Req, participant_id: PathId) -> Template:
    return await _profile(request, participant_id, {}, {})


async def _profile(
    request: Req,
    participant_id: int,
    review_form: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    user = current_user(request)
    assert user is not None
    actor = actor_of(request)
    person = await services.get_participant(actor, user, participant_id)
    domains = {d.key: domain_label(d.key, d.label) for d in await catalog.list_domains()}
    activities = {a.id: a for a in await catalog.list_activities(None)}
    sites = {s.id: s.name for s in await catalog.list_sites()}
    slots = {s.id: s for s in await schedule.list_slots()}
    return page(
        request,
        "participants/profile.html",
        status_code=status,
        person=person,
        goals=await services.list_goals(actor, user, participant_id),
        capacity=await services.get_capacity(actor, user, participant_id),
        interests=await services.get_interests(actor, user, participant_id),
        reviews=await services.list_reviews(actor, user, participant_id),
        placements=await placements.list_placements(participant_id=participant_id),
        domains=domains,
        activities=activities,
        sites=sites,
        slots=slots,
        staff={s.user_id: s.name for s in await list_staff()},
        status_label=status_label,
        review_form=review_form,
        errors=errors,
        weekdays=weekday_names(),
        kinds=[(k.value, kind_label(k.value)) for k in ActivityKind],
        today=clock.today(),
        next_monday=clock.next_monday(),
        feeds=await live_feeds_of(participant_id, request.app.state.settings.secret_key),
        delivery=await notifications.delivery_problems(participant_id),
    )


@post(
    "/participants/{participant_id:int}/reviews",
    guards=[permission("participant.follow")],
    status_code=HTTP_200_OK,
)
async def review_submit(request: Req, participant_id: PathId) -> Template | Redirect:
    user = current_user(request)
    assert user is not None
    form = Form.posted(ReviewIn, await request.form())
    try:
        await services.add_review(actor_of(request), user, participant_id, form.parse())
    except DomainError as error:
        form.refused(error)
        return await _profile(request, participant_id, form.values, form.errors, error.status_code)
    flash(request, _("The review is saved."), category="info")
    return Redirect(f"/participants/{participant_id}")


async def _record_form(
    request: Req, participant_id: int | None, form: Form[ParticipantIn], status: int = 200
) -> Template:
    return page(
        request,
        "participants/form.html",
        status_code=status,
        participant_id=participant_id,
        **form.context,
        statuses=[(s.value, status_label(s.value)) for s in ParticipantStatus],
        staff=await list_staff(),
    )


@get("/participants/new", guards=[permission("participant.edit")])
async def new_participant_page(request: Req) -> Template:
    form = Form(
        ParticipantIn,
        {
            "status": "waiting",
            "preferred_language": "fi",
            "referral_date": clock.today().isoformat(),
        },
    )
    return await _record_form(request, None, form)


@get("/participants/{participant_id:int}/edit", guards=[permission("participant.edit")])
async def edit_participant_page(request: Req, participant_id: PathId) -> Template:
    user = current_user(request)
    assert user is not None
    person = await services.get_participant(actor_of(request), user, participant_id)
    return await _record_form(request, participant_id, Form.of(ParticipantIn, person))


@post("/participants/new", guards=[permission("participant.edit")], status_code=HTTP_200_OK)
async def create_participant_submit(request: Req) -> Template | Redirect:
    return await _save(request, None)


@post(
    "/participants/{participant_id:int}/edit",
    guards=[permission("participant.edit")],
    status_code=HTTP_200_OK,
)
async def edit_participant_submit(request: Req, participant_id: PathId) -> Template | Redirect:
    return await _save(request, participant_id)


async def _save(request: Req, participant_id: int | None) -> Template | Redirect:
    form = record_form(await request.form())
    try:
        saved = await services.save_participant(actor_of(request), form.parse(), participant_id)
    except DomainError as error:
        return await _record_form(request, participant_id, form.refused(error), error.status_code)
    flash(request, _("The participant's details are saved."), category="info")
    return Redirect(f"/participants/{saved.id}")


# --- capacity and goals, edited by coordinators and staff ------------------------------


async def _capacity_form(
    request: Req, participant_id: int, form: Form[CapacityIn], status: int = 200
) -> Template:
    user = current_user(request)
    assert user is not None
    person = await services.get_participant(actor_of(request), user, participant_id)
    return page(
        request,
        "participants/capacity.html",
        status_code=status,
        person=person,
        **form.context,
        weekdays=weekday_names(),
        sites=await catalog.list_sites(),
        features=ACCESSIBILITY_FEATURES,
        blocked_rows=BLOCKED_ROWS,
    )


@get("/participants/{participant_id:int}/capacity", guards=[permission("participant.edit")])
async def capacity_page(request: Req, participant_id: PathId) -> Template:
    user = current_user(request)
    assert user is not None
    capacity = await services.get_capacity(actor_of(request), user, participant_id)
    return await _capacity_form(request, participant_id, capacity_shown(capacity))


@post(
    "/participants/{participant_id:int}/capacity",
    guards=[permission("participant.edit")],
    status_code=HTTP_200_OK,
)
async def capacity_submit(request: Req, participant_id: PathId) -> Template | Redirect:
    form = capacity_form(await request.form())
    try:
        data = form_to(CapacityIn, capacity_in(form.values))
        await services.save_capacity(actor_of(request), participant_id, data)
    except DomainError as error:
        return await _capacity_form(request, participant_id, form.refused(error), error.status_code)
    flash(request, _("The capacity is saved."), category="info")
    return Redirect(f"/participants/{participant_id}")


async def _day_needs_form(
    request: Req, participant_id: int, form: Form[DayNeedsIn], status: int = 200
) -> Template:
    user = current_user(request)
    assert user is not None
    person = await services.get_participant(actor_of(request), user, participant_id)
    return page(
        request,
        "participants/day_needs.html",
        status_code=status,
        person=person,
        **form.context,
        diets=[(diet, diet_label(diet)) for diet in DIETS],
    )


@get("/participants/{participant_id:int}/day-needs", guards=[permission("participant.edit")])
async def day_needs_page(request: Req, participant_id: PathId) -> Template:
    """A ride to the sessions, and diets: what the day itself needs."""
    user = current_user(request)
    assert user is not None
    needs = await services.get_day_needs(actor_of(request), user, participant_id)
    return await _day_needs_form(request, participant_id, Form.of(DayNeedsIn, needs))


@post(
    "/participants/{participant_id:int}/day-needs",
    guards=[permission("participant.edit")],
    status_code=HTTP_200_OK,
)
async def day_needs_submit(request: Req, participant_id: PathId) -> Template | Redirect:
    posted = await request.form()
    values = posted_fields(posted, lists=("diets",))
    values["needs_ride"] = posted.get("needs_ride") == "on"
    form = Form(DayNeedsIn, values)
    try:
        await services.save_day_needs(actor_of(request), participant_id, form.parse())
    except DomainError as error:
        return await _day_needs_form(
            request, participant_id, form.refused(error), error.status_code
        )
    flash(request, _("The ride and meal needs are saved."), category="info")
    return Redirect(f"/participants/{participant_id}")


@post(
    "/participants/{participant_id:int}/goals",
    guards=[permission("participant.follow")],
    status_code=HTTP_200_OK,
)
async def goal_submit(request: Req, participant_id: PathId) -> Template | Redirect:
    """Add a goal, or (with goal_id) change one: its words, domains, priority, status."""
    user = current_user(request)
    assert user is not None
    form, goal_id = goal_form(await request.form())
    try:
        await services.save_goal(actor_of(request), user, participant_id, form.parse(), goal_id)
    except DomainError as error:
        errors = {f"goal_{field}": detail for field, detail in errors_of(error).items()}
        return await _profile(request, participant_id, {}, errors, error.status_code)
    flash(request, _("The goal is saved."), category="info")
    return Redirect(f"/participants/{participant_id}#goals-title")


# --- interests, data protection --------------------------------------------------------


@post(
    "/participants/{participant_id:int}/interests",
    guards=[permission("participant.follow")],
    status_code=HTTP_200_OK,
)
async def interests_submit(request: Req, participant_id: PathId) -> Template | Redirect:
    user = current_user(request)
    assert user is not None
    form = interests_form(await request.form())
    try:
        await services.save_interests(actor_of(request), user, participant_id, form.parse())
    except DomainError as error:
        errors = {f"interests_{field}": detail for field, detail in errors_of(error).items()}
        return await _profile(request, participant_id, {}, errors, error.status_code)
    flash(request, _("The interests are saved."), category="info")
    return Redirect(f"/participants/{participant_id}#interests-title")


@get("/participants/{participant_id:int}/export.json", guards=[permission("participant.export")])
async def export_download(request: Req, participant_id: PathId) -> Response[Any]:
    """The participant's data as a JSON file, for a subject access request."""
    data = await services.export(actor_of(request), participant_id)
    return Response(
        data,
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="participant-{participant_id}.json"'
        },
    )


@get("/participants/{participant_id:int}/erase", guards=[permission("participant.erase")])
async def erase_page(request: Req, participant_id: PathId) -> Template:
    user = current_user(request)
    assert user is not None
    person = await services.get_participant(actor_of(request), user, participant_id)
    return page(request, "participants/erase.html", person=person, error="")


@post(
    "/participants/{participant_id:int}/erase",
    guards=[permission("participant.erase")],
    status_code=HTTP_200_OK,
)
async def erase_submit(request: Req, participant_id: PathId) -> Template | Redirect:
    """Erasure cannot be undone, so the administrator types the name to confirm it."""
    user = current_user(request)
    assert user is not None
    person = await services.get_participant(actor_of(request), user, participant_id)
    typed = str((await request.form()).get("confirm_name", "")).strip()
    if typed != person.display_name:
        return page(
            request,
            "participants/erase.html",
            status_code=422,
            person=person,
            error=_("Type the name exactly as shown to confirm."),
        )
    await services.erase(actor_of(request), participant_id)
    flash(request, _("The participant's personal data has been erased."), category="info")
    return Redirect("/participants")


PAGES = [
    participants_page,
    profile_page,
    review_submit,
    new_participant_page,
    edit_participant_page,
    create_participant_submit,
    edit_participant_submit,
    capacity_page,
    capacity_submit,
    day_needs_page,
    day_needs_submit,
    goal_submit,
    interests_submit,
    export_download,
    erase_page,
    erase_submit,
]
