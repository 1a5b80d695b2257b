"""Health, the home page and the dashboard."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.channels import ChannelsPlugin
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from service.attendance.live import live_updates_health
from service.attendance.services import open_follow_ups
from service.audit.reads import AUDIT_READS
from service.auth.guards import permission, public
from service.auth.permissions import may
from service.db import check_database, pending_migrations
from service.jobs import JobQueue
from service.outages import RETRY_AFTER_SECONDS
from service.web import current_user, page


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
    return page(request, "dashboard.html", follow_ups=await open_follow_ups(user))


ROUTES = [health, home, dashboard]
