"""Pages of staff absences and cover: a staff member's own absence on their phone (a
coordinator's for anyone), and the coordinator's cover page for a day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from service import clock
from service.audit.reads import AUDIT_READS
from service.auth.guards import permission
from service.auth.permissions import may
from service.catalog.vocabulary import weekday_names
from service.errors import DomainError, InvalidInput, checked_days
from service.forms import Form, form_to, posted_fields
from service.i18n import gettext as _
from service.params import OptionalQueryText, PathId
from service.staff import services
from service.staff.forms import absence_fields
from service.staff.schemas import AbsenceIn, CoverAssignIn, CoverCancelIn
from service.staff.tables import AbsenceReason
from service.web import actor_of, current_user, page

Req = Request[Any, Any, Any]

#: How far ahead the absence page lists one's absences.
LISTED_DAYS = 60


def reason_labels() -> dict[str, str]:
    return {
        AbsenceReason.sick: _("Sick"),
        AbsenceReason.leave: _("Leave"),
        AbsenceReason.training: _("Training"),
        AbsenceReason.other: _("Other"),
    }


async def _absence_page(request: Req, form: Form[AbsenceIn], status: int = 200) -> Template:
    user = current_user(request)
    today = clock.today()
    planner = may(user, "cover.plan")
    return page(
        request,
        "staff/absence.html",
        status_code=status,
        **form.context,
        reasons=reason_labels(),
        absences=await services.list_absences(user, today, today + timedelta(days=LISTED_DAYS)),
        staff=await services.list_staff() if planner else [],
    )


# a planner sees everyone's absences here: audited
@get("/staff/absence", guards=[permission("staff_absence.record")], opt={AUDIT_READS: True})
async def absence_page(request: Req) -> Template:
    """Record an absence: one's own (a planner: anyone's)."""
    return await _absence_page(
        request, Form.blank(AbsenceIn, start_date=clock.today().isoformat(), reason="sick")
    )


@post("/staff/absence", guards=[permission("staff_absence.record")], status_code=HTTP_200_OK)
async def absence_submit(request: Req) -> Template | Redirect:
    form = Form.posted(AbsenceIn, await request.form())
    try:
        await services.record_absence(
            actor_of(request), form_to(AbsenceIn, absence_fields(form.values))
        )
    except DomainError as error:
        return await _absence_page(request, form.refused(error), error.status_code)
    flash(request, _("The absence is recorded."), category="info")
    return Redirect("/staff/absence")


@post(
    "/staff/absence/{absence_id:int}/delete",
    guards=[permission("staff_absence.record")],
    status_code=HTTP_200_OK,
)
async def absence_delete(request: Req, absence_id: PathId) -> Redirect:
    await services.delete_absence(actor_of(request), absence_id)
    flash(request, _("The absence is removed."), category="info")
    return Redirect("/staff/absence")


def _day(text: str | None) -> date:
    if not text:
        return clock.today()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("date", _("Give a date as YYYY-MM-DD.")) from None
    checked_days(date=day)
    return day


@get("/cover", guards=[permission("cover.plan")])
async def cover_page(request: Req, date: OptionalQueryText = None) -> Template:
    """The day's sessions that absences leave without enough staff, with who could step
    in, and the buttons to assign cover or cancel."""
    day = _day(date)
    settings = request.app.state.settings
    return page(
        request,
        "staff/cover.html",
        day=day,
        previous=day - timedelta(days=1),
        next=day + timedelta(days=1),
        plan=await services.cover_day(day, settings.match_travel_buffer),
        absences=await services.list_absences(current_user(request), day, day),
        reasons=reason_labels(),
    )


@post(
    "/cover/sessions/{session_id:int}/assign",
    guards=[permission("cover.plan")],
    status_code=HTTP_200_OK,
)
async def cover_assign(request: Req, session_id: PathId) -> Redirect:
    fields = posted_fields(await request.form())
    day = fields.pop("day", "")
    try:
        data = form_to(CoverAssignIn, fields)
        result = await services.assign_cover(actor_of(request), session_id, data)
        names = ", ".join(s.name for s in result.session.staff)
        flash(request, _("Cover assigned: %(names)s.", names=names), category="info")
    except DomainError as error:
        flash(request, error.detail, category="error")
    return Redirect(f"/cover?date={_day(day).isoformat()}")


@post(
    "/cover/sessions/{session_id:int}/cancel",
    guards=[permission("cover.plan")],
    status_code=HTTP_200_OK,
)
async def cover_cancel(request: Req, session_id: PathId) -> Redirect:
    fields = posted_fields(await request.form())
    day = fields.pop("day", "")
    try:
        data = form_to(CoverCancelIn, fields)
        await services.cancel_uncovered(actor_of(request), session_id, data)
        flash(
            request,
            _(
                "The session is cancelled. The participants have not been told "
                "automatically: tell them yourself."
            ),
            category="info",
        )
    except DomainError as error:
        flash(request, error.detail, category="error")
    return Redirect(f"/cover?date={_day(day).isoformat()}")


@get("/staff/week", guards=[permission("rota.view")])
async def week_page(request: Req, week: OptionalQueryText = None) -> Template:
    """The staff week: everyone's for planners, one's own for a staff member (on a
    phone the days stack)."""
    user = current_user(request)
    assert user is not None
    rota = await services.week_rota(user, _day(week))
    return page(
        request,
        "staff/week.html",
        rota=rota,
        previous=rota.monday - timedelta(days=7),
        next=rota.monday + timedelta(days=7),
        weekdays=weekday_names(),
        reasons=reason_labels(),
    )


PAGES = [
    week_page,
    absence_page,
    absence_submit,
    absence_delete,
    cover_page,
    cover_assign,
    cover_cancel,
]
