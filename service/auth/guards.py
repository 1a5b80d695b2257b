"""Route guards from the named permissions of `service.auth.permissions`.

Every route declares one: `guards=[permission("catalog.edit")]`, or `guards=[public]`
for a route anyone may open. A permission guard refuses with 401 when nobody is signed
in, sends a user with a temporary password to change it first, and refuses with 403
when the user's role lacks the permission."""

from __future__ import annotations

from functools import cache
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from service.auth.permissions import PUBLIC, check_name, may
from service.auth.schemas import CurrentUser

# Pages a user who must change their password can still reach.
PASSWORD_CHANGE_PATHS = {"/account/password", "/logout", "/api/v1/auth/logout"}

#: The attribute on a guard that names the permission it checks.
DECLARES = "permission"


class PasswordChangeRequired(PermissionDeniedException):
    detail = "Change your temporary password first."


def _signed_in(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser:
    user: CurrentUser | None = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException("Sign in first.")
    if user.must_change_password and connection.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequired()
    return user


@cache
def permission(name: str) -> Guard:
    """The guard of a route that needs the named permission."""
    check_name(name)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = _signed_in(connection)
        if not may(user, name):
            raise PermissionDeniedException("Your role does not give access to this.")

    guard.__name__ = f"permission_{name.replace('.', '_')}"
    setattr(guard, DECLARES, name)
    return guard


def public(_connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Declares a route that anyone may open, signed in or not; it checks nothing."""


setattr(public, DECLARES, PUBLIC)


def declared_permissions(handler: BaseRouteHandler) -> list[str]:
    """The permissions a route handler declares through its guards, on any layer
    (the handler, its controller, its router)."""
    return [
        getattr(guard, DECLARES)
        for layer in handler.ownership_layers
        for guard in layer.guards or []
        if hasattr(guard, DECLARES)
    ]
