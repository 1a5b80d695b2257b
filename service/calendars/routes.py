"""Calendar feeds over HTTP: the feeds themselves (`/feeds/{token}.ics`, GET and HEAD,
ETag and Last-Modified with 304, a per-token rate limit), the "I can't come" link's
confirmation page, the JSON API to create, rotate and revoke feeds, and the buttons on
the participant's own page and on their profile."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from litestar import Request, get, post, route
from litestar.enums import HttpMethod
from litestar.params import FromQuery, JSONBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.response.base import ASGIResponse
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from litestar.stores.redis import RedisStore

from service import clock
from service.auth.guards import permission, public
from service.calendars import services
from service.calendars.schemas import FeedIn, FeedOut
from service.calendars.tables import FeedKind
from service.errors import DomainError, NotFound
from service.headers import SECRET_PAGE
from service.i18n import gettext as _
from service.params import OptionalQueryId, PathId, PathText
from service.people.services import own_participant_id
from service.settings import Settings
from service.web import actor_of, current_user, page, qr_svg

Req = Request[Any, Any, Any]
MEDIA_TYPE = "text/calendar"  # Litestar adds "; charset=utf-8" to text/ types
RATE_WINDOW = 60


def _settings(request: Req) -> Settings:
    return request.app.state.settings


def base_url(request: Req) -> str:
    return str(request.base_url).rstrip("/")


def webcal_url(request: Req, path: str) -> str:
    """The `webcal://` form of the feed's address, which phones open in their calendar."""
    url = base_url(request) + path
    return "webcal://" + url.split("://", 1)[1]


# --- the feeds -----------------------------------------------------------------------


