"""Activity pages: the list, an activity's form, and its weekly slots."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from service import clock
from service.auth.guards import permission
from service.catalog import services
from service.catalog.forms import activity_fields, activity_shown, activity_values, slot_fields
from service.catalog.pages._shared import Req
from service.catalog.schemas import ActivityIn
from service.catalog.tables import ActivityKind
from service.catalog.vocabulary import ACCESSIBILITY_FEATURES, domain_label, weekday_names
from service.errors import DomainError
from service.forms import Form, errors_of
from service.i18n import gettext as _
from service.params import PathId
from service.schedule import services as schedule
from service.schedule.schemas import SlotIn
from service.staff import services as staff_services
from service.web import actor_of, current_user, page


async def _activity_form(
    request: Req,
    activity_id: int | None,
    form: Form[ActivityIn],
    status: int = 200,
    slot_form: dict[str, Any] | None = None,
) -> Template:
    activity = await services.get_activity(activity_id) if activity_id else None
    slots = await schedule.list_slots(activity_id=activity_id) if activity_id else []
    return page(
        request,
        "catalog/activity_form.html",
        status_code=status,
        activity=activity,
        slots=slots,
        slot_form=slot_form or {"start": "09:00", "end": "12:00"},
        sites=await services.list_sites(),
        domains=await services.list_domains(active_only=True),
        kinds=list(ActivityKind),
        features=ACCESSIBILITY_FEATURES,
        staff=await staff_services.list_staff(),
        weekdays=weekday_names(),
        today=clock.today(),
        **form.context,
    )


@get("/catalog/activities", guards=[permission("catalog.view")])
async def activities_page(request: Req) -> Template:
    user = current_user(request)
    sites = {s.id: s.name for s in await services.list_sites(user)}
    domain_names = {d.key: domain_label(d.key, d.label) for d in await services.list_domains()}
    return page(
        request,
        "catalog/activities.html",
        activities=await services.list_activities(user),
        sites=sites,
        domain_names=domain_names,
    )


@get("/catalog/activities/new", guards=[permission("catalog.edit")])
async def new_activity_page(request: Req) -> Template:
    defaults = {
        "kind": "workshop",
        "demand_level": 2,
        "min_participants": 1,
        "max_participants": 8,
        "participants_per_staff": 6,
        "is_active": True,
        "domains": {},
        "features": [],
    }
    return await _activity_form(request, None, Form(ActivityIn, defaults))


@get("/catalog/activities/{activity_id:int}", guards=[permission("catalog.edit")])
async def edit_activity_page(request: Req, activity_id: PathId) -> Template:
    activity = await services.get_activity(activity_id)
    return await _activity_form(request, activity_id, Form(ActivityIn, activity_values(activity)))


@post("/catalog/activities/new", guards=[permission("catalog.edit")], status_code=HTTP_200_OK)
async def create_activity_submit(request: Req) -> Template | Redirect:
    return await _save_activity(request, None)


@post(
    "/catalog/activities/{activity_id:int}",
    guards=[permission("catalog.edit")],
    status_code=HTTP_200_OK,
)
async def update_activity_submit(request: Req, activity_id: PathId) -> Template | Redirect:
    return await _save_activity(request, activity_id)


async def _save_activity(request: Req, activity_id: int | None) -> Template | Redirect:
    fields = activity_fields(await request.form())
    try:
        saved = await services.save_activity(
            actor_of(request), Form(ActivityIn, fields).parse(), activity_id
        )
    except DomainError as error:
        form = Form(ActivityIn, activity_shown(fields)).refused(error)
        return await _activity_form(request, activity_id, form, error.status_code)
    flash(request, _("The activity is saved."), category="info")
    return Redirect(f"/catalog/activities/{saved.id}")


@post(
    "/catalog/activities/{activity_id:int}/slots",
    guards=[permission("catalog.edit")],
    status_code=HTTP_200_OK,
)
async def add_slot_submit(request: Req, activity_id: PathId) -> Template | Redirect:
    slot = Form(SlotIn, slot_fields(await request.form(), activity_id))
    try:
        await schedule.save_slot(actor_of(request), slot.parse())
    except DomainError as error:
        form = Form(ActivityIn, activity_values(await services.get_activity(activity_id)))
        form.errors = {f"slot_{key}": value for key, value in errors_of(error).items()}
        return await _activity_form(
            request, activity_id, form, error.status_code, slot_form=slot.values
        )
    flash(request, _("The weekly slot is added and its sessions are planned."), category="info")
    return Redirect(f"/catalog/activities/{activity_id}")


@post(
    "/catalog/slots/{slot_id:int}/end", guards=[permission("catalog.edit")], status_code=HTTP_200_OK
)
async def end_slot_submit(request: Req, slot_id: PathId) -> Redirect:
    slot = await schedule.get_slot(slot_id)
    await schedule.end_slot(actor_of(request), slot_id)
    flash(
        request, _("The weekly slot has ended; its coming sessions are cancelled."), category="info"
    )
    return Redirect(f"/catalog/activities/{slot.activity_id}")
