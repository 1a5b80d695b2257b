"""Shapes of account data, for services, pages and the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from service.auth.tables import Role
from service.bounds import Input, RowId, text
from service.i18n import gettext as _

Email = Annotated[str, text(254, min_length=3)]
Name = Annotated[str, text(120)]
LanguageCode = Annotated[str, text(10)]
Password = Annotated[str, text(1024)]
SiteIds = Annotated[list[RowId], msgspec.Meta(max_length=200)]


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


class UserCreate(Input):
    email: Email
    role: Role
    display_name: Name = ""
    language: LanguageCode = ""
    site_ids: SiteIds = msgspec.field(default_factory=list)
    password: Password | None = None
    must_change_password: bool = False


class UserUpdate(Input):
    display_name: Name | None = None
    role: Role | None = None
    language: LanguageCode | None = None
    is_active: bool | None = None
    site_ids: SiteIds | None = None


class LoginIn(Input, forbid_unknown_fields=False):
    email: Email
    password: Password


class PasswordReset(msgspec.Struct):
    user_id: int
    temporary_password: str


class TokenCreate(Input):
    name: Annotated[str, text(80, min_length=1)]
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
