"""Catalogue pages for coordinators: sites and rooms, partners, activities with their
weekly slots, staff profiles, and closures (administrators). They call the same
services as the JSON API and refuse the same input."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from service import clock
from service.auth.guards import permission
from service.catalog import services
from service.catalog.schemas import ActivityIn, GoalDomainIn, PartnerIn, RoomIn, SiteIn
from service.catalog.tables import ActivityKind, PartnerKind
from service.catalog.vocabulary import (
    ACCESSIBILITY_FEATURES,
    domain_label,
    partner_kind_label,
    weekday_names,
)
from service.errors import DomainError, InvalidInput
from service.forms import Form, errors_of, form_to
from service.i18n import gettext as _
from service.schedule import services as schedule
from service.schedule.schemas import ClosureIn, SlotIn
from service.staff import services as staff_services
from service.staff.schemas import StaffProfileIn, WindowIn
from service.web import actor_of, current_user, page

Req = Request[Any, Any, Any]
WEEKDAYS = range(7)


def _fields(form: FormMultiDict, *, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """Form fields as a dict; empty strings dropped so that defaults apply."""
    data: dict[str, Any] = {}
    for key in form:
        if key == "_csrf_token":
            continue
        if key in lists:
            data[key] = [value for value in form.getall(key) if value != ""]
        elif (value := str(form.get(key, "")).strip()) != "":
            data[key] = value
    for key in lists:
        data.setdefault(key, [])
    return data


def _errors(error: DomainError) -> dict[str, str]:
    return {error.field if isinstance(error, InvalidInput) else "form": error.detail}


# --- sites ---------------------------------------------------------------------------


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
async def edit_site_page(request: Req, site_id: FromPath[int]) -> Template:
    site = await services.get_site(site_id)
    return await _site_form(
        request, site_id, Form.of(SiteIn, site, partner_id=site.partner_id or "")
    )


@post("/catalog/sites/new", guards=[permission("catalog.edit")], status_code=HTTP_200_OK)
async def create_site_submit(request: Req) -> Template | Redirect:
    return await _save_site(request, None)


@post("/catalog/sites/{site_id:int}", guards=[permission("catalog.edit")], status_code=HTTP_200_OK)
async def update_site_submit(request: Req, site_id: FromPath[int]) -> Template | Redirect:
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
async def add_room_submit(request: Req, site_id: FromPath[int]) -> Template | Redirect:
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
async def delete_room_submit(request: Req, room_id: FromPath[int]) -> Redirect:
    room = await services.get_room(room_id)
    await services.delete_room(actor_of(request), room_id)
    return Redirect(f"/catalog/sites/{room.site_id}")


@post(
    "/catalog/sites/{site_id:int}/delete",
    guards=[permission("catalog.edit")],
    status_code=HTTP_200_OK,
)
async def delete_site_submit(request: Req, site_id: FromPath[int]) -> Redirect:
    await services.delete_site(actor_of(request), site_id)
    flash(request, _("The site is deleted."), category="info")
    return Redirect("/catalog/sites")


# --- partners ------------------------------------------------------------------------


async def _partner_form(
    request: Req,
    partner_id: int | None,
    form: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    partner = await services.get_partner(partner_id) if partner_id else None
    kinds = [(k.value, partner_kind_label(k.value)) for k in PartnerKind]
    return page(
        request,
        "catalog/partner_form.html",
        status_code=status,
        partner=partner,
        form=form,
        errors=errors,
        kinds=kinds,
    )


@get("/catalog/partners", guards=[permission("catalog.edit")])
async def partners_page(request: Req) -> Template:
    sites = {s.id: s.name for s in await services.list_sites()}
    return page(
        request, "catalog/partners.html", partners=await services.list_partners(), sites=sites
    )


@get("/catalog/partners/new", guards=[permission("catalog.edit")])
async def new_partner_page(request: Req) -> Template:
    return await _partner_form(request, None, {"kind": "farm"}, {})


@get("/catalog/partners/{partner_id:int}", guards=[permission("catalog.edit")])
async def edit_partner_page(request: Req, partner_id: FromPath[int]) -> Template:
    partner = await services.get_partner(partner_id)
    form = {
        key: getattr(partner, key)
        for key in ("name", "kind", "contact_name", "phone", "email", "notes")
    }
    return await _partner_form(request, partner_id, form, {})


@post("/catalog/partners/new", guards=[permission("catalog.edit")], status_code=HTTP_200_OK)
async def create_partner_submit(request: Req) -> Template | Redirect:
    return await _save_partner(request, None)


@post(
    "/catalog/partners/{partner_id:int}",
    guards=[permission("catalog.edit")],
    status_code=HTTP_200_OK,
)
async def update_partner_submit(request: Req, partner_id: FromPath[int]) -> Template | Redirect:
    return await _save_partner(request, partner_id)


async def _save_partner(request: Req, partner_id: int | None) -> Template | Redirect:
    data = _fields(await request.form())
    try:
        saved = await services.save_partner(actor_of(request), form_to(PartnerIn, data), partner_id)
    except DomainError as error:
        return await _partner_form(request, partner_id, data, _errors(error), error.status_code)
    flash(request, _("The partner is saved."), category="info")
    return Redirect(f"/catalog/partners/{saved.id}")


@post(
    "/catalog/partners/{partner_id:int}/delete",
    guards=[permission("catalog.edit")],
    status_code=HTTP_200_OK,
)
async def delete_partner_submit(request: Req, partner_id: FromPath[int]) -> Template | Redirect:
    try:
        await services.delete_partner(actor_of(request), partner_id)
    except DomainError as error:
        partner = await services.get_partner(partner_id)
        form = {
            key: getattr(partner, key)
            for key in ("name", "kind", "contact_name", "phone", "email", "notes")
        }
        return await _partner_form(request, partner_id, form, _errors(error), error.status_code)
    flash(request, _("The partner is deleted."), category="info")
    return Redirect("/catalog/partners")


# --- activities and their weekly slots -------------------------------------------------


async def _activity_form(
    request: Req,
    activity_id: int | None,
    form: dict[str, Any],
    errors: dict[str, str],
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
        form=form,
        errors=errors,
        slots=slots,
        slot_form=slot_form or {"start": "09:00", "end": "12:00"},
        sites=await services.list_sites(),
        domains=await services.list_domains(active_only=True),
        kinds=list(ActivityKind),
        features=ACCESSIBILITY_FEATURES,
        staff=await staff_services.list_staff(),
        weekdays=weekday_names(),
        today=clock.today(),
    )


def _activity_data(form: FormMultiDict) -> dict[str, Any]:
    data = _fields(form, lists=("features",))
    data["animal_contact"] = form.get("animal_contact") == "on"
    data["is_active"] = form.get("is_active", "on") == "on"
    data["required_skills"] = [
        skill.strip().lower().replace(" ", "_")
        for skill in str(form.get("required_skills", "")).split(",")
        if skill.strip()
    ]
    data["domains"] = [
        {"key": key.removeprefix("domain_"), "strength": value}
        for key in form
        if key.startswith("domain_")
        if (value := str(form.get(key))) not in ("", "0")
    ]
    data["titles"] = {
        key.removeprefix("title_"): value
        for key in form
        if key.startswith("title_") and (value := str(form.get(key)).strip())
    }
    return {
        key: value
        for key, value in data.items()
        if not key.startswith("domain_") and not key.startswith("title_")
    }


def _activity_values(activity: Any) -> dict[str, Any]:
    values = {
        key: getattr(activity, key)
        for key in (
            "title",
            "kind",
            "site_id",
            "description",
            "demand_level",
            "min_participants",
            "max_participants",
            "participants_per_staff",
            "animal_contact",
            "what_to_bring",
            "features",
            "is_active",
        )
    }
    values["required_skills"] = ", ".join(activity.required_skills)
    values["domains"] = {d.key: d.strength for d in activity.domains}
    values.update({f"title_{language}": title for language, title in activity.titles.items()})
    return values


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
    return await _activity_form(request, None, defaults, {})


@get("/catalog/activities/{activity_id:int}", guards=[permission("catalog.edit")])
async def edit_activity_page(request: Req, activity_id: FromPath[int]) -> Template:
    activity = await services.get_activity(activity_id)
    return await _activity_form(request, activity_id, _activity_values(activity), {})


@post("/catalog/activities/new", guards=[permission("catalog.edit")], status_code=HTTP_200_OK)
async def create_activity_submit(request: Req) -> Template | Redirect:
    return await _save_activity(request, None)


@post(
    "/catalog/activities/{activity_id:int}",
    guards=[permission("catalog.edit")],
    status_code=HTTP_200_OK,
)
async def update_activity_submit(request: Req, activity_id: FromPath[int]) -> Template | Redirect:
    return await _save_activity(request, activity_id)


async def _save_activity(request: Req, activity_id: int | None) -> Template | Redirect:
    data = _activity_data(await request.form())
    try:
        saved = await services.save_activity(
            actor_of(request), form_to(ActivityIn, data), activity_id
        )
    except DomainError as error:
        shown = {
            **data,
            **{f"title_{language}": title for language, title in data["titles"].items()},
            "required_skills": ", ".join(data["required_skills"]),
            "domains": {
                d["key"]: int(d["strength"])
                for d in data["domains"]
                if str(d["strength"]).isdigit()
            },
        }
        return await _activity_form(request, activity_id, shown, _errors(error), error.status_code)
    flash(request, _("The activity is saved."), category="info")
    return Redirect(f"/catalog/activities/{saved.id}")


@post(
    "/catalog/activities/{activity_id:int}/slots",
    guards=[permission("catalog.edit")],
    status_code=HTTP_200_OK,
)
async def add_slot_submit(request: Req, activity_id: FromPath[int]) -> Template | Redirect:
    form = await request.form()
    data = {**_fields(form, lists=("staff_ids",)), "activity_id": activity_id}
    for key in ("start", "end"):
        if len(str(data.get(key, ""))) == 5:  # the browser sends HH:MM
            data[key] = f"{data[key]}:00"
    try:
        await schedule.save_slot(actor_of(request), form_to(SlotIn, data))
    except DomainError as error:
        activity = await services.get_activity(activity_id)
        errors = {f"slot_{key}": value for key, value in _errors(error).items()}
        return await _activity_form(
            request,
            activity_id,
            _activity_values(activity),
            errors,
            error.status_code,
            slot_form=data,
        )
    flash(request, _("The weekly slot is added and its sessions are planned."), category="info")
    return Redirect(f"/catalog/activities/{activity_id}")


@post(
    "/catalog/slots/{slot_id:int}/end", guards=[permission("catalog.edit")], status_code=HTTP_200_OK
)
async def end_slot_submit(request: Req, slot_id: FromPath[int]) -> Redirect:
    slot = await schedule.get_slot(slot_id)
    await schedule.end_slot(actor_of(request), slot_id)
    flash(
        request, _("The weekly slot has ended; its coming sessions are cancelled."), category="info"
    )
    return Redirect(f"/catalog/activities/{slot.activity_id}")


# --- staff profiles ------------------------------------------------------------------


@get("/catalog/staff", guards=[permission("catalog.edit")])
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
    form: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    return page(
        request,
        "catalog/staff_form.html",
        status_code=status,
        member=await staff_services.get_staff(user_id),
        form=form,
        errors=errors,
        sites=await services.list_sites(),
        weekdays=weekday_names(),
    )


@get("/catalog/staff/{user_id:int}", guards=[permission("catalog.edit")])
async def edit_staff_page(request: Req, user_id: FromPath[int]) -> Template:
    member = await staff_services.get_staff(user_id)
    windows = {
        w.weekday: (w.start.strftime("%H:%M"), w.end.strftime("%H:%M")) for w in member.availability
    }
    form = {"skills": ", ".join(member.skills), "site_ids": member.site_ids, "windows": windows}
    return await _staff_form(request, user_id, form, {})


@post("/catalog/staff/{user_id:int}", guards=[permission("catalog.edit")], status_code=HTTP_200_OK)
async def save_staff_submit(request: Req, user_id: FromPath[int]) -> Template | Redirect:
    form = await request.form()
    windows = {
        day: (str(form.get(f"start_{day}", "")), str(form.get(f"end_{day}", "")))
        for day in WEEKDAYS
    }
    shown: dict[str, Any] = {
        "skills": str(form.get("skills", "")),
        "windows": windows,
        "site_ids": [int(v) for v in form.getall("site_ids", []) if v.isdigit()],
    }
    try:
        availability = []
        for day, (start, end) in windows.items():
            if start or end:
                window = form_to(
                    WindowIn, {"weekday": day, "start": f"{start}:00", "end": f"{end}:00"}
                )
                availability.append(window)
        data = form_to(
            StaffProfileIn,
            {
                "skills": [
                    s.strip().lower().replace(" ", "_")
                    for s in shown["skills"].split(",")
                    if s.strip()
                ],
                "site_ids": shown["site_ids"],
                "availability": [
                    {"weekday": w.weekday, "start": w.start.isoformat(), "end": w.end.isoformat()}
                    for w in availability
                ],
            },
        )
        await staff_services.save_staff(actor_of(request), user_id, data)
    except DomainError as error:
        return await _staff_form(request, user_id, shown, _errors(error), error.status_code)
    flash(request, _("The staff profile is saved."), category="info")
    return Redirect(f"/catalog/staff/{user_id}")


# --- closures ------------------------------------------------------------------------


async def _closures_page(
    request: Req, form: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Template:
    sites = await services.list_sites()
    return page(
        request,
        "catalog/closures.html",
        status_code=status,
        closures=await schedule.list_closures(upcoming_from=clock.today()),
        sites=sites,
        site_names={s.id: s.name for s in sites},
        form=form,
        errors=errors,
    )


@get("/admin/closures", guards=[permission("closures.manage")])
async def closures_page(request: Req) -> Template:
    return await _closures_page(request, {}, {})


@post("/admin/closures", guards=[permission("closures.manage")], status_code=HTTP_200_OK)
async def add_closure_submit(request: Req) -> Template | Redirect:
    data = _fields(await request.form())
    try:
        await schedule.add_closure(actor_of(request), form_to(ClosureIn, data))
    except DomainError as error:
        return await _closures_page(request, data, _errors(error), error.status_code)
    flash(request, _("The closure is saved; the sessions it hits are cancelled."), category="info")
    return Redirect("/admin/closures")


@post(
    "/admin/closures/{closure_id:int}/delete",
    guards=[permission("closures.manage")],
    status_code=HTTP_200_OK,
)
async def remove_closure_submit(request: Req, closure_id: FromPath[int]) -> Redirect:
    await schedule.remove_closure(actor_of(request), closure_id)
    flash(request, _("The closure is removed; its sessions are planned again."), category="info")
    return Redirect("/admin/closures")


# --- goal domains (administrators) -----------------------------------------------------


async def _domains_page(
    request: Req, form: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Template:
    domains = [(d, domain_label(d.key, d.label)) for d in await services.list_domains()]
    return page(
        request,
        "catalog/domains.html",
        status_code=status,
        domains=domains,
        form=form,
        errors=errors,
    )


@get("/admin/goal-domains", guards=[permission("goal_domains.manage")])
async def domains_page(request: Req) -> Template:
    return await _domains_page(request, {}, {})


@post("/admin/goal-domains", guards=[permission("goal_domains.manage")], status_code=HTTP_200_OK)
async def domain_submit(request: Req) -> Template | Redirect:
    """Add a goal domain, or rename or retire one (retired ones stay on old goals)."""
    raw = await request.form()
    data = {
        "key": str(raw.get("key", "")).strip(),
        "label": str(raw.get("label", "")).strip(),
        "is_active": raw.get("is_active") == "on",
    }
    try:
        await services.save_domain(actor_of(request), form_to(GoalDomainIn, data))
    except DomainError as error:
        return await _domains_page(request, data, _errors(error), error.status_code)
    flash(request, _("The goal domain is saved."), category="info")
    return Redirect("/admin/goal-domains")


PAGES = [
    sites_page,
    new_site_page,
    edit_site_page,
    create_site_submit,
    update_site_submit,
    add_room_submit,
    delete_room_submit,
    delete_site_submit,
    partners_page,
    new_partner_page,
    edit_partner_page,
    create_partner_submit,
    update_partner_submit,
    delete_partner_submit,
    activities_page,
    new_activity_page,
    edit_activity_page,
    create_activity_submit,
    update_activity_submit,
    add_slot_submit,
    end_slot_submit,
    staff_page,
    edit_staff_page,
    save_staff_submit,
    domains_page,
    domain_submit,
    closures_page,
    add_closure_submit,
    remove_closure_submit,
]
