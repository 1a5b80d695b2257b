"""Security headers on every response, set in one place.

A `before_send` hook of the app sees every response Litestar sends: pages, the API,
problem documents, redirects, 404s and 405s of unrouted paths, static files, feeds and
the automatic OPTIONS answers (which no guard or route middleware sees). It adds:

- a Content-Security-Policy that allows no inline script or style and no framing
  (`frame-ancestors 'none'`, and `X-Frame-Options: DENY` for older browsers);
- `X-Content-Type-Options: nosniff`;
- `Referrer-Policy: no-referrer` where the URL or the page carries a secret (a route
  declares it with `opt={SECRET_PAGE: True}`) and on OPTIONS answers, `same-origin`
  elsewhere;
- `Cache-Control: no-store` unless the response chose its own caching (calendar feeds
  with their ETag, static files, the service worker);
- in production: `Strict-Transport-Security`, and `Secure` on every cookie.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

#: A route's `opt` key: its URL or its content holds a secret (a feed token, a login
#: card's code, a temporary password), so no page it leads to learns the address.
SECRET_PAGE = "secret_page"  # noqa: S105 (an option name, not a secret)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-src 'none'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000"
NO_STORE = "no-store"


def security_headers(*, production: bool) -> BeforeMessageSendHookHandler:
    """The hook for `Litestar(before_send=[...])`."""

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer" if _is_secret_page(scope) else "same-origin"
        if "cache-control" not in headers:
            headers["Cache-Control"] = NO_STORE
        if production:
            headers["Strict-Transport-Security"] = HSTS
            _make_cookies_secure(headers)

    return add_security_headers


def _is_secret_page(scope: Scope) -> bool:
    """Declared by the route; an OPTIONS answer (Litestar's own handler, which carries no
    route options) shows nothing, so it gets the stricter policy too."""
    if scope.get("method") == "OPTIONS":
        return True
    handler = scope.get("route_handler")
    return bool(handler is not None and handler.opt.get(SECRET_PAGE))


def _make_cookies_secure(headers: MutableScopeHeaders) -> None:
    cookies = headers.getall("set-cookie", [])
    if not cookies:
        return
    del headers["set-cookie"]
    for cookie in cookies:
        flags = {part.strip().lower() for part in cookie.split(";")[1:]}
        headers.add("set-cookie", cookie if "secure" in flags else f"{cookie}; Secure")
