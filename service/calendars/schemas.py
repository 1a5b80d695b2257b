"""What the calendar services take and give: a feed to make and a feed as its manager
sees it, a feed found by its secret, a cached rendering, and an "I can't come" link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import msgspec

from service.bounds import Input, RowId, text
from service.calendars.tables import FeedKind


class FeedIn(Input):
    kind: FeedKind
    owner_id: RowId
    language: Annotated[str, text(10)] = ""


class FeedOut(msgspec.Struct):
    id: int
    kind: FeedKind
    owner_id: int
    created_at: datetime
    token: str
    path: str


@dataclass(frozen=True)
class FeedRef:
    """A live feed found by its secret, with its scope's versions and the versions of
    the scope every feed shows."""

    id: int
    kind: FeedKind
    owner_id: int
    language: str
    created_at: datetime
    version: int
    changed_at: datetime | None
    all_version: int
    all_changed_at: datetime | None

    @property
    def cache_key(self) -> str:
        return f"{self.id}:{self.version}:{self.all_version}"


class Rendered(msgspec.Struct, array_like=True):
    body: bytes
    etag: str
    last_modified: int  # unix seconds


@dataclass(frozen=True)
class AbsenceLink:
    feed_id: int
    participant_id: int
    session_id: int
