"""Shapes of account data, for services, pages and the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from service.auth.tables import Role
from service.i18n import gettext as _

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
Name = Annotated[str, msgspec.Meta(max_length=120)]


class CurrentUser(msgspec.Struct, frozen=True):
    """The signed-in user as the request sees it."""

    id: int
    email: str
    display_name: str
    role: Role
    language: str = ""
    site_ids: tuple[int, ...] = ()
    must_change_password: bool = False
    password_stamp: str = ""

    @property
    def label(self) -> str:
        return self.display_name or self.email


class UserOut(msgspec.Struct):
    id: int
    email: str
    display_name: str
    role: Role
    language: str
    is_active: bool
    site_ids: list[int]
    created_at: datetime
    last_login_at: datetime | None


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    role: Role
    display_name: Name = ""
    language: str = ""
    site_ids: list[int] = msgspec.field(default_factory=list)
    password: str | None = None
    must_change_password: bool = False


class UserUpdate(msgspec.Struct, forbid_unknown_fields=True):
    display_name: Name | None = None
    role: Role | None = None
    language: str | None = None
    is_active: bool | None = None
    site_ids: list[int] | None = None


class LoginIn(msgspec.Struct):
    email: Email
    password: Annotated[str, msgspec.Meta(max_length=1024)]


class PasswordReset(msgspec.Struct):
    user_id: int
    temporary_password: str


class TokenCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    expires_in_days: Annotated[int, msgspec.Meta(ge=1, le=730)] | None = 365


class TokenOut(msgspec.Struct):
    id: int
    name: str
    prefix: str
    user_id: int
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(msgspec.Struct):
    token: str
    details: TokenOut


def role_label(role: Role) -> str:
    """The role's name in the current language."""
    return {
        Role.admin: _("Administrator"),
        Role.coordinator: _("Coordinator"),
        Role.staff: _("Staff member"),
        Role.partner: _("Partner"),
        Role.participant: _("Participant"),
    }[role]
