"""The participant's own pages: phone first, plain words. My week (with "I can't
come"), my goals (and a wish of my own), and activities that fit my goals."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from service import clock
from service.attendance import services as attendance
from service.auth.guards import permission
from service.catalog import services as catalog
from service.catalog.vocabulary import domain_label, weekday_names
from service.errors import DomainError, InvalidInput, NotFound
from service.forms import form_to
from service.i18n import gettext as _
from service.matching import services as matching
from service.params import WEEKS_AHEAD_MAX, PathId, QueryWeeksAhead
from service.people import services
from service.people.cards import recent_cards
from service.people.schemas import GoalIn, GoalOut, InterestsIn
from service.placements import services as placements
from service.placements.schemas import AbsenceIn, AbsenceTakeBack
from service.web import actor_of, current_user, page

Req = Request[Any, Any, Any]


async def _own(request: Req) -> tuple[Any, int | None]:
    user = current_user(request)
    assert user is not None
    return user, await services.own_participant_id(user)


def _weekday(day: date) -> str:
    return weekday_names()[day.weekday()]


@get("/me", guards=[permission("participant.self")])
async def my_week(request: Req, week: QueryWeeksAhead = 0) -> Template:
    """One week, Monday to Sunday: this one, or one of the next few (`week` ahead)."""
    _user, participant_id = await _own(request)
    today = clock.today()
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=week)
    sessions = (
        await placements.my_sessions(participant_id, monday, monday + timedelta(days=6))
        if participant_id
        else []
    )
    cards = await recent_cards(participant_id) if participant_id else []
    days: dict[date, list[Any]] = {}
    for session in sessions:
        days.setdefault(session.date, []).append(session)
    return page(
        request,
        "me/week.html",
        linked=participant_id is not None,
        cards=cards,
        days=days,
        weekday=_weekday,
        today=today,
        now=clock.utcnow(),
        week=week,
        monday=monday,
        sunday=monday + timedelta(days=6),
        last_week=WEEKS_AHEAD_MAX,
        overlaps=placements.overlapping(sessions),
    )


@get("/me/sessions/{session_id:int}/absence", guards=[permission("participant.self")])
async def absence_page(request: Req, session_id: PathId) -> Template:
    """A confirmation page, so that a link preview can never record an absence."""
    session = await _my_session(request, session_id)
    return page(request, "me/absence.html", session=session, weekday=_weekday, error="")


@post(
    "/me/sessions/{session_id:int}/absence",
    guards=[permission("participant.self")],
    status_code=HTTP_200_OK,
)
async def absence_submit(request: Req, session_id: PathId) -> Template | Redirect:
    user, _participant_id = await _own(request)
    form = await request.form()
    try:
        await placements.give_absence(
            actor_of(request),
            user,
            form_to(AbsenceIn, {"session_id": session_id, "note": str(form.get("note", ""))[:300]}),
        )
    except DomainError as error:
        session = await _my_session(request, session_id)
        return page(
            request,
            "me/absence.html",
            status_code=error.status_code,
            session=session,
            weekday=_weekday,
            error=error.detail,
        )
    flash(
        request,
        _("Thank you for telling us. We will miss you, see you next time!"),
        category="info",
    )
    session = await _my_session(request, session_id)
    return Redirect(f"/me?week={_weeks_ahead(session.date)}#session-{session_id}")


@post(
    "/me/sessions/{session_id:int}/absence/take-back",
    guards=[permission("participant.self")],
    status_code=HTTP_200_OK,
)
async def take_back_submit(request: Req, session_id: PathId) -> Redirect:
    """ "I can come after all", back to the week the session is in."""
    user, _participant_id = await _own(request)
    session = await _my_session(request, session_id)
    await placements.take_back_absence(  # refused: the error page says why
        actor_of(request), user, form_to(AbsenceTakeBack, {"session_id": session_id})
    )
    flash(request, _("Good to hear! We will see you there."), category="info")
    return Redirect(f"/me?week={_weeks_ahead(session.date)}#session-{session_id}")


def _weeks_ahead(day: date) -> int:
    """Which week of the participant's week pages `day` falls in (0: this week)."""
    today = clock.today()
    this_monday = today - timedelta(days=today.weekday())
    return max(0, min(WEEKS_AHEAD_MAX, (day - this_monday).days // 7))


async def _my_session(request: Req, session_id: int) -> Any:
    _user, participant_id = await _own(request)
    today = clock.today()
    if participant_id is not None:
        for session in await placements.my_sessions(
            participant_id, today, today + timedelta(days=62)
        ):
            if session.id == session_id:
                return session
    raise NotFound(_("There is no session %(id)s in this participant's week.", id=session_id))


@get("/me/goals", guards=[permission("participant.self")])
async def my_goals(request: Req) -> Template:
    user, participant_id = await _own(request)
    goals = (
        await services.list_goals(actor_of(request), user, participant_id) if participant_id else []
    )
    return page(
        request,
        "me/goals.html",
        linked=participant_id is not None,
        goals=goals,
        waiting=_waiting_for_a_talk(goals),
        domain_names=await _domain_names(),
        error="",
        wish="",
    )


@post("/me/goals", guards=[permission("participant.self")], status_code=HTTP_200_OK)
async def add_wish(request: Req) -> Template | Redirect:
    user, participant_id = await _own(request)
    if participant_id is None:
        raise NotFound(_("Your account is not linked to a participant record yet."))
    wish = str((await request.form()).get("wish", "")).strip()
    try:
        if not wish:
            raise InvalidInput("wish", _("Write your wish in your own words."))
        await services.save_goal(
            actor_of(request),
            user,
            participant_id,
            form_to(GoalIn, {"text": wish[:1000], "priority": 2}),
        )
    except DomainError as error:
        goals = await services.list_goals(actor_of(request), user, participant_id)
        return page(
            request,
            "me/goals.html",
            status_code=error.status_code,
            linked=True,
            goals=goals,
            waiting=_waiting_for_a_talk(goals),
            domain_names=await _domain_names(),
            error=error.detail,
            wish=wish,
        )
    flash(
        request,
        _("Your wish is saved. Your instructor will talk it over with you."),
        category="info",
    )
    return Redirect("/me/goals")


@get("/me/activities", guards=[permission("participant.self")])
async def my_activities(request: Req) -> Template:
    """Activities ordered by how well they fit my goals; ones I do not want are left out."""
    user, participant_id = await _own(request)
    if participant_id is None:
        return page(
            request,
            "me/activities.html",
            linked=False,
            activities=[],
            interests=None,
            domain_names={},
            sites={},
        )
    goals = await services.list_goals(actor_of(request), user, participant_id)
    my_domains = {d for g in goals if g.status == "active" for d in g.domains}
    interests = await services.get_interests(actor_of(request), user, participant_id)
    activities = [
        a
        for a in await catalog.list_activities(None)
        if a.is_active
        and a.id not in interests.unwanted_activity_ids
        and a.kind not in interests.unwanted_kinds
    ]
    fit = {a.id: sum(d.strength for d in a.domains if d.key in my_domains) for a in activities}
    activities.sort(key=lambda a: (-fit[a.id], a.title))
    sites = {s.id: s for s in await catalog.list_sites()}
    places = await matching.my_places(participant_id, clock.today())
    return page(
        request,
        "me/activities.html",
        linked=True,
        places=places,
        waiting_reasons=[] if places else await matching.my_waiting_reason(participant_id),
        weekday_names=weekday_names(),
        activities=activities,
        fit=fit,
        interests=interests,
        domain_names=await _domain_names(),
        sites=sites,
        attended=await attendance.attended_activity_ids(participant_id),
    )


@post(
    "/me/activities/{activity_id:int}/interest",
    guards=[permission("participant.self")],
    status_code=HTTP_200_OK,
)
async def toggle_interest(request: Req, activity_id: PathId) -> Redirect:
    """ "I'm interested" (or, pressed again, not any more)."""
    user, participant_id = await _own(request)
    if participant_id is None:
        raise NotFound(_("Your account is not linked to a participant record yet."))
    current = await services.get_interests(actor_of(request), user, participant_id)
    wanted = set(current.wanted_activity_ids) ^ {activity_id}
    await services.save_interests(
        actor_of(request),
        user,
        participant_id,
        InterestsIn(
            wanted_activity_ids=sorted(wanted),
            unwanted_activity_ids=current.unwanted_activity_ids,
            wanted_kinds=current.wanted_kinds,
            unwanted_kinds=current.unwanted_kinds,
            strengths=current.strengths,
        ),
    )
    if activity_id in wanted:
        flash(
            request, _("Noted! Your instructor will see that you are interested."), category="info"
        )
    return Redirect(f"/me/activities#activity-{activity_id}")


def _waiting_for_a_talk(goals: list[GoalOut]) -> set[int]:
    """The wishes staff have not taken up yet: no goal domain set and never reviewed
    (a participant's wish is saved with neither; staff add them when they talk it over)."""
    return {g.id for g in goals if not g.domains and g.reviewed_at is None}


async def _domain_names() -> dict[str, str]:
    return {d.key: domain_label(d.key, d.label) for d in await catalog.list_domains()}


PAGES = [
    my_week,
    absence_page,
    absence_submit,
    take_back_submit,
    my_goals,
    add_wish,
    my_activities,
    toggle_interest,
]
