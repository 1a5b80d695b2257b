"""`create_app`: the one place where Litestar is wired."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg
from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from litestar import Litestar, Request, Router
from litestar.config.compression import CompressionConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.exceptions import HTTPException, ValidationException
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.flash import FlashConfig, FlashPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from litestar.template.config import TemplateConfig
from litestar.types import Middleware
from piccolo.engine.base import Engine
from redis.asyncio import Redis
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from service import clock, composition
from service.attendance.live import make_channels
from service.attendance.pages import PAGES as ATTENDANCE_PAGES
from service.attendance.routes import ROUTES as ATTENDANCE_ROUTES
from service.audit.reads import ReadAuditMiddleware
from service.audit.routes import ROUTES as AUDIT_ROUTES
from service.auth.csrf import TupaCSRFMiddleware, csrf_config
from service.auth.guards import public
from service.auth.middleware import AuthMiddleware, LanguageMiddleware
from service.auth.permissions import may
from service.auth.routes import LOGIN_PATHS, SESSION_COOKIE
from service.auth.routes import ROUTES as AUTH_ROUTES
from service.auth.schemas import role_label
from service.auth.sessions import SessionConfig
from service.auth.user_routes import ROUTES as USER_ROUTES
from service.bounds import MAX_BODY_BYTES
from service.calendars.routes import ROUTES as CALENDAR_ROUTES
from service.catalog.pages import PAGES as CATALOG_PAGES
from service.catalog.routes import ROUTES as CATALOG_ROUTES
from service.catalog.vocabulary import (
    domain_label,
    feature_label,
    kind_label,
    partner_kind_label,
    skill_label,
)
from service.db import another_process_serves, bind_engine, close_engine, open_engine
from service.engines import engine_from_url
from service.errors import DomainError
from service.headers import security_headers
from service.i18n import current_language, translations
from service.jobs import JobQueue, make_queue
from service.matching.routes import ROUTES as MATCHING_ROUTES
from service.matching.services import status_label as run_status_label
from service.outages import REDIS_TIMEOUT_SECONDS
from service.paths import STATIC_DIR, TEMPLATES_DIR, private_directory
from service.people.card_routes import ROUTES as CARD_ROUTES
from service.people.pages import PAGES as PEOPLE_PAGES
from service.people.routes import ROUTES as PEOPLE_ROUTES
from service.people.staff_pages import PAGES as PARTICIPANT_PAGES
from service.placements.routes import ROUTES as PLACEMENT_ROUTES
from service.schedule.routes import ROUTES as SCHEDULE_ROUTES
from service.settings import LANGUAGES, Settings
from service.staff.routes import ROUTES as STAFF_ROUTES
from service.system.routes import ROUTES as SYSTEM_ROUTES
from service.transfer.routes import ROUTES as TRANSFER_ROUTES
from service.web import (
    OUTAGE_HANDLERS,
    ApiDocument,
    TimeOfDaySchema,
    handle_domain_error,
    handle_http_exception,
    handle_integrity_error,
    handle_internal_error,
    handle_recursion_error,
    handle_validation,
    refuse_nul_characters,
)

SHARED_SQLITE_WARNING = (
    "Another Tupa server already uses the SQLite file of %s. Live roster updates and the "
    "in-process job queue do not cross processes, so the two will not see each other's "
    "changes at once. Run one server on SQLite, or set DATABASE_URL (PostgreSQL) and "
    "REDIS_URL to run more than one."
)
#: Static files may be kept an hour (their names carry no version).
STATIC_CACHE = CacheControlHeader(public=True, max_age=3600)


def create_app(
    settings: Settings | None = None,
    *,
    queue: JobQueue | None = None,
    engine: Engine | None = None,
) -> Litestar:
    """The app. `engine` lends it an engine that its caller opens and closes (tests)."""
    settings = settings or Settings.from_env()
    clock.use_time_zone(settings.tz)
    composition.wire()
    queue = queue or make_queue(settings)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    sessions = SessionConfig(
        key=SESSION_COOKIE,
        store="sessions",
        max_age=settings.session_max_age,
        secure=settings.secure_cookies,
        samesite="lax",
        httponly=True,
        renew_on_access=True,
    )
    login_limit = RateLimitConfig(
        rate_limit=("minute", settings.login_attempts_per_minute),
        check_throttle_handler=_is_login_attempt,
        store="rate_limit",
    )
    template_config = TemplateConfig(engine=JinjaTemplateEngine.from_environment(_jinja(settings)))
    return Litestar(
        route_handlers=[
            *SYSTEM_ROUTES,
            *AUTH_ROUTES,
            *USER_ROUTES,
            *AUDIT_ROUTES,
            *TRANSFER_ROUTES,
            *CATALOG_ROUTES,
            *CATALOG_PAGES,
            *STAFF_ROUTES,
            *SCHEDULE_ROUTES,
            *PEOPLE_ROUTES,
            *PEOPLE_PAGES,
            *PARTICIPANT_PAGES,
            *CARD_ROUTES,
            *PLACEMENT_ROUTES,
            *MATCHING_ROUTES,
            *ATTENDANCE_ROUTES,
            *ATTENDANCE_PAGES,
            *CALENDAR_ROUTES,
            create_static_files_router(
                path="/static",
                directories=[STATIC_DIR],
                include_in_schema=False,
                guards=[public],
                cache_control=STATIC_CACHE,
            ),
        ],
        middleware=[
            *_proxy_headers(settings),
            login_limit.middleware,
            sessions.middleware,
            AuthMiddleware(settings.token_max_age),
            LanguageMiddleware(settings.default_language),
            ReadAuditMiddleware(),
            DefineMiddleware(
                TupaCSRFMiddleware,
                config=csrf_config(settings.secret_key, secure=settings.secure_cookies),
            ),
        ],
        before_send=[security_headers(production=settings.is_production)],
        stores=_stores(settings),
        template_config=template_config,
        plugins=[
            FlashPlugin(config=FlashConfig(template_config=template_config)),
            make_channels(settings),
            TimeOfDaySchema(),
            ApiDocument(),
        ],
        request_max_body_size=MAX_BODY_BYTES,
        before_request=refuse_nul_characters,
        exception_handlers={
            ValidationException: handle_validation,
            DomainError: handle_domain_error,
            HTTPException: handle_http_exception,
            **OUTAGE_HANDLERS,
            # a write that lost a race outside db.transaction(): 409 like inside it
            asyncpg.IntegrityConstraintViolationError: handle_integrity_error,
            sqlite3.IntegrityError: handle_integrity_error,
            RecursionError: handle_recursion_error,
            Exception: handle_internal_error,
        },
        compression_config=CompressionConfig(
            backend="gzip", minimum_size=1024, exclude=["^/feeds/", "/attendance/events$"]
        ),
        openapi_config=OpenAPIConfig(
            title="Tupa",
            version="1",
            path="/schema",
            # The JSON document only: a documentation viewer would load script from a
            # CDN into this origin, which the Content-Security-Policy refuses.
            render_plugins=[JsonRenderPlugin()],
            openapi_router=Router(
                path="/schema", route_handlers=[], include_in_schema=False, guards=[public]
            ),
        ),
        state=State({"settings": settings, "queue": queue, "lent_engine": engine}),
        lifespan=[_lifespan],
        debug=False,
    )


@asynccontextmanager
async def _lifespan(app: Litestar) -> AsyncIterator[None]:
    """Open the database pool and the job queue with the app, close them with it."""
    settings: Settings = app.state.settings
    lent: Engine | None = app.state.lent_engine
    engine = lent or engine_from_url(settings.database_url)
    bind_engine(engine)
    if not settings.redis_url and another_process_serves(settings.database_url):
        logging.getLogger("tupa").warning(SHARED_SQLITE_WARNING, settings.database_url)
    if lent is None:
        await open_engine(engine)
    await app.state.queue.start()
    try:
        yield
    finally:
        await app.state.queue.stop()
        if lent is None:
            await close_engine(engine)


def _proxy_headers(settings: Settings) -> list[Middleware]:
    """The client's address and scheme from `X-Forwarded-For` and `X-Forwarded-Proto`,
    believed only from the trusted proxies (none by default): rate limits and the audit
    log see `request.client`. First, so that everything after it sees the real client."""
    if not settings.trusted_proxies:
        return []
    # uvicorn's ASGI types are its own spelling of the same protocol.
    proxy: Any = ProxyHeadersMiddleware
    return [DefineMiddleware(proxy, trusted_hosts=settings.trusted_proxies)]


def _is_login_attempt(request: Request[Any, Any, Any]) -> bool:
    """Sign-in attempts, counted per client address: the sign-in forms and every use of
    a login card, also opening its link (which would otherwise let codes be tried)."""
    path = request.url.path
    if path == "/card" or path.startswith("/card/"):
        return request.method in {"GET", "POST"}
    return request.method == "POST" and path in LOGIN_PATHS


def _stores(settings: Settings) -> dict[str, Store]:
    """Redis when REDIS_URL is set, so that any number of app processes share them;
    otherwise sessions in files under the data folder and counters in memory."""
    if settings.redis_url:
        client = Redis.from_url(
            settings.redis_url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        root = RedisStore(client, namespace="tupa", handle_client_shutdown=True)
        return {
            "sessions": root.with_namespace("sessions"),
            "rate_limit": root.with_namespace("rate_limit"),
            "feeds": root.with_namespace("feeds"),
        }
    return {
        "sessions": FileStore(private_directory(settings.data_dir / "sessions")),
        "rate_limit": MemoryStore(),
        "feeds": MemoryStore(),
    }


def _jinja(settings: Settings) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Jinja fills in the variables itself (newstyle), so it gets the bare lookups.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: translations(current_language()).gettext(message),
        lambda singular, plural, n: translations(current_language()).ngettext(singular, plural, n),
        newstyle=True,
    )
    env.globals.update(
        languages=LANGUAGES,
        current_language=current_language,
        role_label=role_label,
        may=_may_in_template,
        kind_label=kind_label,
        feature_label=feature_label,
        domain_label=domain_label,
        partner_kind_label=partner_kind_label,
        skill_label=skill_label,
        run_status_label=run_status_label,
    )
    env.filters["datetime"] = lambda value, fmt="short": _format_datetime(value, settings, fmt)
    env.filters["date"] = lambda value, fmt="medium": (
        format_date(value, format=fmt, locale=current_language()) if value else ""
    )
    return env


@pass_context
def _may_in_template(context: Context, name: str, obj: Any = None) -> bool:
    """`{% if may("catalog.edit") %}`: the named permission for the page's user."""
    return may(context.get("user"), name, obj)


def _format_datetime(value: datetime | None, settings: Settings, fmt: str) -> str:
    """The date in the reader's language and the time on a 24-hour clock in every
    language (English would otherwise say 1:24 PM)."""
    if value is None:
        return ""
    local = value.astimezone(settings.tz)
    return f"{format_date(local.date(), format=fmt, locale=current_language())} {local:%H:%M}"
