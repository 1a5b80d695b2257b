"""CSRF protection for every form post, from Litestar's middleware.

Some requests skip the check because a browser cannot forge them cross-site: one with
a bearer token (no ambient credentials), and those a cross-site page could only send
after a CORS preflight, which Tupa never grants: JSON bodies, PUT, PATCH and DELETE.
"""

from __future__ import annotations

from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Headers
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import Receive, Scope, Send

CSRF_COOKIE = "tupa_csrf"
CSRF_HEADER = "x-csrftoken"


class TupaCSRFMiddleware(CSRFMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _cannot_be_forged(
            str(scope.get("method", "")), Headers.from_scope(scope)
        ):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _cannot_be_forged(method: str, headers: Headers) -> bool:
    if method in {"PUT", "PATCH", "DELETE"}:
        return True
    if headers.get("authorization", "").lower().startswith("bearer "):
        return True
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    return content_type == "application/json"


def csrf_config(secret: str, *, secure: bool) -> CSRFConfig:
    return CSRFConfig(
        secret=secret,
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_secure=secure,
        cookie_samesite="lax",
        # calendar feeds: read-only, polled by calendar apps that keep no cookies;
        # one-click unsubscribe (RFC 8058): mail clients POST it, the signed link is the key
        exclude=["^/static/", "^/health$", "^/schema", r"^/feeds/[^/]+\.ics$", "^/unsubscribe/"],
    )
