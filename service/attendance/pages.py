"""Attendance pages for tablets: today's sessions, the one-tap roster, closing a
follow-up item; and what makes the app installable and usable offline: the web app
manifest and the service worker, served from the root so that it covers every page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from service.attendance import services
from service.attendance.rules import MarkStatus
from service.auth.guards import permission, public
from service.catalog.services import list_sites
from service.i18n import gettext as _
from service.params import OptionalQueryId, OptionalQueryText, PathId, QueryId
from service.paths import STATIC_DIR
from service.web import actor_of, current_user, page

Req = Request[Any, Any, Any]


def status_labels() -> dict[str, str]:
    return {
        MarkStatus.present.value: _("Present"),
        MarkStatus.late.value: _("Late"),
        MarkStatus.left_early.value: _("Left early"),
        MarkStatus.absent_notice.value: _("Absent with notice"),
        MarkStatus.absent_no_notice.value: _("Absent without notice"),
        MarkStatus.excused.value: _("Excused"),
    }


@get("/today", guards=[permission("roster.view")])
async def today_page(request: Req, date: OptionalQueryText = None) -> Template:
    """The sessions at the user's sites (partners: at their place) on a day."""
    user = current_user(request)
    assert user is not None
    day = services.check_day(date)
    sessions = await services.day_sessions(user, day)
    return page(
        request,
        "attendance/today.html",
        day=day,
        previous=day - timedelta(days=1),
        next=day + timedelta(days=1),
        sessions=sessions,
    )


@get("/today/sheet", guards=[permission("day_sheet.print")])
async def morning_sheet_page(
    request: Req, site: OptionalQueryId = None, date: OptionalQueryText = None
) -> Template:
    """A site's day on one A4 page to print: sessions with staff and rooms, who is
    expected, who can't come, staff away, open follow-ups. Without a site: a choice."""
    user = current_user(request)
    assert user is not None
    day = services.check_day(date)
    if site is None:
        return page(request, "attendance/sheet_sites.html", day=day, sites=await list_sites(user))
    sheet = await services.morning_sheet(actor_of(request), user, site, day)
    return page(request, "attendance/sheet.html", sheet=sheet)


@get("/today/transport", guards=[permission("day_sheet.print")])
async def transport_page(request: Req, site: QueryId, date: OptionalQueryText = None) -> Template:
    """The site's rides of the day, printable."""
    user = current_user(request)
    assert user is not None
    listing = await services.transport_list(actor_of(request), user, site, services.check_day(date))
    return page(request, "attendance/transport.html", listing=listing)


@get("/today/transport.csv", guards=[permission("day_sheet.print")])
async def transport_csv(
    request: Req, site: QueryId, date: OptionalQueryText = None
) -> Response[str]:
    """The site's rides of the day as CSV, for a taxi company."""
    user = current_user(request)
    assert user is not None
    listing = await services.transport_list(actor_of(request), user, site, services.check_day(date))
    name = f"rides-{listing.site_id}-{listing.date.isoformat()}.csv"
    return Response(
        services.transport_csv(listing),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@get("/today/lunch", guards=[permission("day_sheet.print")])
async def lunch_page(request: Req, site: QueryId, date: OptionalQueryText = None) -> Template:
    """The kitchen's list: how many eat, diets and allergies; it follows absence
    notices, so a reload during the morning shows the latest count."""
    user = current_user(request)
    assert user is not None
    listing = await services.lunch_list(actor_of(request), user, site, services.check_day(date))
    return page(request, "attendance/lunch.html", listing=listing)


@get("/attendance/{session_id:int}", guards=[permission("roster.view")])
async def roster_page(request: Req, session_id: PathId) -> Template:
    user = current_user(request)
    assert user is not None
    sheet = await services.sheet(actor_of(request), user, session_id)
    return page(
        request,
        "attendance/roster.html",
        sheet=sheet,
        sheet_data=msgspec.to_builtins(sheet),
        labels=status_labels(),
    )


@post(
    "/follow-ups/{follow_up_id:int}/done",
    guards=[permission("follow_ups.view")],
    status_code=HTTP_200_OK,
)
async def follow_up_done_page(request: Req, follow_up_id: PathId) -> Redirect:
    user = current_user(request)
    assert user is not None
    await services.close_follow_up(actor_of(request), user, follow_up_id)
    flash(request, _("The follow-up is marked done."), category="info")
    return Redirect("/dashboard")


@get("/sw.js", include_in_schema=False, cache=False, guards=[public])
async def service_worker() -> Response[bytes]:
    """The service worker, at the root so that its scope is the whole app."""
    return Response(
        (STATIC_DIR / "js" / "sw.js").read_bytes(),
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )


@get("/manifest.webmanifest", include_in_schema=False, guards=[public])
async def manifest() -> Response[dict[str, Any]]:
    body = {
        "name": "Tupa",
        "short_name": "Tupa",
        "description": _("Today's sessions and attendance."),
        "start_url": "/today",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": "#ffffff",
        "theme_color": "#1f5f8b",
        "icons": [
            {"src": "/static/icons/tupa.svg", "sizes": "any", "type": "image/svg+xml"},
            {"src": "/static/icons/tupa-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "/static/icons/tupa-512.png", "sizes": "512x512", "type": "image/png"},
        ],
    }
    return Response(body, media_type="application/manifest+json")


PAGES = [
    today_page,
    morning_sheet_page,
    transport_page,
    transport_csv,
    lunch_page,
    roster_page,
    follow_up_done_page,
    service_worker,
    manifest,
]
