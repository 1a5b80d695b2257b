"""Goal domain pages (administrators): add, rename or retire a domain."""

from __future__ import annotations

from litestar import get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from service.auth.guards import permission
from service.catalog import services
from service.catalog.forms import domain_fields
from service.catalog.pages._shared import Req
from service.catalog.schemas import GoalDomainIn
from service.catalog.vocabulary import domain_label
from service.errors import DomainError
from service.forms import Form
from service.i18n import gettext as _
from service.web import actor_of, page


async def _domains_page(request: Req, form: Form[GoalDomainIn], status: int = 200) -> Template:
    domains = [(d, domain_label(d.key, d.label)) for d in await services.list_domains()]
    return page(
        request,
        "catalog/domains.html",
        status_code=status,
        domains=domains,
        **form.context,
    )


@get("/admin/goal-domains", guards=[permission("goal_domains.manage")])
async def domains_page(request: Req) -> Template:
    return await _domains_page(request, Form(GoalDomainIn))


@post("/admin/goal-domains", guards=[permission("goal_domains.manage")], status_code=HTTP_200_OK)
async def domain_submit(request: Req) -> Template | Redirect:
    """Add a goal domain, or rename or retire one (retired ones stay on old goals)."""
    form = Form(GoalDomainIn, domain_fields(await request.form()))
    try:
        await services.save_domain(actor_of(request), form.parse())
    except DomainError as error:
        return await _domains_page(request, form.refused(error), error.status_code)
    flash(request, _("The goal domain is saved."), category="info")
    return Redirect("/admin/goal-domains")
