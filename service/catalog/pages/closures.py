"""Closure pages (administrators and coordinators): days when a site or everything is closed."""

from __future__ import annotations

from litestar import get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from service import clock
from service.auth.guards import permission
from service.catalog import services
from service.catalog.pages._shared import Req
from service.errors import DomainError
from service.forms import Form
from service.i18n import gettext as _
from service.i18n import ngettext
from service.params import PathId
from service.schedule import services as schedule
from service.schedule.schemas import ClosureIn
from service.web import actor_of, page


async def _closures_page(request: Req, form: Form[ClosureIn], status: int = 200) -> Template:
    sites = await services.list_sites()
    return page(
        request,
        "catalog/closures.html",
        status_code=status,
        closures=await schedule.list_closures(upcoming_from=clock.today()),
        sites=sites,
        site_names={s.id: s.name for s in sites},
        **form.context,
    )


@get("/admin/closures", guards=[permission("closures.manage")])
async def closures_page(request: Req) -> Template:
    return await _closures_page(request, Form(ClosureIn))


@post("/admin/closures", guards=[permission("closures.manage")], status_code=HTTP_200_OK)
async def add_closure_submit(request: Req) -> Template | Redirect:
    form = Form.posted(ClosureIn, await request.form())
    try:
        added = await schedule.add_closure(actor_of(request), form.parse())
    except DomainError as error:
        return await _closures_page(request, form.refused(error), error.status_code)
    flash(
        request,
        ngettext(
            "The closure is saved; it cancelled %(num)s session.",
            "The closure is saved; it cancelled %(num)s sessions.",
            added.cancelled,
        ),
        category="info",
    )
    return Redirect("/admin/closures")


@post(
    "/admin/closures/{closure_id:int}/delete",
    guards=[permission("closures.manage")],
    status_code=HTTP_200_OK,
)
async def remove_closure_submit(request: Req, closure_id: PathId) -> Redirect:
    await schedule.remove_closure(actor_of(request), closure_id)
    flash(request, _("The closure is removed; its sessions are planned again."), category="info")
    return Redirect("/admin/closures")
