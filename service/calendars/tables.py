"""Calendar feed tables: the secret feed tokens, and a version per feed scope that the
invalidation job raises whenever a session or placement in that scope changes."""

from enum import StrEnum

from piccolo.columns import ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from service.auth.tables import User
from service.tables import Identified


class FeedKind(StrEnum):
    participant = "participant"
    support = "support"
    staff = "staff"
    site = "site"
    activity = "activity"


class FeedToken(Identified, Table, tablename="feed_token"):
    """One calendar published under a secret URL. The secret itself is not stored: it
    is HMAC(SECRET_KEY, salt), so a copy of the database alone reveals no live URL, and
    its SHA-256 is kept to find the row. `scope` names whose schedule it shows
    ("participant:12", "staff:3", "site:1", "activity:7"); a support person's feed has
    the participant's scope."""

    kind = Varchar(length=12, choices=FeedKind)
    owner_id = Integer(index=True)
    scope = Varchar(length=40, index=True)
    salt = Varchar(length=32)
    token_hash = Varchar(length=64, unique=True, index=True)
    language = Varchar(length=8, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    revoked_at = Timestamptz(null=True, default=None)
    replaced_by = Integer(null=True, default=None)


class FeedVersion(Identified, Table, tablename="feed_version"):
    """How many times the schedule of a scope changed, and when it last did. The scope
    "all" changes every feed at once (the nightly session generation)."""

    scope = Varchar(length=40, unique=True, index=True)
    version = Integer(default=0)
    changed_at = Timestamptz(default=TimestamptzNow())
