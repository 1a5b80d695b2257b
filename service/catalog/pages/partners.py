"""Partner pages: the list and a partner's form."""

from __future__ import annotations

from litestar import get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from service.auth.guards import permission
from service.catalog import services
from service.catalog.pages._shared import Req
from service.catalog.schemas import PartnerIn
from service.catalog.tables import PartnerKind
from service.catalog.vocabulary import partner_kind_label
from service.errors import DomainError
from service.forms import Form
from service.i18n import gettext as _
from service.params import PathId
from service.web import actor_of, page


async def _partner_form(
    request: Req,
    partner_id: int | None,
    form: Form[PartnerIn],
    status: int = 200,
) -> Template:
    partner = await services.get_partner(partner_id) if partner_id else None
    kinds = [(k.value, partner_kind_label(k.value)) for k in PartnerKind]
    return page(
        request,
        "catalog/partner_form.html",
        status_code=status,
        partner=partner,
        kinds=kinds,
        **form.context,
    )


@get("/catalog/partners", guards=[permission("catalog.edit")])
async def partners_page(request: Req) -> Template:
    sites = {s.id: s.name for s in await services.list_sites()}
    return page(
        request, "catalog/partners.html", partners=await services.list_partners(), sites=sites
    )


@get("/catalog/partners/new", guards=[permission("catalog.edit")])
async def new_partner_page(request: Req) -> Template:
    return await _partner_form(request, None, Form(PartnerIn, {"kind": "farm"}))


@get("/catalog/partners/{partner_id:int}", guards=[permission("catalog.edit")])
async def edit_partner_page(request: Req, partner_id: PathId) -> Template:
    partner = await services.get_partner(partner_id)
    return await _partner_form(request, partner_id, Form.of(PartnerIn, partner))


@post("/catalog/partners/new", guards=[permission("catalog.edit")], status_code=HTTP_200_OK)
async def create_partner_submit(request: Req) -> Template | Redirect:
    return await _save_partner(request, None)


@post(
    "/catalog/partners/{partner_id:int}",
    guards=[permission("catalog.edit")],
    status_code=HTTP_200_OK,
)
async def update_partner_submit(request: Req, partner_id: PathId) -> Template | Redirect:
    return await _save_partner(request, partner_id)


async def _save_partner(request: Req, partner_id: int | None) -> Template | Redirect:
    form = Form.posted(PartnerIn, await request.form())
    try:
        saved = await services.save_partner(actor_of(request), form.parse(), partner_id)
    except DomainError as error:
        return await _partner_form(request, partner_id, form.refused(error), error.status_code)
    flash(request, _("The partner is saved."), category="info")
    return Redirect(f"/catalog/partners/{saved.id}")


@post(
    "/catalog/partners/{partner_id:int}/delete",
    guards=[permission("catalog.edit")],
    status_code=HTTP_200_OK,
)
async def delete_partner_submit(request: Req, partner_id: PathId) -> Template | Redirect:
    try:
        await services.delete_partner(actor_of(request), partner_id)
    except DomainError as error:
        form = Form.of(PartnerIn, await services.get_partner(partner_id)).refused(error)
        return await _partner_form(request, partner_id, form, error.status_code)
    flash(request, _("The partner is deleted."), category="info")
    return Redirect("/catalog/partners")
