"""Server-side sessions whose id is replaced at sign-in (no session fixation)."""

from __future__ import annotations

import secrets
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Message, ScopeSession

NEW_SESSION_ID = "tupa.new_session_id"


class RotatingSessionBackend(ServerSideSessionBackend):
    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        return connection.scope.get(NEW_SESSION_ID) or super().get_session_id(connection)  # type: ignore[return-value]

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        """Store the session, but not an empty one nobody asked for: Litestar would write
        one to the store for every request without a session cookie (feeds, bearer-token
        clients, the sign-in page), which fills the store, and makes such requests fail
        while the store (Redis) is down although they need no session."""
        unasked = NEW_SESSION_ID not in connection.scope and not connection.cookies.get(
            self.config.key
        )
        if unasked and not scope_session:
            return
        await super().store_in_message(scope_session, message, connection)


class SessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend


async def rotate_session_id(connection: ASGIConnection[Any, Any, Any, Any], key: str) -> None:
    """Forget the old session id and give the response a fresh one."""
    old_id = connection.cookies.get(key)
    if old_id:
        await connection.app.stores.get("sessions").delete(old_id)
    connection.scope[NEW_SESSION_ID] = secrets.token_hex(32)  # type: ignore[literal-required]