@route(
    "/feeds/{name:str}",
    guards=[public],
    http_method=[HttpMethod.GET, HttpMethod.HEAD],
    include_in_schema=False,
    # Calendar apps keep no cookies: no session per poll.
    opt={"skip_session": True, SECRET_PAGE: True},
)
async def serve_feed(request: Req, name: PathText) -> ASGIResponse:
    """The calendar, by its secret. 404 for anything unknown or revoked, no redirects."""
    if not name.endswith(".ics"):
        raise NotFound(_("There is no such calendar."))
    token = name[: -len(".ics")]
    settings = _settings(request)
    retry_after = await _over_limit(request, token, settings.feed_requests_per_minute)
    if retry_after:
        return ASGIResponse(
            body=b"Too many requests for this calendar.",
            status_code=429,
            media_type="text/plain",
            headers={"Retry-After": str(retry_after)},
        )
    ref = await services.resolve(token)
    if ref is None:
        raise NotFound(_("There is no such calendar."))
    feed = await services.rendered_feed(
        ref,
        store=request.app.stores.get("feeds"),
        base_url=base_url(request),
        secret_key=settings.secret_key,
        today=clock.now(settings.tz).date(),
        tz=settings.tz,
    )
    headers = {
        "ETag": feed.etag,
        "Last-Modified": format_datetime(
            datetime.fromtimestamp(feed.last_modified, UTC), usegmt=True
        ),
        "Cache-Control": "private, max-age=300",
    }
    if _not_modified(request, feed.etag, feed.last_modified):
        return ASGIResponse(body=b"", status_code=304, headers=headers)
    head = request.method == HttpMethod.HEAD
    if head:
        headers["Content-Length"] = str(len(feed.body))
    return ASGIResponse(
        body=b"" if head else feed.body,
        content_length=len(feed.body),
        is_head_response=head,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def _not_modified(request: Req, etag: str, last_modified: int) -> bool:
    """If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2); weak comparison."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return last_modified <= since.timestamp()
    return False


async def _over_limit(request: Req, token: str, per_minute: int) -> int:
    """A one-minute window per token that opens with the token's first request, in the
    rate-limit store (shared through Redis between app processes), so that no client
    gets twice the limit by polling across the turn of a clock minute. Returns the
    seconds to wait, or 0 when within the limit."""
    store = request.app.stores.get("rate_limit")
    key = f"feed:{services.token_hash(token)[:32]}"
    if isinstance(store, RedisStore):  # atomic across app processes
        full_key = store._make_key(key)
        async with store._redis.pipeline() as pipe:
            pipe.set(full_key, 0, ex=RATE_WINDOW, nx=True)  # opens a window if none is open
            pipe.incr(full_key)  # keeps the window's expiry
            pipe.ttl(full_key)
            _opened, count, left = await pipe.execute()
        return max(1, int(left)) if count > per_minute else 0
    # memory, one process: read then write is close enough
    now = time.time()
    raw = await store.get(key)
    opened, count = (float(raw.split(b" ")[0]), int(raw.split(b" ")[1])) if raw else (now, 0)
    left = opened + RATE_WINDOW - now
    if count >= per_minute:
        return max(1, int(left) + 1)
    await store.set(key, f"{opened} {count + 1}", expires_in=max(1, int(left) + 1))
    return 0


# --- "I can't come" from the calendar ------------------------------------------------


@get(
    "/feeds/absence/{code:str}",
    include_in_schema=False,
    guards=[public],
    opt={SECRET_PAGE: True},
)
async def absence_page(request: Req, code: PathText) -> Template:
    """Asks first, so that a link preview or a calendar app opening the link records
    nothing; only the button (a POST) does."""
    link = await services.absence_link(_settings(request).secret_key, code)
    session = await services.absence_session(link) if link else None
    return page(
        request,
        "calendars/absence.html",
        status_code=200 if session else 404,
        session=session,
        code=code,
        done=False,
        error="",
    )


@post(
    "/feeds/absence/{code:str}",
    include_in_schema=False,
    status_code=HTTP_200_OK,
    guards=[public],
    opt={SECRET_PAGE: True},
)
async def absence_submit(request: Req, code: PathText) -> Template:
    link = await services.absence_link(_settings(request).secret_key, code)
    session = await services.absence_session(link) if link else None
    if link is None or session is None:
        return page(
            request,
            "calendars/absence.html",
            status_code=404,
            session=None,
            code=code,
            done=False,
            error="",
        )
    note = str((await request.form()).get("note", ""))[:300]
    try:
        await services.give_absence(actor_of(request), link, note)
    except DomainError as error:
        return page(
            request,
            "calendars/absence.html",
            status_code=error.status_code,
            session=session,
            code=code,
            done=False,
            error=error.detail,
        )
    return page(request, "calendars/absence.html", session=session, code=code, done=True, error="")


# --- JSON API ------------------------------------------------------------------------


@get("/api/v1/feeds", guards=[permission("feeds.manage")], tags=["feeds"])
async def list_feeds(
    request: Req, kind: FromQuery[FeedKind | None] = None, owner_id: OptionalQueryId = None
) -> list[FeedOut]:
    """The live feeds the signed-in user may manage."""
    user = current_user(request)
    assert user is not None
    return await services.list_feeds(
        user, _settings(request).secret_key, kind=kind, owner_id=owner_id
    )


@post(
    "/api/v1/feeds",
    guards=[permission("feeds.manage")],
    status_code=HTTP_201_CREATED,
    tags=["feeds"],
)
async def create_feed(request: Req, data: JSONBody[FeedIn]) -> FeedOut:
    """A new feed; 409 when the calendar has one already (rotate that instead)."""
    user = current_user(request)
    assert user is not None
    return await services.create_feed(actor_of(request), user, data, _settings(request).secret_key)


@post(
    "/api/v1/feeds/{feed_id:int}/rotate",
    guards=[permission("feeds.manage")],
    status_code=HTTP_200_OK,
    tags=["feeds"],
)
async def rotate_feed(request: Req, feed_id: PathId) -> FeedOut:
    """A new secret link for the same calendar; the old one gives 404 from now on."""
    user = current_user(request)
    assert user is not None
    return await services.rotate_feed(
        actor_of(request), user, feed_id, _settings(request).secret_key
    )


@post(
    "/api/v1/feeds/{feed_id:int}/revoke",
    guards=[permission("feeds.manage")],
    status_code=HTTP_204_NO_CONTENT,
    tags=["feeds"],
)
async def revoke_feed(request: Req, feed_id: PathId) -> None:
    user = current_user(request)
    assert user is not None
    await services.revoke_feed(actor_of(request), user, feed_id)


# --- pages ---------------------------------------------------------------------------


def feed_links(request: Req, feed: FeedOut | None) -> dict[str, str] | None:
    """What a page shows of a feed: its webcal link, its https link and a QR code."""
    if feed is None:
        return None
    webcal = webcal_url(request, feed.path)
    return {
        "id": str(feed.id),
        "webcal": webcal,
        "https": base_url(request) + feed.path,
        "qr": qr_svg(webcal),
    }


@get("/me/calendar", guards=[permission("participant.self")])
async def my_calendar(request: Req) -> Template:
    user = current_user(request)
    assert user is not None
    participant_id = await own_participant_id(user)
    feeds = (
        await services.live_feeds_of(participant_id, _settings(request).secret_key)
        if participant_id
        else {}
    )
    return page(
        request,
        "calendars/me.html",
        linked=participant_id is not None,
        mine=feed_links(request, feeds.get(FeedKind.participant)),
        support=feed_links(request, feeds.get(FeedKind.support)),
    )


@post("/me/calendar/{kind:str}", guards=[permission("participant.self")], status_code=HTTP_200_OK)
async def my_calendar_change(request: Req, kind: PathText) -> Redirect:
    """Make the link, or a new one (the old stops working), or stop it: `action` says."""
    user = current_user(request)
    assert user is not None
    participant_id = await own_participant_id(user)
    if participant_id is None or kind not in (FeedKind.participant, FeedKind.support):
        raise NotFound(_("Your account is not linked to a participant record yet."))
    action = str((await request.form()).get("action", "create"))
    await _change(request, FeedKind(kind), participant_id, action)
    return Redirect("/me/calendar")


@get("/calendar", guards=[permission("feeds.staff")])
async def staff_calendar(request: Req) -> Template:
    """A staff member's own feed: the sessions they run, with numbers expected."""
    user = current_user(request)
    assert user is not None
    mine = await _live(request, FeedKind.staff, user.id)
    return page(request, "calendars/staff.html", mine=feed_links(request, mine))


@post("/calendar", guards=[permission("feeds.staff")], status_code=HTTP_200_OK)
async def staff_calendar_change(request: Req) -> Redirect:
    user = current_user(request)
    assert user is not None
    action = str((await request.form()).get("action", "create"))
    await _change(request, FeedKind.staff, user.id, action)
    return Redirect("/calendar")


PLACE_FEEDS = (FeedKind.site, FeedKind.activity)


@get("/calendar/{kind:str}/{owner_id:int}", guards=[permission("feeds.all")])
async def place_calendar(request: Req, kind: PathText, owner_id: PathId) -> Template:
    """A site's or an activity's feed: every session there, with numbers expected."""
    if kind not in PLACE_FEEDS:
        raise NotFound(_("There is no such calendar."))
    name = await services.owner_name(FeedKind(kind), owner_id)
    return page(
        request,
        "calendars/place.html",
        kind=kind,
        owner_id=owner_id,
        name=name,
        feed=feed_links(request, await _live(request, FeedKind(kind), owner_id)),
    )


@post(
    "/calendar/{kind:str}/{owner_id:int}", guards=[permission("feeds.all")], status_code=HTTP_200_OK
)
async def place_calendar_change(request: Req, kind: PathText, owner_id: PathId) -> Redirect:
    if kind not in PLACE_FEEDS:
        raise NotFound(_("There is no such calendar."))
    await services.owner_name(FeedKind(kind), owner_id)  # 404 for an unknown one
    action = str((await request.form()).get("action", "create"))
    await _change(request, FeedKind(kind), owner_id, action)
    return Redirect(f"/calendar/{kind}/{owner_id}")


@post(
    "/participants/{participant_id:int}/feeds/{kind:str}",
    guards=[permission("participant.follow")],
    status_code=HTTP_200_OK,
)
async def profile_feed_change(request: Req, participant_id: PathId, kind: PathText) -> Redirect:
    if kind not in (FeedKind.participant, FeedKind.support):
        raise NotFound(_("There is no such calendar."))
    action = str((await request.form()).get("action", "create"))
    await _change(request, FeedKind(kind), participant_id, action)
    return Redirect(f"/participants/{participant_id}#calendar-feeds")


async def _live(request: Req, kind: FeedKind, owner_id: int) -> FeedOut | None:
    """The live feed of this kind and owner, if the user may manage it."""
    user = current_user(request)
    assert user is not None
    secret = _settings(request).secret_key
    if kind in (FeedKind.participant, FeedKind.support):
        return (await services.live_feeds_of(owner_id, secret)).get(kind)
    feeds = await services.list_feeds(user, secret, kind=kind, owner_id=owner_id)
    return feeds[0] if feeds else None


async def _change(request: Req, kind: FeedKind, owner_id: int, action: str) -> None:
    """Make the link, or a new one (the old stops working), or stop it: `action` says.
    Whoever may not manage the calendar is refused first, whatever the action."""
    user = current_user(request)
    assert user is not None
    await services.check_manager(user, kind, owner_id)
    secret = _settings(request).secret_key
    actor = actor_of(request)
    live = await _live(request, kind, owner_id)
    if action == "create" and live is None:
        await services.create_feed(actor, user, FeedIn(kind=kind, owner_id=owner_id), secret)
        flash(request, _("The calendar link is ready."), category="info")
    elif action == "rotate" and live is not None:
        await services.rotate_feed(actor, user, live.id, secret)
        flash(
            request,
            _("A new calendar link is ready; the old one no longer works."),
            category="info",
        )
    elif action == "revoke" and live is not None:
        await services.revoke_feed(actor, user, live.id)
        flash(request, _("The calendar link no longer works."), category="info")


ROUTES = [
    serve_feed,
    absence_page,
    absence_submit,
    list_feeds,
    create_feed,
    rotate_feed,
    revoke_feed,
    my_calendar,
    my_calendar_change,
    staff_calendar,
    staff_calendar_change,
    place_calendar,
    place_calendar_change,
    profile_feed_change,
]
