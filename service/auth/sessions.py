"""Server-side sessions whose id is replaced at sign-in (no session fixation)."""

from __future__ import annotations

import secrets
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)

NEW_SESSION_ID = "tupa.new_session_id"


class RotatingSessionBackend(ServerSideSessionBackend):
    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        return connection.scope.get(NEW_SESSION_ID) or super().get_session_id(connection)  # type: ignore[return-value]


class SessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend


async def rotate_session_id(connection: ASGIConnection[Any, Any, Any, Any], key: str) -> None:
    """Forget the old session id and give the response a fresh one."""
    old_id = connection.cookies.get(key)
    if old_id:
        await connection.app.stores.get("sessions").delete(old_id)
    connection.scope[NEW_SESSION_ID] = secrets.token_hex(32)  # type: ignore[literal-required]
