"""A site's day service page: lunch, and the transport arrangement's lead time."""

from __future__ import annotations

from litestar import get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from service.auth.guards import permission
from service.catalog import services
from service.catalog.pages._shared import Req
from service.catalog.schemas import SiteDayServiceIn
from service.errors import DomainError
from service.forms import Form, posted_fields
from service.i18n import gettext as _
from service.params import PathId
from service.web import actor_of, current_user, page


async def _form(
    request: Req, site_id: int, form: Form[SiteDayServiceIn], status: int = 200
) -> Template:
    site = await services.get_site(site_id, current_user(request))
    return page(request, "catalog/day_service.html", status_code=status, site=site, **form.context)


@get("/catalog/sites/{site_id:int}/day-service", guards=[permission("catalog.edit")])
async def day_service_page(request: Req, site_id: PathId) -> Template:
    service = await services.get_day_service(site_id)
    return await _form(request, site_id, Form.of(SiteDayServiceIn, service))


@post(
    "/catalog/sites/{site_id:int}/day-service",
    guards=[permission("catalog.edit")],
    status_code=HTTP_200_OK,
)
async def day_service_submit(request: Req, site_id: PathId) -> Template | Redirect:
    posted = await request.form()
    values = posted_fields(posted)
    values["serves_lunch"] = posted.get("serves_lunch") == "on"
    form = Form(SiteDayServiceIn, values)
    try:
        await services.save_day_service(actor_of(request), site_id, form.parse())
    except DomainError as error:
        return await _form(request, site_id, form.refused(error), error.status_code)
    flash(request, _("Lunch and transport are saved."), category="info")
    return Redirect(f"/catalog/sites/{site_id}")
