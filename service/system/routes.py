"""Health, the home page and the dashboard."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.datastructures import State
from litestar.response import Redirect, Template

from service.attendance.services import open_follow_ups
from service.audit.reads import AUDIT_READS
from service.auth.guards import permission, public
from service.auth.permissions import may
from service.db import check_database, pending_migrations
from service.web import current_user, page


class Health(msgspec.Struct):
    status: str
    database: dict[str, Any]
    queue: dict[str, Any]
    migrations: dict[str, Any]


@get("/health", tags=["system"], cache=False, guards=[public])
async def health(state: State) -> Response[Health]:
    """200 when the database answers, the queue is up and no migration is pending;
    503 otherwise, with the part that is not."""
    settings = state.settings
    try:
        database_ok = await check_database()
        pending = await pending_migrations()
        database: dict[str, Any] = {"ok": database_ok, "engine": settings.database_engine}
    except Exception as error:
        database = {"ok": False, "engine": settings.database_engine, "error": type(error).__name__}
        pending = []
    queue_ok = await state.queue.ping()
    healthy = database["ok"] and queue_ok and not pending
    body = Health(
        status="ok" if healthy else "degraded",
        database=database,
        queue={"ok": queue_ok, "kind": state.queue.kind},
        migrations={"ok": not pending, "pending": pending},
    )
    return Response(body, status_code=200 if healthy else 503)


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
