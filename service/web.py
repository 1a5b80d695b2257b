"""Shared web plumbing: page rendering, JSON problem responses and error handling."""

from __future__ import annotations

import logging
from datetime import time
from typing import Any
from urllib.parse import quote, urlsplit

import msgspec
import segno
from litestar import Request, Response
from litestar._openapi.schema_generation import SchemaCreator
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    ValidationException,
)
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.plugins import OpenAPISchemaPlugin, ReceiveRoutePlugin
from litestar.response import Redirect, Template
from litestar.routes import BaseRoute, HTTPRoute
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR, HTTP_503_SERVICE_UNAVAILABLE
from litestar.types import Empty, ExceptionHandlersMap
from litestar.typing import FieldDefinition

from service.audit.services import Actor
from service.auth.guards import PasswordChangeRequired
from service.auth.middleware import LANGUAGE_COOKIE
from service.auth.schemas import CurrentUser
from service.bounds import TIME_PATTERN
from service.db import constraint_name, is_conflict_violation
from service.errors import ConcurrentChange, DomainError, InvalidInput, RuleBroken
from service.forms import NAMED_FIELD
from service.i18n import adopt_language, current_language, negotiate_language
from service.outages import DATABASE_OUTAGES, REDIS_OUTAGES, RETRY_AFTER_SECONDS, outage_of

log = logging.getLogger("tupa.web")

PROBLEM_JSON = "application/problem+json"


class TimeOfDaySchema(OpenAPISchemaPlugin):
    """A `time` in the OpenAPI document as what the API reads and writes, `HH:MM:SS`
    (Litestar would call it a `duration`, which it is not). No `format`: OpenAPI's `time`
    is RFC 3339's, with a UTC offset, and Tupa's times are the site's wall-clock times."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return value is time

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        return Schema(
            type=OpenAPIType.STRING,
            pattern=TIME_PATTERN,
            description="A local time of day, HH:MM:SS",
            examples=["09:30:00"],
        )


class Problem(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem document, as `problem` writes it."""

    type: str
    title: str
    status: int
    detail: str = ""
    errors: list[dict[str, str]] = msgspec.field(default_factory=list)


_PROBLEMS = {
    400: "Malformed input, or a parameter out of its bounds",
    401: "Not signed in",
    403: "Not allowed for this role, or no valid CSRF token",
    404: "No such thing, or not visible to this user",
    422: "A field that cannot be taken, named in `errors`",
    429: "Too many requests",
}
_WRITE_PROBLEMS = {
    409: "A conflict with what is stored, or a broken rule named in `errors`",
    413: "The request body is larger than Tupa reads",
}


class ApiDocument(ReceiveRoutePlugin):
    """The OpenAPI document describes the JSON API as it answers: every operation lists
    the problem documents it can give. Pages answer browsers with HTML and redirects;
    they are left out of it."""

    def receive_route(self, route: BaseRoute) -> None:
        if not isinstance(route, HTTPRoute):
            return
        documented = route.path.startswith("/api/") or route.path == "/health"
        for handler in route.route_handlers:
            if not documented:
                handler.include_in_schema = False
                # Registration has resolved the layers' setting already: resolve it anew.
                handler._resolved_include_in_schema = Empty
                continue
            writes = bool(handler.http_methods - {"GET", "HEAD"})
            statuses = {**_PROBLEMS, **(_WRITE_PROBLEMS if writes else {})}
            handler.responses = {
                **{
                    status: ResponseSpec(
                        data_container=Problem,
                        media_type=PROBLEM_JSON,
                        description=words,
                        generate_examples=False,
                    )
                    for status, words in statuses.items()
                },
                **(handler.responses or {}),
            }


def current_user(request: Request[Any, Any, Any]) -> CurrentUser | None:
    return request.scope.get("user")


def actor_of(request: Request[Any, Any, Any]) -> Actor:
    """The signed-in user and where the request came from, for the audit log."""
    return Actor(
        user=current_user(request),
        ip=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", ""),
    )


def page(
    request: Request[Any, Any, Any], template: str, *, status_code: int = 200, **context: Any
) -> Template:
    """Render a page with what every page needs: the user, the language and the path."""
    return Template(
        template_name=template,
        context={
            "user": current_user(request),
            "lang": current_language(),
            "path": request.url.path,
            "has_session": isinstance(request.scope.get("session"), dict),
            **context,
        },
        status_code=status_code,
    )


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a path on this site: never a redirect to somewhere else."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/")


def problem(
    status: int,
    title: str,
    detail: str = "",
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    """An RFC 9457 problem document."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def field_errors(exc: ValidationException) -> list[dict[str, str]]:
    """Litestar's validation details, as a list of {field, message}."""
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict) and item.get("key"):
            message = str(item.get("message", ""))
            # For a missing or unknown field Litestar names the body, msgspec the field.
            named = NAMED_FIELD.search(message)
            errors.append(
                {"field": named.group(1) if named else str(item["key"]), "message": message}
            )
    return errors


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NUL_REFUSED = "Text must not contain the NUL character."


