"""User administration for administrators: pages and JSON API."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, patch, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromQuery, JSONBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from service.auth import services
from service.auth.guards import permission
from service.auth.passwords import temporary_password
from service.auth.schemas import PasswordReset, UserCreate, UserOut, UserUpdate
from service.auth.tables import Role
from service.catalog.tables import Site
from service.errors import InvalidInput
from service.forms import form_to
from service.headers import SECRET_PAGE
from service.i18n import gettext as _
from service.params import PathId, QueryText
from service.web import actor_of, page


def _parse_role(value: str | None) -> Role | None:
    if not value:
        return None
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput("role", _("Choose one of the roles.")) from None


def _parse_site_ids(form: FormMultiDict) -> list[int]:
    try:
        return [int(value) for value in form.getall("site_ids", [])]
    except ValueError:
        raise InvalidInput("site_ids", _("Choose sites from the list.")) from None


async def _site_choices() -> list[dict[str, Any]]:
    return await Site.select(Site.id, Site.name).order_by(Site.name)


# --- pages ------------------------------------------------------------------------


@get("/admin/users", guards=[permission("users.manage")])
async def users_page(
    request: Request[Any, Any, Any], role: QueryText = "", q: QueryText = ""
) -> Template:
    users = await services.list_users(role=_parse_role(role), search=q.strip())
    return page(
        request,
        "admin/users.html",
        users=users,
        roles=list(Role),
        role=role,
        q=q,
        sites={site["id"]: site["name"] for site in await _site_choices()},
    )


@get("/admin/users/new", guards=[permission("users.manage")])
async def new_user_page(request: Request[Any, Any, Any]) -> Template:
    return page(
        request,
        "admin/user_form.html",
        editing=None,
        form={},
        errors={},
        roles=list(Role),
        sites=await _site_choices(),
    )


@post(
    "/admin/users/new",
    guards=[permission("users.manage")],
    status_code=HTTP_200_OK,
    opt={SECRET_PAGE: True},  # shows the temporary password
)
async def new_user_submit(request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await request.form()
    temporary = temporary_password()
    try:
        role = _parse_role(form.get("role")) or Role.participant
        created = await services.create_user(
            actor_of(request),
            form_to(
                UserCreate,
                {
                    "email": str(form.get("email", "")),
                    "role": role,
                    "display_name": str(form.get("display_name", "")),
                    "language": str(form.get("language", "")),
                    "site_ids": _parse_site_ids(form),
                    "password": temporary,
                    "must_change_password": True,
                },
            ),
        )
    except InvalidInput as error:
        return page(
            request,
            "admin/user_form.html",
            status_code=422,
            editing=None,
            form=dict(form),
            errors={error.field: error.detail},
            roles=list(Role),
            sites=await _site_choices(),
        )
    return page(
        request, "admin/password_reset.html", target=created, temporary=temporary, created=True
    )


@get("/admin/users/{user_id:int}", guards=[permission("users.manage")])
async def edit_user_page(request: Request[Any, Any, Any], user_id: PathId) -> Template:
    user = await services.get_user(user_id)
    return page(
        request,
        "admin/user_form.html",
        editing=user,
        form={},
        errors={},
        roles=list(Role),
        sites=await _site_choices(),
    )


@post("/admin/users/{user_id:int}", guards=[permission("users.manage")], status_code=HTTP_200_OK)
async def edit_user_submit(request: Request[Any, Any, Any], user_id: PathId) -> Template | Redirect:
    form = await request.form()
    user = await services.get_user(user_id)
    try:
        await services.update_user(
            actor_of(request),
            user_id,
            form_to(
                UserUpdate,
                {
                    "display_name": str(form.get("display_name", "")),
                    "role": _parse_role(form.get("role")),
                    "language": str(form.get("language", "")),
                    "is_active": form.get("is_active") == "on",
                    "site_ids": _parse_site_ids(form),
                },
            ),
        )
    except InvalidInput as error:
        return page(
            request,
            "admin/user_form.html",
            status_code=422,
            editing=user,
            form=dict(form),
            errors={error.field: error.detail},
            roles=list(Role),
            sites=await _site_choices(),
        )
    flash(request, _("The changes are saved."), category="info")
    return Redirect(f"/admin/users/{user_id}")


@post(
    "/admin/users/{user_id:int}/reset-password",
    guards=[permission("users.manage")],
    status_code=HTTP_200_OK,
    opt={SECRET_PAGE: True},  # shows the temporary password
)
async def reset_password_submit(request: Request[Any, Any, Any], user_id: PathId) -> Template:
    target = await services.get_user(user_id)
    temporary = await services.reset_password(actor_of(request), user_id)
    return page(
        request, "admin/password_reset.html", target=target, temporary=temporary, created=False
    )


# --- JSON API ---------------------------------------------------------------------


@get("/api/v1/users", guards=[permission("users.manage")], tags=["users"])
async def api_list_users(role: FromQuery[Role | None] = None, q: QueryText = "") -> list[UserOut]:
    return await services.list_users(role=role, search=q.strip())


@post(
    "/api/v1/users",
    guards=[permission("users.manage")],
    status_code=HTTP_201_CREATED,
    tags=["users"],
)
async def api_create_user(request: Request[Any, Any, Any], data: JSONBody[UserCreate]) -> UserOut:
    return await services.create_user(actor_of(request), data)


@get("/api/v1/users/{user_id:int}", guards=[permission("users.manage")], tags=["users"])
async def api_get_user(user_id: PathId) -> UserOut:
    return await services.get_user(user_id)


@patch("/api/v1/users/{user_id:int}", guards=[permission("users.manage")], tags=["users"])
async def api_update_user(
    request: Request[Any, Any, Any], user_id: PathId, data: JSONBody[UserUpdate]
) -> UserOut:
    return await services.update_user(actor_of(request), user_id, data)


@post(
    "/api/v1/users/{user_id:int}/password-reset",
    guards=[permission("users.manage")],
    status_code=HTTP_200_OK,
    tags=["users"],
)
async def api_reset_password(request: Request[Any, Any, Any], user_id: PathId) -> PasswordReset:
    """Set a temporary password, shown once; the user must change it at next sign-in."""
    temporary = await services.reset_password(actor_of(request), user_id)
    return PasswordReset(user_id=user_id, temporary_password=temporary)


ROUTES = [
    users_page,
    new_user_page,
    new_user_submit,
    edit_user_page,
    edit_user_submit,
    reset_password_submit,
    api_list_users,
    api_create_user,
    api_get_user,
    api_update_user,
    api_reset_password,
]
