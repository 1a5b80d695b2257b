"""Route guards by role. A guard refuses with 401 when nobody is signed in and 403
when the signed-in user has another role."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from service.auth.schemas import CurrentUser
from service.auth.tables import Role

# Pages a user who must change their password can still reach.
PASSWORD_CHANGE_PATHS = {"/account/password", "/logout", "/api/v1/auth/logout"}


class PasswordChangeRequired(PermissionDeniedException):
    detail = "Change your temporary password first."


def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    user: CurrentUser | None = connection.scope.get("user")  # type: ignore[assignment]
    if user is None:
        raise NotAuthorizedException("Sign in first.")
    if user.must_change_password and connection.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequired()


def require(*roles: Role) -> Guard:
    """A guard that lets only the given roles through."""
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        signed_in(connection, handler)
        user: CurrentUser = connection.scope["user"]  # type: ignore[assignment]
        if user.role not in allowed:
            raise PermissionDeniedException("Your role does not give access to this.")

    guard.__name__ = f"require_{'_'.join(sorted(role.value for role in allowed))}"
    return guard


admin_only = require(Role.admin)
planners = require(Role.admin, Role.coordinator)
#: Everyone who works with the schedule; participants have their own pages.
schedule_readers = require(Role.admin, Role.coordinator, Role.staff, Role.partner)
