"""Notifications over HTTP: the one-click unsubscribe (RFC 8058, no sign-in: the link
is signed), the outbox for administrators, the preference pages of participants
(`/me/notifications`) and staff (`/account/notifications`), and the JSON API."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get, post, put
from litestar.params import JSONBody, QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from service.auth.guards import permission, public
from service.auth.permissions import may
from service.auth.schemas import CurrentUser
from service.errors import DomainError, Forbidden, NotFound
from service.forms import errors_of, form_to, posted_fields
from service.headers import SECRET_PAGE
from service.i18n import gettext as _
from service.notifications import services
from service.notifications.schemas import NotificationOut, PreferencesIn, PreferencesOut
from service.notifications.services.render import read_unsubscribe_token
from service.params import OptionalQueryId, PathId, PathText
from service.people.services import own_participant_id
from service.settings import Settings
from service.web import actor_of, current_user, page

Req = Request[Any, Any, Any]
CHECKBOXES = ("email", "sms", "evening_reminder", "support_person_reminders", "week_ahead")
StateFilter = Annotated[
    str | None,
    QueryParameter(name="state", max_length=10, pattern="^(queued|sending|sent|failed|cancelled)$"),
]


def _settings(request: Req) -> Settings:
    return request.app.state.settings


def _user(request: Req) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # the guard let only the signed-in through
    return user


async def _owner(user: CurrentUser) -> dict[str, int]:
    """Whose preferences the signed-in user edits: their participant record, or their
    own account."""
    if may(user, "participant.self"):
        participant_id = await own_participant_id(user)
        if participant_id is None:
            raise NotFound(_("Your account is not linked to a participant record yet."))
        return {"participant_id": participant_id}
    return {"user_id": user.id}


# --- one-click unsubscribe ----------------------------------------------------------------


@get(
    "/unsubscribe/{token:str}",
    guards=[public],
    include_in_schema=False,
    opt={SECRET_PAGE: True},
)
async def unsubscribe_page(request: Req, token: PathText) -> Template:
    """A confirmation button: a mail scanner that follows links must not unsubscribe."""
    if read_unsubscribe_token(_settings(request).secret_key, token) is None:
        raise NotFound(_("This link is not valid."))
    return page(request, "notifications/unsubscribe.html", token=token, done=False)


@post(
    "/unsubscribe/{token:str}",
    guards=[public],
    include_in_schema=False,
    status_code=HTTP_200_OK,
    opt={SECRET_PAGE: True},
)
async def unsubscribe(request: Req, token: PathText) -> Template:
    """The one-click POST of RFC 8058 (`List-Unsubscribe=One-Click`), and the button."""
    found = read_unsubscribe_token(_settings(request).secret_key, token)
    if found is None or not await services.turn_off(*found):
        raise NotFound(_("This link is not valid."))
    return page(request, "notifications/unsubscribe.html", token=token, done=True)


# --- the outbox, for administrators ---------------------------------------------------------


@get("/admin/outbox", guards=[permission("notifications.outbox")])
async def outbox(request: Req) -> Template:
    return page(request, "notifications/outbox.html", rows=await services.outbox_page())


@post(
    "/admin/outbox/{notification_id:int}/retry",
    guards=[permission("notifications.retry")],
    status_code=HTTP_200_OK,
)
async def outbox_retry(request: Req, notification_id: PathId) -> Redirect:
    await services.retry(actor_of(request), notification_id)
    return Redirect("/admin/outbox")


# --- preference pages -------------------------------------------------------------------------


@get("/me/notifications", guards=[permission("participant.self")])
async def my_notifications(request: Req) -> Template:
    return await _preferences_page(request, "/me/notifications")


@post("/me/notifications", guards=[permission("participant.self")], status_code=HTTP_200_OK)
async def save_my_notifications(request: Req) -> Template | Redirect:
    return await _save_from_form(request, "/me/notifications")


@get("/account/notifications", guards=[permission("notifications.preferences")])
async def staff_notifications(request: Req) -> Template:
    return await _preferences_page(request, "/account/notifications")


@post(
    "/account/notifications",
    guards=[permission("notifications.preferences")],
    status_code=HTTP_200_OK,
)
async def save_staff_notifications(request: Req) -> Template | Redirect:
    return await _save_from_form(request, "/account/notifications")


async def _preferences_page(
    request: Req, action: str, *, values: Any = None, errors: dict[str, str] | None = None
) -> Template:
    owner = await _owner(_user(request))
    current = values if values is not None else _form_values(await services.preferences(**owner))
    mine = await services.list_notifications(
        user_id=owner.get("user_id"), participant_id=owner.get("participant_id"), limit=10
    )
    return page(
        request,
        "notifications/preferences.html",
        action=action,
        prefs=current,
        errors=errors or {},
        participant="participant_id" in owner,
        recent=mine,
        status_code=422 if errors else 200,
    )


def _form_values(prefs: PreferencesOut) -> dict[str, Any]:
    values = msgspec.structs.asdict(prefs)
    for name in ("quiet_from", "quiet_until"):
        values[name] = values[name].strftime("%H:%M")
    return values


async def _save_from_form(request: Req, action: str) -> Template | Redirect:
    owner = await _owner(_user(request))
    form = await request.form()
    fields = posted_fields(form)
    for name in CHECKBOXES:
        fields[name] = name in form
    try:
        data = form_to(PreferencesIn, fields)
        await services.save_preferences(actor_of(request), data, **owner)
    except DomainError as error:
        return await _preferences_page(request, action, values=fields, errors=errors_of(error))
    return Redirect(action + "?saved=1")


# --- the JSON API ---------------------------------------------------------------------------


@get("/api/v1/notifications", guards=[permission("notifications.read")], tags=["notifications"])
async def api_notifications(
    request: Req,
    recipient_user: OptionalQueryId = None,
    participant: OptionalQueryId = None,
    state_filter: StateFilter = None,
) -> list[NotificationOut]:
    """Your own messages; coordinators and administrators name a recipient (an account
    or a participant) or see every message."""
    user = _user(request)
    if recipient_user is not None or participant is not None:
        if not may(user, "notifications.all"):
            raise Forbidden(_("You may see only your own messages."))
        return await services.list_notifications(
            user_id=recipient_user, participant_id=participant, state=state_filter
        )
    if may(user, "participant.self"):
        own = await own_participant_id(user)
        if own is None:
            return []
        return await services.list_notifications(participant_id=own, state=state_filter)
    return await services.list_notifications(user_id=user.id, state=state_filter)


@get(
    "/api/v1/me/notification-preferences",
    guards=[permission("account.use")],
    tags=["notifications"],
)
async def api_my_preferences(request: Req) -> PreferencesOut:
    return await services.preferences(**await _owner(_user(request)))


@put(
    "/api/v1/me/notification-preferences",
    guards=[permission("account.use")],
    tags=["notifications"],
)
async def api_save_my_preferences(request: Req, data: JSONBody[PreferencesIn]) -> PreferencesOut:
    owner = await _owner(_user(request))
    return await services.save_preferences(actor_of(request), data, **owner)


@post(
    "/api/v1/notifications/{notification_id:int}/retry",
    guards=[permission("notifications.retry")],
    tags=["notifications"],
    status_code=HTTP_200_OK,
)
async def api_retry(request: Req, notification_id: PathId) -> dict[str, bool]:
    """Send a failed message again now. 404 for an unknown one; `queued` false when it
    was sent, cancelled or is being sent."""
    if await services.notification_owner(notification_id) is None:
        raise NotFound(_("There is no such message."))
    return {"queued": await services.retry(actor_of(request), notification_id)}


ROUTES = [
    unsubscribe_page,
    unsubscribe,
    outbox,
    outbox_retry,
    my_notifications,
    save_my_notifications,
    staff_notifications,
    save_staff_notifications,
    api_notifications,
    api_my_preferences,
    api_save_my_preferences,
    api_retry,
]
