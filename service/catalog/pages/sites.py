"""Site pages: the list, a site's form and its rooms."""

from __future__ import annotations

from litestar import get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from service.auth.guards import permission
from service.catalog import services
from service.catalog.pages._shared import Req
from service.catalog.schemas import RoomIn, SiteIn
from service.catalog.vocabulary import ACCESSIBILITY_FEATURES
from service.errors import DomainError
from service.forms import Form, errors_of
from service.i18n import gettext as _
from service.params import PathId
from service.web import actor_of, current_user, page


async def _site_form(
    request: Req, site_id: int | None, form: Form[SiteIn], status: int = 200
) -> Template:
    site = await services.get_site(site_id) if site_id else None
    return page(
        request,
        "catalog/site_form.html",
        status_code=status,
        site=site,
        partners=await services.list_partners(),
        features=ACCESSIBILITY_FEATURES,
        **form.context,
    )


@get("/catalog/sites", guards=[permission("catalog.view")])
async def sites_page(request: Req) -> Template:
    partners = {p.id: p.name for p in await services.list_partners()}
    return page(
        request,
        "catalog/sites.html",
        sites=await services.list_sites(current_user(request)),
        partners=partners,
    )


@get("/catalog/sites/new", guards=[permission("catalog.edit")])
async def new_site_page(request: Req) -> Template:
    return await _site_form(request, None, Form.blank(SiteIn))


@get("/catalog/sites/{site_id:int}", guards=[permission("catalog.edit")])
async def edit_site_page(request: Req, site_id: PathId) -> Template:
    site = await services.get_site(site_id)
    return await _site_form(
        request, site_id, Form.of(SiteIn, site, partner_id=site.partner_id or "")
    )


@post("/catalog/sites/new", guards=[permission("catalog.edit")], status_code=HTTP_200_OK)
async def create_site_submit(request: Req) -> Template | Redirect:
    return await _save_site(request, None)


@post("/catalog/sites/{site_id:int}", guards=[permission("catalog.edit")], status_code=HTTP_200_OK)
async def update_site_submit(request: Req, site_id: PathId) -> Template | Redirect:
    return await _save_site(request, site_id)


async def _save_site(request: Req, site_id: int | None) -> Template | Redirect:
    form = Form.posted(SiteIn, await request.form(), lists=("features",))
    try:
        saved = await services.save_site(actor_of(request), form.parse(), site_id)
    except DomainError as error:
        return await _site_form(request, site_id, form.refused(error), error.status_code)
    flash(request, _("The site is saved."), category="info")
    return Redirect(f"/catalog/sites/{saved.id}")


@post(
    "/catalog/sites/{site_id:int}/rooms",
    guards=[permission("catalog.edit")],
    status_code=HTTP_200_OK,
)
async def add_room_submit(request: Req, site_id: PathId) -> Template | Redirect:
    room = Form.posted(RoomIn, await request.form())
    try:
        await services.add_room(actor_of(request), site_id, room.parse())
    except DomainError as error:
        site = await services.get_site(site_id)
        form = Form.of(SiteIn, site, room_name=room.values.get("name", ""))
        form.errors = {f"room_{key}": value for key, value in errors_of(error).items()}
        return await _site_form(request, site_id, form, error.status_code)
    return Redirect(f"/catalog/sites/{site_id}")


@post(
    "/catalog/rooms/{room_id:int}/delete",
    guards=[permission("catalog.edit")],
    status_code=HTTP_200_OK,
)
async def delete_room_submit(request: Req, room_id: PathId) -> Redirect:
    room = await services.get_room(room_id)
    await services.delete_room(actor_of(request), room_id)
    return Redirect(f"/catalog/sites/{room.site_id}")


@post(
    "/catalog/sites/{site_id:int}/delete",
    guards=[permission("catalog.edit")],
    status_code=HTTP_200_OK,
)
async def delete_site_submit(request: Req, site_id: PathId) -> Redirect:
    await services.delete_site(actor_of(request), site_id)
    flash(request, _("The site is deleted."), category="info")
    return Redirect("/catalog/sites")