async def refuse_nul_characters(request: Request[Any, Any, Any]) -> None:
    """Refuse a NUL character anywhere in the query string or a posted form (422 naming
    the field), before any handler reads them: PostgreSQL cannot store it in text, and
    pages read some fields straight from the form. JSON bodies are checked by their
    structs' `bounds.text` pattern."""
    for name, value in request.query_params.multi_items():
        if "\x00" in name or "\x00" in str(value):
            raise InvalidInput(name, NUL_REFUSED)
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    if not request.headers.get("content-type", "").startswith(FORM_TYPES):
        return
    form = await request.form()
    for name, value in form.multi_items():
        if "\x00" in name or (isinstance(value, str) and "\x00" in value):
            raise InvalidInput(name, NUL_REFUSED)


def handle_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """Malformed input is 400; well-formed input with a bad field is 422 naming it."""
    errors = field_errors(exc)
    status = 422 if errors else 400
    if is_api(request):
        return problem(
            status, "Invalid input" if errors else "Bad request", exc.detail, errors=errors
        )
    return _error_page(request, status, errors=errors)


def handle_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    errors: list[dict[str, str]] | None = None
    if isinstance(exc, InvalidInput):
        errors = [{"field": exc.field, "message": exc.detail}]
    elif isinstance(exc, RuleBroken):
        errors = [{"rule": rule, "message": words} for rule, words in exc.rules]
    if is_api(request):
        return problem(exc.status_code, _title(exc.status_code), exc.detail, errors=errors)
    return _error_page(request, exc.status_code, detail=exc.detail, errors=errors or [])


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 429 and "Retry-After" not in headers:
        headers["Retry-After"] = headers.get("RateLimit-Reset", "60")
    if is_api(request):
        return problem(status, _title(status), exc.detail, headers=headers)
    if isinstance(exc, NotAuthorizedException):
        return Redirect(f"/login?next={quote(request.url.path)}")
    if isinstance(exc, PasswordChangeRequired):
        return Redirect("/account/password")
    return _error_page(request, status, headers=headers)


def handle_outage(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The database or Redis is out of reach: 503 with `Retry-After`, naming which, so
    that tablets and browsers try again (a 500 would say that the request is wrong)."""
    service = outage_of(exc) or "database"
    path = request.url.path
    log.warning("%s %s: the %s is out of reach (%r)", request.method, path, service, exc)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    detail = _OUTAGE_DETAIL[service]
    if is_api(request):
        return problem(HTTP_503_SERVICE_UNAVAILABLE, "Service unavailable", detail, headers=headers)
    return _error_page(request, HTTP_503_SERVICE_UNAVAILABLE, headers=headers)


_OUTAGE_DETAIL = {
    "database": "The database is not answering for the moment; try again in a few seconds.",
    "redis": "Redis (sessions, jobs and live updates) is not answering for the moment; "
    "try again in a few seconds.",
}

#: Exception handlers for `create_app`: outages answer 503 by class, and the catch-all
#: for other errors recognises the outages that only their traceback tells apart.
OUTAGE_HANDLERS: ExceptionHandlersMap = {
    error: handle_outage for error in (*DATABASE_OUTAGES, *REDIS_OUTAGES)
}


def handle_integrity_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A write outside `db.transaction()` that lost a race gets the 409 that
    `db.transaction()` gives; any other integrity error is a fault of ours."""
    if is_conflict_violation(exc):
        return handle_domain_error(request, ConcurrentChange(constraint_name(exc)))
    return handle_internal_error(request, exc)


def handle_recursion_error(request: Request[Any, Any, Any], exc: RecursionError) -> Response[Any]:
    """A body nested deeper than the decoder goes is bad input (400), not a fault;
    any other recursion error is one."""
    if "deserializing" not in str(exc):
        return handle_internal_error(request, exc)
    if is_api(request):
        return problem(400, "Bad request", "The request body is nested too deeply.")
    return _error_page(request, 400, detail="The request body is nested too deeply.")


def handle_internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if outage_of(exc) is not None:
        return handle_outage(request, exc)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if is_api(request):
        return problem(HTTP_500_INTERNAL_SERVER_ERROR, "Internal server error")
    return _error_page(request, HTTP_500_INTERNAL_SERVER_ERROR)


def _error_page(
    request: Request[Any, Any, Any],
    status: int,
    *,
    detail: str = "",
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    if "user" not in request.scope:
        # Unrouted requests (404, 405) skip the middleware that picks the language.
        adopt_language(
            negotiate_language(
                saved=None,
                chosen=request.cookies.get(LANGUAGE_COOKIE),
                accept_language=request.headers.get("accept-language"),
                default=request.app.state.settings.default_language,
                offered=request.app.state.settings.languages,
            )
        )
    response = page(
        request,
        "errors/error.html",
        status_code=status,
        status=status,
        detail=detail,
        errors=errors or [],
    )
    if headers:
        response.headers.update(headers)
    return response


def _title(status: int) -> str:
    return {
        400: "Bad request",
        401: "Not signed in",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        409: "Conflict",
        415: "Unsupported media type",
        413: "Request body too large",
        422: "Invalid input",
        429: "Too many requests",
        503: "Service unavailable",
    }.get(status, "Error")


def qr_svg(url: str, *, scale: int = 4, title: str | None = None) -> str:
    """A QR code of `url` as inline SVG (segno): scale 4 for a screen, 6 to scan from
    paper."""
    return segno.make(url, error="m").svg_inline(scale=scale, border=2, title=title)
