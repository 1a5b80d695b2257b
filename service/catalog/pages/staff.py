"""Staff profile pages: skills, sites and weekly availability."""

from __future__ import annotations

from litestar import get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from service.auth.guards import permission
from service.catalog import services
from service.catalog.forms import staff_profile_fields, staff_shown, staff_values
from service.catalog.pages._shared import Req
from service.catalog.vocabulary import weekday_names
from service.errors import DomainError
from service.forms import Form, form_to
from service.i18n import gettext as _
from service.params import PathId
from service.staff import services as staff_services
from service.staff.schemas import StaffProfileIn
from service.web import actor_of, page


@get("/catalog/staff", guards=[permission("staff.manage")])
async def staff_page(request: Req) -> Template:
    sites = {s.id: s.name for s in await services.list_sites()}
    return page(
        request,
        "catalog/staff.html",
        staff=await staff_services.list_staff(),
        sites=sites,
        weekdays=weekday_names(),
    )


async def _staff_form(
    request: Req,
    user_id: int,
    form: Form[StaffProfileIn],
    status: int = 200,
) -> Template:
    return page(
        request,
        "catalog/staff_form.html",
        status_code=status,
        member=await staff_services.get_staff(user_id),
        sites=await services.list_sites(),
        **form.context,
        weekdays=weekday_names(),
    )


@get("/catalog/staff/{user_id:int}", guards=[permission("staff.manage")])
async def edit_staff_page(request: Req, user_id: PathId) -> Template:
    member = await staff_services.get_staff(user_id)
    return await _staff_form(request, user_id, Form(StaffProfileIn, staff_values(member)))


@post("/catalog/staff/{user_id:int}", guards=[permission("staff.manage")], status_code=HTTP_200_OK)
async def save_staff_submit(request: Req, user_id: PathId) -> Template | Redirect:
    form = Form(StaffProfileIn, staff_shown(await request.form()))
    try:
        data = form_to(StaffProfileIn, staff_profile_fields(form.values))
        await staff_services.save_staff(actor_of(request), user_id, data)
    except DomainError as error:
        return await _staff_form(request, user_id, form.refused(error), error.status_code)
    flash(request, _("The staff profile is saved."), category="info")
    return Redirect(f"/catalog/staff/{user_id}")
