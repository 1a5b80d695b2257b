"""The audit of reads: every successful GET of a route whose permission gives access to
other people's personal data (`Permission.audits_reads`) is written to the log, from
this one place, unless the request wrote an event of its own (a service that records
its read with more detail, such as `participant.view`)."""

from __future__ import annotations

import re
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.audit.services import Actor, Subject, record, watch_request
from service.auth.guards import declared_permissions
from service.auth.permissions import PERMISSIONS
from service.auth.schemas import CurrentUser

READ_METHODS = frozenset({"GET", "HEAD"})
#: The action of a read event.
READ = "read"
#: Query values kept in the event: ids and dates, never free text (a search for a name).
_KEPT_VALUE = re.compile(r"^[0-9:-]{1,32}$")
#: The route option by which a route whose permission is for everyone (`account.use`)
#: declares that it shows other people's personal data all the same (the dashboard's
#: follow-up items): `opt={AUDIT_READS: True}`.
AUDIT_READS = "audit_reads"
#: The path parameters that name a person, and the table they name.
_PEOPLE_PARAMETERS = {"participant_id": "participant", "user_id": "user"}


def audits_reads(handler: BaseRouteHandler) -> bool:
    """Whether a read of this route is audited: one of the permissions it declares
    gives access to other people's personal data, or the route says it shows some."""
    return bool(handler.opt.get(AUDIT_READS)) or any(
        PERMISSIONS[name].audits_reads
        for name in declared_permissions(handler)
        if name in PERMISSIONS
    )


class ReadAuditMiddleware(ASGIMiddleware):
    """Writes one `read` event for each successful read of an audited route, when the
    answer starts (so that a stream, too, is recorded once)."""

    scopes = (ScopeType.HTTP,)

    def should_bypass_for_scope(self, scope: Scope) -> bool:
        handler = scope.get("route_handler")
        return (
            scope.get("method") not in READ_METHODS or handler is None or not audits_reads(handler)
        )

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        written = watch_request()

        async def send_recording(message: Message) -> None:
            if (
                message["type"] == "http.response.start"
                and message["status"] < 400
                and written.count == 0
            ):
                await _record_read(scope)
            await send(message)

        await next_app(scope, receive, send_recording)


async def _record_read(scope: Scope) -> None:
    connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
    user: CurrentUser | None = scope.get("user")
    handler: BaseRouteHandler = scope["route_handler"]
    parameters: dict[str, Any] = scope.get("path_params") or {}
    entity, entity_id = _entity(parameters)
    actor = Actor(
        user=user,
        ip=connection.client.host if connection.client else "",
        user_agent=connection.headers.get("user-agent", ""),
    )
    await record(
        actor,
        READ,
        entity=entity,
        entity_id=entity_id,
        details={
            "route": handler.handler_name,
            "path": scope["path"][:300],
            "query": _kept_query(connection.query_params.dict()),
        },
        subject=_subject(parameters, connection.query_params.dict()),
    )


def _entity(parameters: dict[str, Any]) -> tuple[str, object]:
    """What the read is of: the first `<thing>_id` path parameter, if any."""
    for name, value in parameters.items():
        if name.endswith("_id"):
            return name.removesuffix("_id")[:60], value
    return "", ""


def _subject(parameters: dict[str, Any], query: dict[str, list[str]]) -> Subject | None:
    """The person read about, when the path or the query names one."""
    for name, table in _PEOPLE_PARAMETERS.items():
        if isinstance(parameters.get(name), int):
            return Subject(table, parameters[name])
    named = query.get("participant") or query.get("participant_id") or []
    if named and named[0].isdigit() and len(named[0]) < 10:
        return Subject.participant(int(named[0]))
    return None


def _kept_query(query: dict[str, list[str]]) -> dict[str, str]:
    """The query's ids and dates; other values (free text) only as present."""
    return {
        name[:40]: (values[0] if values and _KEPT_VALUE.match(values[0]) else "…")
        for name, values in list(query.items())[:20]
    }
