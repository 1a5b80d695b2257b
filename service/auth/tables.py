"""Accounts: users with one role each, the sites they work at, and API tokens."""

from enum import StrEnum

from piccolo.columns import Boolean, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table

from service.catalog.tables import Site
from service.tables import Identified


class Role(StrEnum):
    admin = "admin"
    coordinator = "coordinator"
    staff = "staff"
    partner = "partner"
    participant = "participant"


class User(Identified, Table, tablename="user_account"):
    email = Varchar(length=254, unique=True, index=True)
    display_name = Varchar(length=120, default="")
    role = Varchar(length=20, choices=Role)
    password_hash = Varchar(length=255, null=True, default=None)
    language = Varchar(length=8, default="")
    is_active = Boolean(default=True)
    must_change_password = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)
    #: When all the user's sessions and tokens were last revoked (password change or
    #: reset, deactivation); part of the session stamp, so older sessions stop working.
    signed_out_at = Timestamptz(null=True, default=None)


class UserSite(Identified, Table, tablename="user_site"):
    """Links staff and partner users to the sites they work at or host."""

    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    site = ForeignKey(references=Site, on_delete=OnDelete.cascade, index=True)
    user_site_user_site_key = Unique([user, site])


class ApiToken(Identified, Table, tablename="api_token"):
    """A bearer token for API clients. Only a SHA-256 hash of the secret is stored."""

    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=80)
    token_hash = Varchar(length=64, unique=True, index=True)
    prefix = Varchar(length=16)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
