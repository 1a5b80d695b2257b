"""Signing in and out (pages and API), the password change page, the language switch
and API tokens."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, delete, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import JSONBody, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from service.audit.services import record
from service.auth import services
from service.auth.guards import permission, public
from service.auth.middleware import LANGUAGE_COOKIE, SESSION_STAMP, SESSION_USER
from service.auth.schemas import (
    CurrentUser,
    LoginIn,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UserOut,
)
from service.auth.sessions import rotate_session_id
from service.bounds import text
from service.errors import InvalidInput
from service.i18n import gettext as _
from service.params import PathId, QueryText
from service.web import actor_of, current_user, page, safe_next

SESSION_COOKIE = "tupa_session"
LOGIN_PATHS = frozenset({"/login", "/api/v1/auth/login"})


# The page forms carry a CSRF field too, so they take unknown fields; their texts have
# the API's bounds.
NextPath = Annotated[str, text(2000)]
FormPassword = Annotated[str, text(1024)]


class LoginForm(msgspec.Struct):
    email: Annotated[str, text(254)] = ""
    password: FormPassword = ""
    next: NextPath = ""


class PasswordForm(msgspec.Struct):
    current_password: FormPassword = ""
    new_password: FormPassword = ""
    new_password_again: FormPassword = ""


class LanguageForm(msgspec.Struct):
    language: Annotated[str, text(10)]
    next: NextPath = "/"


async def _sign_in(request: Request[Any, Any, Any], email: str, password: str) -> CurrentUser:
    user = await services.authenticate(email, password)
    if user is None:
        await record(
            actor_of(request),
            "auth.login_failed",
            entity="user",
            entity_id=await services.user_id_for_email(email) or "",
            details={"email": services.normalize_email(email)[:254]},
        )
        raise NotAuthorizedException("The email or the password is wrong.")
    await start_session(request, user)
    return user


async def start_session(request: Request[Any, Any, Any], user: CurrentUser) -> None:
    """Sign the user in on this browser, under a fresh session id."""
    await rotate_session_id(request, SESSION_COOKIE)
    request.set_session({SESSION_USER: user.id, SESSION_STAMP: user.password_stamp})
    request.scope["user"] = user
    await record(actor_of(request), "auth.login", entity="user", entity_id=user.id)


async def _sign_out(request: Request[Any, Any, Any]) -> None:
    if user := current_user(request):
        await record(actor_of(request), "auth.logout", entity="user", entity_id=user.id)
    # A fresh, empty session: the old id is forgotten, and a flash message can follow.
    await rotate_session_id(request, SESSION_COOKIE)
    request.set_session({})


# --- pages ------------------------------------------------------------------------


@get("/login", name="login", guards=[public])
async def login_page(request: Request[Any, Any, Any], next: QueryText = "") -> Template | Redirect:
    if current_user(request):
        return Redirect(safe_next(next))
    return page(request, "auth/login.html", next=safe_next(next, ""), email="", error="")


@post("/login", status_code=HTTP_200_OK, guards=[public])
async def login_submit(
    request: Request[Any, Any, Any], data: URLEncodedBody[LoginForm]
) -> Template | Redirect:
    try:
        user = await _sign_in(request, data.email, data.password)
    except NotAuthorizedException:
        return page(
            request,
            "auth/login.html",
            status_code=400,
            next=safe_next(data.next, ""),
            email=data.email,
            error=_("The email or the password is wrong."),
        )
    if user.must_change_password:
        return Redirect("/account/password")
    return Redirect(safe_next(data.next))


@post("/logout", status_code=HTTP_200_OK, guards=[public])
async def logout_submit(request: Request[Any, Any, Any]) -> Redirect:
    await _sign_out(request)
    flash(request, _("You have signed out."), category="info")
    return Redirect("/login")


@get("/account/password", guards=[permission("account.use")])
async def password_page(request: Request[Any, Any, Any]) -> Template:
    return page(request, "auth/password.html", errors={})


@post("/account/password", guards=[permission("account.use")], status_code=HTTP_200_OK)
async def password_submit(
    request: Request[Any, Any, Any], data: URLEncodedBody[PasswordForm]
) -> Template | Redirect:
    user = current_user(request)
    assert user is not None
    try:
        if data.new_password != data.new_password_again:
            raise InvalidInput("new_password_again", _("The two new passwords differ."))
        await services.change_password(
            actor_of(request), user, data.current_password, data.new_password
        )
    except InvalidInput as error:
        return page(
            request, "auth/password.html", status_code=422, errors={error.field: error.detail}
        )
    fresh = await services.load_current_user(user.id)
    assert fresh is not None
    request.set_session({SESSION_USER: fresh.id, SESSION_STAMP: fresh.password_stamp})
    flash(request, _("Your password has been changed."), category="info")
    return Redirect("/")


@post("/language", status_code=HTTP_200_OK, guards=[public])
async def language_submit(
    request: Request[Any, Any, Any], data: URLEncodedBody[LanguageForm]
) -> Redirect:
    services.check_language(data.language, request.app.state.settings.languages)
    if user := current_user(request):
        await services.set_language(actor_of(request), user.id, data.language)
    response = Redirect(safe_next(data.next))
    response.set_cookie(
        LANGUAGE_COOKIE, data.language, max_age=365 * 86400, samesite="lax", httponly=True
    )
    return response


# --- JSON API ---------------------------------------------------------------------


@post("/api/v1/auth/login", status_code=HTTP_200_OK, tags=["auth"], guards=[public])
async def api_login(request: Request[Any, Any, Any], data: JSONBody[LoginIn]) -> UserOut:
    """Sign in with email and password; the response sets the session cookie."""
    user = await _sign_in(request, data.email, data.password)
    return await services.get_user(user.id)


@post("/api/v1/auth/logout", status_code=HTTP_204_NO_CONTENT, tags=["auth"], guards=[public])
async def api_logout(request: Request[Any, Any, Any]) -> None:
    await _sign_out(request)


@get("/api/v1/auth/me", guards=[permission("account.use")], tags=["auth"])
async def api_me(request: Request[Any, Any, Any]) -> UserOut:
    user = current_user(request)
    assert user is not None
    return await services.get_user(user.id)


@get("/api/v1/auth/tokens", guards=[permission("account.use")], tags=["auth"])
async def api_list_tokens(request: Request[Any, Any, Any]) -> list[TokenOut]:
    user = current_user(request)
    assert user is not None
    return await services.list_tokens(user)


@post(
    "/api/v1/auth/tokens",
    guards=[permission("account.use")],
    status_code=HTTP_201_CREATED,
    tags=["auth"],
)
async def api_create_token(
    request: Request[Any, Any, Any], data: JSONBody[TokenCreate]
) -> TokenCreated:
    """Create a bearer token. The secret is shown in this response only. It expires after
    `expires_in_days` (none given: the longest allowed), never later than the server's
    maximum token lifetime, and a password change or reset revokes it."""
    user = current_user(request)
    assert user is not None
    return await services.create_token(
        actor_of(request),
        user,
        data.name,
        data.expires_in_days,
        max_age=request.app.state.settings.token_max_age,
    )


@delete(
    "/api/v1/auth/tokens/{token_id:int}",
    guards=[permission("account.use")],
    status_code=HTTP_200_OK,
    tags=["auth"],
)
async def api_revoke_token(request: Request[Any, Any, Any], token_id: PathId) -> TokenOut:
    user = current_user(request)
    assert user is not None
    return await services.revoke_token(actor_of(request), user, token_id)


ROUTES = [
    login_page,
    login_submit,
    logout_submit,
    password_page,
    password_submit,
    language_submit,
    api_login,
    api_logout,
    api_me,
    api_list_tokens,
    api_create_token,
    api_revoke_token,
]
