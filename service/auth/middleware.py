"""Who is asking: a bearer token or the session, set as `scope["user"]` (None when
nobody is signed in), then the request's language."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from service.auth import services
from service.auth.schemas import CurrentUser
from service.i18n import negotiate_language, use_language

SESSION_USER = "user_id"
SESSION_STAMP = "stamp"
LANGUAGE_COOKIE = "tupa_lang"


def _is_static(scope: Scope) -> bool:
    """Static files need neither a user nor a language."""
    return scope["path"].startswith("/static/")


class AuthMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)

    def __init__(self, token_max_age: timedelta) -> None:
        self.token_max_age = token_max_age

    def should_bypass_for_scope(self, scope: Scope) -> bool:
        return _is_static(scope)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        user, via_token = await _user_from_bearer(connection, self.token_max_age)
        if not via_token:
            user = await _user_from_session(scope)
        scope["user"] = user
        scope["auth"] = "token" if via_token else ("session" if user else None)
        await next_app(scope, receive, send)


async def _user_from_bearer(
    connection: ASGIConnection[Any, Any, Any, Any], token_max_age: timedelta
) -> tuple[CurrentUser | None, bool]:
    header = connection.headers.get("authorization", "")
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret:
        return None, False
    return await services.user_for_token(secret.strip(), token_max_age), True


async def _user_from_session(scope: Scope) -> CurrentUser | None:
    session = scope.get("session")
    if not isinstance(session, dict):
        return None
    user_id = session.get(SESSION_USER)
    if not isinstance(user_id, int):
        return None
    user = await services.load_current_user(user_id)
    if user is None or user.password_stamp != session.get(SESSION_STAMP):
        return None
    return user


class LanguageMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def should_bypass_for_scope(self, scope: Scope) -> bool:
        return _is_static(scope)

    def __init__(self, default_language: str, offered: tuple[str, ...]) -> None:
        self.default_language = default_language
        self.offered = offered

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        user: CurrentUser | None = scope.get("user")
        language = negotiate_language(
            saved=user.language if user else None,
            chosen=connection.cookies.get(LANGUAGE_COOKIE),
            accept_language=connection.headers.get("accept-language"),
            default=self.default_language,
            offered=self.offered,
        )
        with use_language(language):
            await next_app(scope, receive, send)
