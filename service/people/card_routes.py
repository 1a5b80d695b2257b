"""Login cards: issue and revoke (API and the participant's profile), the printable
card, and signing in with its code (QR link or typed on the sign-in page)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from service.auth.guards import permission, public
from service.auth.routes import start_session
from service.calendars.routes import feed_links
from service.calendars.services import live_feeds_of
from service.calendars.tables import FeedKind
from service.headers import SECRET_PAGE
from service.i18n import gettext as _
from service.params import PathId, PathText
from service.people import cards
from service.people.services import get_participant
from service.web import actor_of, current_user, page, qr_svg

Req = Request[Any, Any, Any]


class CardOut(msgspec.Struct):
    code: str
    url: str


def card_url(request: Req, code: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/card/{code}"


@post(
    "/api/v1/participants/{participant_id:int}/login-card",
    guards=[permission("login_cards.manage")],
    status_code=HTTP_200_OK,
    tags=["participants"],
)
async def api_issue_card(request: Req, participant_id: PathId) -> CardOut:
    """A new login card; the code is shown once and older cards stop working."""
    user = current_user(request)
    assert user is not None
    code = await cards.issue(actor_of(request), user, participant_id)
    return CardOut(code=code, url=card_url(request, code))


@post(
    "/api/v1/participants/{participant_id:int}/login-card/revoke",
    guards=[permission("login_cards.manage")],
    status_code=HTTP_200_OK,
    tags=["participants"],
)
async def api_revoke_card(request: Req, participant_id: PathId) -> dict[str, int]:
    user = current_user(request)
    assert user is not None
    return {"revoked": await cards.revoke(actor_of(request), user, participant_id)}


@post(
    "/participants/{participant_id:int}/card",
    guards=[permission("login_cards.manage")],
    status_code=HTTP_200_OK,
    opt={SECRET_PAGE: True},
)
async def print_card(request: Req, participant_id: PathId) -> Template:
    user = current_user(request)
    assert user is not None
    person = await get_participant(actor_of(request), user, participant_id)
    code = await cards.issue(actor_of(request), user, participant_id)
    url = card_url(request, code)
    feed = (await live_feeds_of(participant_id, request.app.state.settings.secret_key)).get(
        FeedKind.participant
    )
    return page(
        request,
        "participants/card.html",
        person=person,
        code=code,
        url=url,
        qr=qr_svg(url, scale=6, title="QR"),
        lifetime_days=cards.CARD_LIFETIME.days,
        feed=feed_links(request, feed),
    )


@post(
    "/participants/{participant_id:int}/card/revoke",
    guards=[permission("login_cards.manage")],
    status_code=HTTP_200_OK,
)
async def revoke_card(request: Req, participant_id: PathId) -> Redirect:
    user = current_user(request)
    assert user is not None
    await cards.revoke(actor_of(request), user, participant_id)
    flash(request, _("The login card no longer works."), category="info")
    return Redirect(f"/participants/{participant_id}")


@get("/card/{code:str}", guards=[public], opt={SECRET_PAGE: True})
async def card_page(request: Req, code: PathText) -> Template:
    """Asks first: a link preview or a scanner opening the link uses nothing up. The
    answer is the same for any code (live, used, expired or unknown), so that opening
    links tells nothing; only signing in does, and both are rate limited per address."""
    return page(request, "auth/card.html", failed=False, code=cards.normalize(code))


@post("/card/{code:str}", status_code=HTTP_200_OK, guards=[public], opt={SECRET_PAGE: True})
async def card_sign_in(request: Req, code: PathText) -> Template | Redirect:
    return await _redeem(request, code)


@post("/card", status_code=HTTP_200_OK, guards=[public], opt={SECRET_PAGE: True})
async def typed_code_sign_in(request: Req) -> Template | Redirect:
    code = str((await request.form()).get("code", ""))
    return await _redeem(request, code)


async def _redeem(request: Req, code: str) -> Template | Redirect:
    user = await cards.redeem(actor_of(request), code)
    if user is None:
        return page(
            request, "auth/card.html", status_code=404, failed=True, code=cards.normalize(code)
        )
    await start_session(request, user)
    return Redirect("/me")


ROUTES = [
    api_issue_card,
    api_revoke_card,
    print_card,
    revoke_card,
    card_page,
    card_sign_in,
    typed_code_sign_in,
]
