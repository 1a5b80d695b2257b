"""Health, the home page and the dashboard."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.channels import ChannelsPlugin
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from service import clock
from service.attendance.live import live_updates_health
from service.attendance.services import day_sessions, open_follow_ups
from service.audit.reads import AUDIT_READS
from service.auth.guards import permission, public
from service.auth.permissions import may
from service.auth.schemas import CurrentUser
from service.db import check_database, pending_migrations
from service.jobs import JobQueue
from service.matching import services as matching
from service.outages import RETRY_AFTER_SECONDS
from service.people import services as people
from service.people.tables import ParticipantStatus
from service.schedule import services as schedule
from service.schedule.tables import SessionStatus
from service.web import actor_of, current_user, page


class Health(msgspec.Struct):
    status: str
    down: list[str]
    database: dict[str, Any]
    queue: dict[str, Any]
    live_updates: dict[str, Any]
    migrations: dict[str, Any]


#: A check that takes longer than this counts as failed: /health must answer in an outage.
CHECK_SECONDS = 3.0


@get(
    "/health",
    tags=["system"],
    cache=False,
    guards=[public],
    # No session: with sessions in Redis, a Redis outage would fail the health check
    # itself instead of letting it say that Redis is down.
    opt={"skip_session": True},
)
async def health(state: State, channels: NamedDependency[ChannelsPlugin]) -> Response[Health]:
    """200 when the database answers, the queue and live updates are up and no migration
    is pending; 503 otherwise, with `down` naming the parts that are not."""
    settings = state.settings
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            database_ok = await check_database()
            pending = await pending_migrations()
        database: dict[str, Any] = {"ok": database_ok, "engine": settings.database_engine}
    except Exception as error:
        database = {"ok": False, "engine": settings.database_engine, "error": type(error).__name__}
        pending = []
    queue = {"ok": await _queue_answers(state.queue), "kind": state.queue.kind}
    live = live_updates_health(channels)
    parts = {"database": database, "queue": queue, "live_updates": live}
    down = [name for name, part in parts.items() if not part["ok"]]
    if pending:
        down.append("migrations")
    body = Health(
        status="degraded" if down else "ok",
        down=down,
        database=database,
        queue=queue,
        live_updates=live,
        migrations={"ok": not pending, "pending": pending},
    )
    return Response(
        body,
        status_code=503 if down else 200,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)} if down else None,
    )


async def _queue_answers(queue: JobQueue) -> bool:
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            return await queue.ping()
    except TimeoutError:
        return False


@get("/", name="home", guards=[public])
async def home(request: Request[Any, Any, Any]) -> Redirect:
    user = current_user(request)
    if user is None:
        return Redirect("/login")
    return Redirect("/me" if may(user, "participant.self") else "/dashboard")


@get("/dashboard", guards=[permission("account.use")], opt={AUDIT_READS: True})  # follow-ups
async def dashboard(request: Request[Any, Any, Any]) -> Template:

    user = current_user(request)
    assert user is not None
    return page(
        request,
        "dashboard.html",
        follow_ups=await open_follow_ups(user),
        **await _cockpit(request, user),
    )


async def _cockpit(request: Request[Any, Any, Any], user: CurrentUser) -> dict[str, Any]:
    """What a coordinator handles next, each part only for those whose role has it:
    today's sessions with their attendance, this week's sessions under their minimum or
    short of staff, reviews due, and who is waiting for a place."""
    today = clock.today()
    monday = today - timedelta(days=today.weekday())
    context: dict[str, Any] = {"today": today, "monday": monday}
    if may(user, "roster.view"):
        context["today_sessions"] = [
            s for s in await day_sessions(user, today) if s.status != SessionStatus.cancelled
        ]
    if may(user, "schedule.plan"):
        week = await schedule.list_sessions(monday, monday + timedelta(days=6), user)
        context["week_problems"] = [
            (s, [w for w in s.warnings if w.code in ("below_minimum", "too_few_staff")])
            for s in week
            if s.status != SessionStatus.cancelled
            and s.date >= today
            and any(w.code in ("below_minimum", "too_few_staff") for w in s.warnings)
        ]
    if may(user, "participant.follow"):
        context["reviews_due"] = await people.due_reviews(user)
    if may(user, "matching.run"):
        context["waiting"] = await _waiting(request, user)
    return context


async def _waiting(request: Request[Any, Any, Any], user: CurrentUser) -> list[tuple[int, str]]:
    """Those waiting for a place: whom the latest run could not place, then those with
    the status "waiting" (also before any run), by id and name."""
    _run, unplaced = await matching.waitlist()
    waiting = [(u.participant_id, u.participant_name) for u in unplaced]
    known = {pid for pid, _name in waiting}
    for row in await people.list_participants(
        actor_of(request), user, status=ParticipantStatus.waiting
    ):
        if row.id not in known:
            waiting.append((row.id, row.display_name))
    return waiting


ROUTES = [health, home, dashboard]
